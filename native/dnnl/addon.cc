// sagan_dnnl: the engine's oneDNN kernels for the CPU backends (engine/ops/native/).
#include "kernels.h"

NAPI_MODULE_INIT() {
  sagan::exportConv(env, exports);
  sagan::exportAttention(env, exports);
  sagan::exportPool(env, exports);
  return exports;
}
