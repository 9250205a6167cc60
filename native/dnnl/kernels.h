// The addon's kernel families, each registering its functions on the module's exports.
#pragma once
#include <node_api.h>

namespace sagan {
void exportConv(napi_env env, napi_value exports);       // conv.cc
void exportAttention(napi_env env, napi_value exports);  // attention.cc
void exportPool(napi_env env, napi_value exports);       // pool.cc
}  // namespace sagan
