// The gradient of the 2x2 VALID max-pool (pooled attention's keys and values) through oneDNN
// (engine/ops/native/pool.ts): the forward is run again to get oneDNN's record of each window's
// maximum (its workspace), then the backward routes dy through it. Why: the exact route of
// max-pool.ts moves the windows with two 6-D transposes and a cumsum, a sixth of a wasm step once
// the convolutions and attention were native (docs/performance.md, issue 18).
// The forward itself stays tf.maxPool, which the exported graph model runs too.
#include <omp.h>

#include <dnnl.hpp>
#include <map>
#include <memory>
#include <tuple>

#include "kernels.h"
#include "napi-args.h"

namespace sagan {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct Shape {
  int64_t b, h, w, c;
  bool operator<(const Shape& s) const { return std::tie(b, h, w, c) < std::tie(s.b, s.h, s.w, s.c); }
};

struct Prims {
  dnnl::pooling_forward::primitive_desc fwd;
  dnnl::pooling_forward forward;
  dnnl::pooling_backward backward;
  memory dst, workspace;  // the rerun forward's output and window record, reused per shape
};

struct Context {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  std::map<Shape, std::unique_ptr<Prims>> prims;
};

memory::desc nhwc(int64_t b, int64_t h, int64_t w, int64_t c) { return memory::desc({b, c, h, w}, dt::f32, tag::nhwc); }

Prims& primsFor(Context& ctx, const Shape& s) {
  auto it = ctx.prims.find(s);
  if (it != ctx.prims.end()) return *it->second;
  using namespace dnnl;
  const memory::dims two = {2, 2}, none = {0, 0};
  auto src = nhwc(s.b, s.h, s.w, s.c), dst = nhwc(s.b, s.h / 2, s.w / 2, s.c);
  auto fwd = pooling_forward::primitive_desc(
      pooling_forward::desc(prop_kind::forward_training, algorithm::pooling_max, src, dst, two, two, none, none), ctx.eng);
  auto bwd = pooling_backward::primitive_desc(pooling_backward::desc(algorithm::pooling_max, src, dst, two, two, none, none), ctx.eng, fwd);
  auto p = std::unique_ptr<Prims>(
      new Prims{fwd, pooling_forward(fwd), pooling_backward(bwd), memory(fwd.dst_desc(), ctx.eng), memory(fwd.workspace_desc(), ctx.eng)});
  return *(ctx.prims[s] = std::move(p));
}

// maxPoolBackward(x, dy, dx, [B, H, W, C]): x [B,H,W,C], dy [B,H/2,W/2,C] -> dx [B,H,W,C].
napi_value Backward(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  auto* ctx = args<Context>(env, info, argv, 4, "maxPoolBackward(x, dy, dx, dims)");
  int64_t d[4];
  if (!ctx || !dims(env, argv[3], d, 4, "maxPoolBackward: dims [B, H, W, C]")) return nullptr;
  const Shape s{d[0], d[1], d[2], d[3]};
  if (s.h % 2 || s.w % 2) return fail(env, "maxPoolBackward: H and W must be even");
  const size_t xn = s.b * s.h * s.w * s.c;
  float* x = floats(env, argv[0], xn, "maxPoolBackward: x");
  float* dy = x ? floats(env, argv[1], xn / 4, "maxPoolBackward: dy") : nullptr;
  float* dx = dy ? floats(env, argv[2], xn, "maxPoolBackward: dx") : nullptr;
  if (!dx) return nullptr;
  try {
    omp_set_num_threads(1);  // one data-parallel replica per core already
    Prims& p = primsFor(*ctx, s);
    dnnl::stream st(ctx->eng);
    auto src = nhwc(s.b, s.h, s.w, s.c), dst = nhwc(s.b, s.h / 2, s.w / 2, s.c);
    p.forward.execute(st, {{DNNL_ARG_SRC, memory(src, ctx->eng, x)}, {DNNL_ARG_DST, p.dst}, {DNNL_ARG_WORKSPACE, p.workspace}});
    p.backward.execute(st, {{DNNL_ARG_DIFF_DST, memory(dst, ctx->eng, dy)}, {DNNL_ARG_DIFF_SRC, memory(src, ctx->eng, dx)}, {DNNL_ARG_WORKSPACE, p.workspace}});
    st.wait();
  } catch (const dnnl::error& e) {
    return fail(env, std::string("oneDNN: ") + e.what());
  }
  return nullptr;
}

}  // namespace

void exportPool(napi_env env, napi_value exports) { exportFunction(env, exports, "maxPoolBackward", Backward, owned<Context>(env)); }

}  // namespace sagan
