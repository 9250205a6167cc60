// oneDNN stride-1 'same' convolutions for the engine's CPU backends (engine/ops/native/conv.ts):
// forward, input gradient and weight gradient, in tfjs's layouts (NHWC activations, HWIO
// filters). Why: XNNPACK inside wasm runs these at 18-36 GFLOP/s on 128-bit SIMD; oneDNN uses the
// CPU's own vector width (docs/performance.md, issue 18).
// Each call is synchronous on the calling thread with one OpenMP thread: the engine trains one
// data-parallel replica per core, so the cores are already shared out.
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

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

struct Shape {
  int64_t b, h, w, c, o, k;
  bool operator<(const Shape& s) const { return std::tie(b, h, w, c, o, k) < std::tie(s.b, s.h, s.w, s.c, s.o, s.k); }
};

// Primitives are built once per shape and kind: building one costs far more than running a small one.
struct Prims {
  dnnl::convolution_forward::primitive_desc fwd;
  dnnl::convolution_backward_data::primitive_desc bwd_data;
  dnnl::convolution_backward_weights::primitive_desc bwd_weights;
  dnnl::convolution_forward fwd_p;
  dnnl::convolution_backward_data bwd_data_p;
  dnnl::convolution_backward_weights bwd_weights_p;
};

struct Context {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  std::map<Shape, std::unique_ptr<Prims>> prims;
};

memory::desc act(int64_t b, int64_t h, int64_t w, int64_t c) { return memory::desc({b, c, h, w}, dt::f32, tag::nhwc); }
memory::desc hwio(const Shape& s) { return memory::desc({s.o, s.c, s.k, s.k}, dt::f32, tag::hwio); }

Prims& primsFor(Context& ctx, const Shape& s) {
  auto it = ctx.prims.find(s);
  if (it != ctx.prims.end()) return *it->second;
  const memory::dims strides = {1, 1}, pad = {(s.k - 1) / 2, (s.k - 1) / 2};
  auto src = act(s.b, s.h, s.w, s.c), dst = act(s.b, s.h, s.w, s.o);
  auto wany = memory::desc({s.o, s.c, s.k, s.k}, dt::f32, tag::any);
  using namespace dnnl;
  auto fwd = convolution_forward::primitive_desc(
      convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, src, wany, dst, strides, pad, pad), ctx.eng);
  auto bd = convolution_backward_data::primitive_desc(
      convolution_backward_data::desc(algorithm::convolution_direct, src, wany, dst, strides, pad, pad), ctx.eng, fwd);
  auto bw = convolution_backward_weights::primitive_desc(
      convolution_backward_weights::desc(algorithm::convolution_direct, src, wany, dst, strides, pad, pad), ctx.eng, fwd);
  auto p = std::unique_ptr<Prims>(new Prims{fwd, bd, bw, convolution_forward(fwd), convolution_backward_data(bd), convolution_backward_weights(bw)});
  return *(ctx.prims[s] = std::move(p));
}

// Weights arrive as HWIO; the primitive may want its own blocked layout.
memory weightsAs(Context& ctx, dnnl::stream& st, const memory::desc& want, const Shape& s, float* data) {
  memory user(hwio(s), ctx.eng, data);
  if (want == user.get_desc()) return user;
  memory out(want, ctx.eng);
  dnnl::reorder(user, out).execute(st, user, out);
  return out;
}

// conv(kind, a, b, out, [B, H, W, C, O, k]) writes into out:
//   forward:          a = x [B,H,W,C],  b = w [k,k,C,O] -> y  [B,H,W,O]
//   backward data:    a = dy [B,H,W,O], b = w [k,k,C,O] -> dx [B,H,W,C]
//   backward weights: a = x [B,H,W,C],  b = dy [B,H,W,O] -> dw [k,k,C,O]
// The caller passes views of the wasm backend's heap, so no operand is copied on the way.
napi_value Run(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  auto* ctx = args<Context>(env, info, argv, 5, "conv(kind, a, b, out, dims)");
  if (!ctx) return nullptr;
  int32_t kind;
  if (napi_get_value_int32(env, argv[0], &kind) != napi_ok || kind < 0 || kind > 2) return fail(env, "conv: kind must be 0, 1 or 2");
  int64_t d[6];
  if (!dims(env, argv[4], d, 6, "conv: dims [B, H, W, C, O, k]")) return nullptr;
  const Shape s{d[0], d[1], d[2], d[3], d[4], d[5]};
  if (s.k % 2 != 1) return fail(env, "conv: k must be odd");
  const size_t xn = s.b * s.h * s.w * s.c, yn = s.b * s.h * s.w * s.o, wn = s.k * s.k * s.c * s.o;
  float* a = floats(env, argv[1], kind == kBackwardData ? yn : xn, "conv: the first operand");
  float* b = a ? floats(env, argv[2], kind == kBackwardWeights ? yn : wn, "conv: the second operand") : nullptr;
  float* out = b ? floats(env, argv[3], kind == kForward ? yn : kind == kBackwardData ? xn : wn, "conv: out") : nullptr;
  if (!out) return nullptr;
  auto& c = *ctx;
  try {
    omp_set_num_threads(1);
    Prims& p = primsFor(c, s);
    dnnl::stream st(c.eng);
    auto x_d = act(s.b, s.h, s.w, s.c), y_d = act(s.b, s.h, s.w, s.o);
    if (kind == kForward) {
      memory w = weightsAs(c, st, p.fwd.weights_desc(), s, b);
      p.fwd_p.execute(st, {{DNNL_ARG_SRC, memory(x_d, c.eng, a)}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, memory(y_d, c.eng, out)}});
    } else if (kind == kBackwardData) {
      memory w = weightsAs(c, st, p.bwd_data.weights_desc(), s, b);
      p.bwd_data_p.execute(st, {{DNNL_ARG_DIFF_DST, memory(y_d, c.eng, a)}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, memory(x_d, c.eng, out)}});
    } else {
      memory user(hwio(s), c.eng, out);
      const auto want = p.bwd_weights.diff_weights_desc();
      memory dw = want == user.get_desc() ? user : memory(want, c.eng);
      p.bwd_weights_p.execute(st, {{DNNL_ARG_SRC, memory(x_d, c.eng, a)}, {DNNL_ARG_DIFF_DST, memory(y_d, c.eng, b)}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
      if (dw.get_data_handle() != user.get_data_handle()) dnnl::reorder(dw, user).execute(st, dw, user);
    }
    st.wait();
  } catch (const dnnl::error& e) {
    return fail(env, std::string("oneDNN: ") + e.what());
  }
  return nullptr;
}

}  // namespace

void exportConv(napi_env env, napi_value exports) { exportFunction(env, exports, "conv", Run, owned<Context>(env)); }

}  // namespace sagan
