// The attention product y = softmax(q k^T) v and its gradients, as oneDNN batched matmuls and
// softmax (engine/ops/native/attention.ts). Why: on wasm the batched products fall to scalar loops
// or run image by image through XNNPACK with gathers, stacks and transposes around them; here
// the transposed operands are strides, not copies.
// Shapes (per call): q [B,N,D], k [B,M,D], v [B,M,E], y [B,N,E], beta [B,N,M] (softmax over keys).
// The primitives are built for one image and run image by image, so that an image's result cannot
// depend on the batch it came in (a data-parallel replica's half or the whole batch).
#include <omp.h>

#include <dnnl.hpp>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "kernels.h"
#include "napi-args.h"

namespace sagan {
namespace {

using dnnl::memory;
using dt = memory::data_type;

struct Shape {
  int64_t b, n, m, d, e;
  bool operator<(const Shape& s) const { return std::tie(b, n, m, d, e) < std::tie(s.b, s.n, s.m, s.d, s.e); }
};

/** [B, rows, cols], row-major, or its transpose read in place (strides swapped). */
memory::desc dense(int64_t b, int64_t rows, int64_t cols) { return memory::desc({b, rows, cols}, dt::f32, memory::dims{rows * cols, cols, 1}); }
memory::desc transposed(int64_t b, int64_t rows, int64_t cols) { return memory::desc({b, cols, rows}, dt::f32, memory::dims{rows * cols, 1, cols}); }

struct Prims {
  dnnl::matmul logits, value;                    // q k^T -> beta;  beta v -> y
  dnnl::softmax_forward softmax;                 // in place on beta
  dnnl::matmul dBeta, dq, dk, dv;                // dy v^T;  dLogits k;  dLogits^T q;  beta^T dy
  dnnl::softmax_backward softmaxBackward;        // dBeta -> dLogits, in place
};

struct Context {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  std::map<Shape, std::unique_ptr<Prims>> prims;
  std::vector<float> scratch;  // one image's dBeta, then dLogits: [N, M]
};

dnnl::matmul matmul(Context& ctx, const memory::desc& a, const memory::desc& b, const memory::desc& c) {
  return dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), ctx.eng));
}

/** Primitives for one image of shape s (s.b is ignored). */
Prims& primsFor(Context& ctx, Shape s) {
  s.b = 1;
  auto it = ctx.prims.find(s);
  if (it != ctx.prims.end()) return *it->second;
  using namespace dnnl;
  const auto map = dense(s.b, s.n, s.m);
  auto sfwd = softmax_forward::primitive_desc(softmax_forward::desc(prop_kind::forward_training, map, 2), ctx.eng);
  auto sbwd = softmax_backward::primitive_desc(softmax_backward::desc(map, map, 2), ctx.eng, sfwd);
  auto p = std::unique_ptr<Prims>(new Prims{
      matmul(ctx, dense(s.b, s.n, s.d), transposed(s.b, s.m, s.d), map),
      matmul(ctx, map, dense(s.b, s.m, s.e), dense(s.b, s.n, s.e)),
      softmax_forward(sfwd),
      matmul(ctx, dense(s.b, s.n, s.e), transposed(s.b, s.m, s.e), map),
      matmul(ctx, map, dense(s.b, s.m, s.d), dense(s.b, s.n, s.d)),
      matmul(ctx, transposed(s.b, s.n, s.m), dense(s.b, s.n, s.d), dense(s.b, s.m, s.d)),
      matmul(ctx, transposed(s.b, s.n, s.m), dense(s.b, s.n, s.e), dense(s.b, s.m, s.e)),
      softmax_backward(sbwd),
  });
  return *(ctx.prims[s] = std::move(p));
}

/** Image i's [rows, cols] block of a [B, rows, cols] operand. */
float* image(float* t, int64_t i, int64_t rows, int64_t cols) { return t + i * rows * cols; }

void mm(Context& ctx, dnnl::stream& st, dnnl::matmul& p, const memory::desc& ad, float* a, const memory::desc& bd, float* b,
        const memory::desc& cd, float* c) {
  p.execute(st, {{DNNL_ARG_SRC, memory(ad, ctx.eng, a)}, {DNNL_ARG_WEIGHTS, memory(bd, ctx.eng, b)}, {DNNL_ARG_DST, memory(cd, ctx.eng, c)}});
}

bool shapeOf(napi_env env, napi_value v, Shape* s, const char* fn) {
  int64_t d[5];
  if (!dims(env, v, d, 5, std::string(fn) + ": dims [B, N, M, D, E]")) return false;
  *s = Shape{d[0], d[1], d[2], d[3], d[4]};
  return true;
}

// attentionForward(q, k, v, y, beta, [B, N, M, D, E]) writes y and beta (saved for the backward).
napi_value Forward(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  auto* ctx = args<Context>(env, info, argv, 6, "attentionForward(q, k, v, y, beta, dims)");
  Shape s;
  if (!ctx || !shapeOf(env, argv[5], &s, "attentionForward")) return nullptr;
  float* q = floats(env, argv[0], s.b * s.n * s.d, "attentionForward: q");
  float* k = q ? floats(env, argv[1], s.b * s.m * s.d, "attentionForward: k") : nullptr;
  float* v = k ? floats(env, argv[2], s.b * s.m * s.e, "attentionForward: v") : nullptr;
  float* y = v ? floats(env, argv[3], s.b * s.n * s.e, "attentionForward: y") : nullptr;
  float* beta = y ? floats(env, argv[4], s.b * s.n * s.m, "attentionForward: beta") : nullptr;
  if (!beta) return nullptr;
  try {
    omp_set_num_threads(1);  // one data-parallel replica per core already
    Prims& p = primsFor(*ctx, s);
    dnnl::stream st(ctx->eng);
    const auto map = dense(1, s.n, s.m);
    for (int64_t i = 0; i < s.b; i++) {
      float* bi = image(beta, i, s.n, s.m);
      mm(*ctx, st, p.logits, dense(1, s.n, s.d), image(q, i, s.n, s.d), transposed(1, s.m, s.d), image(k, i, s.m, s.d), map, bi);
      memory m(map, ctx->eng, bi);
      p.softmax.execute(st, {{DNNL_ARG_SRC, m}, {DNNL_ARG_DST, m}});
      mm(*ctx, st, p.value, map, bi, dense(1, s.m, s.e), image(v, i, s.m, s.e), dense(1, s.n, s.e), image(y, i, s.n, s.e));
    }
    st.wait();
  } catch (const dnnl::error& e) {
    return fail(env, std::string("oneDNN: ") + e.what());
  }
  return nullptr;
}

// attentionBackward(dy, q, k, v, beta, dq, dk, dv, [B, N, M, D, E]) writes the three gradients.
napi_value Backward(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  auto* ctx = args<Context>(env, info, argv, 9, "attentionBackward(dy, q, k, v, beta, dq, dk, dv, dims)");
  Shape s;
  if (!ctx || !shapeOf(env, argv[8], &s, "attentionBackward")) return nullptr;
  const size_t sizes[8] = {size_t(s.b * s.n * s.e), size_t(s.b * s.n * s.d), size_t(s.b * s.m * s.d), size_t(s.b * s.m * s.e),
                           size_t(s.b * s.n * s.m), size_t(s.b * s.n * s.d), size_t(s.b * s.m * s.d), size_t(s.b * s.m * s.e)};
  const char* names[8] = {"dy", "q", "k", "v", "beta", "dq", "dk", "dv"};
  float* t[8];
  for (int i = 0; i < 8; i++)
    if (!(t[i] = floats(env, argv[i], sizes[i], std::string("attentionBackward: ") + names[i]))) return nullptr;
  auto [dy, q, k, v, beta, dq, dk, dv] = t;
  try {
    omp_set_num_threads(1);
    Prims& p = primsFor(*ctx, s);
    dnnl::stream st(ctx->eng);
    const auto map = dense(1, s.n, s.m);
    ctx->scratch.resize(s.n * s.m);
    float* g = ctx->scratch.data();
    memory gm(map, ctx->eng, g);
    for (int64_t i = 0; i < s.b; i++) {
      float *dyi = image(dy, i, s.n, s.e), *qi = image(q, i, s.n, s.d), *bi = image(beta, i, s.n, s.m);
      mm(*ctx, st, p.dBeta, dense(1, s.n, s.e), dyi, transposed(1, s.m, s.e), image(v, i, s.m, s.e), map, g);
      p.softmaxBackward.execute(st, {{DNNL_ARG_DST, memory(map, ctx->eng, bi)}, {DNNL_ARG_DIFF_DST, gm}, {DNNL_ARG_DIFF_SRC, gm}});
      mm(*ctx, st, p.dq, map, g, dense(1, s.m, s.d), image(k, i, s.m, s.d), dense(1, s.n, s.d), image(dq, i, s.n, s.d));
      mm(*ctx, st, p.dk, transposed(1, s.n, s.m), g, dense(1, s.n, s.d), qi, dense(1, s.m, s.d), image(dk, i, s.m, s.d));
      mm(*ctx, st, p.dv, transposed(1, s.n, s.m), bi, dense(1, s.n, s.e), dyi, dense(1, s.m, s.e), image(dv, i, s.m, s.e));
    }
    st.wait();
  } catch (const dnnl::error& e) {
    return fail(env, std::string("oneDNN: ") + e.what());
  }
  return nullptr;
}

}  // namespace

void exportAttention(napi_env env, napi_value exports) {
  auto* ctx = owned<Context>(env);
  exportFunction(env, exports, "attentionForward", Forward, ctx);
  exportFunction(env, exports, "attentionBackward", Backward, ctx);
}

}  // namespace sagan
