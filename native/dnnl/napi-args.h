// Argument checks shared by the addon's functions: every operand is a Float32Array of an exact
// length (the caller passes views of the wasm backend's heap), and every failure throws a
// JavaScript error that names the function and the argument.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <string>

namespace sagan {

inline napi_value fail(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

/** argv[i] as a Float32Array of exactly n elements, else nullptr (and an error is thrown). */
inline float* floats(napi_env env, napi_value v, size_t n, const std::string& what) {
  napi_typedarray_type type;
  size_t length, offset;
  void* ptr;
  napi_value buffer;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &buffer, &offset) != napi_ok || type != napi_float32_array || length != n) {
    fail(env, what + " must be a Float32Array of " + std::to_string(n));
    return nullptr;
  }
  return static_cast<float*>(ptr);
}

/** v as n positive integers into d, else false (and an error is thrown). */
inline bool dims(napi_env env, napi_value v, int64_t* d, uint32_t n, const std::string& what) {
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    if (napi_get_element(env, v, i, &e) != napi_ok || napi_get_value_int64(env, e, &d[i]) != napi_ok || d[i] <= 0) {
      fail(env, what + " must be " + std::to_string(n) + " positive integers");
      return false;
    }
  }
  return true;
}

/** The function's arguments and its context (one per JavaScript environment), if there are exactly n. */
template <typename Context>
inline Context* args(napi_env env, napi_callback_info info, napi_value* argv, size_t n, const std::string& usage) {
  size_t argc = n;
  void* raw;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &raw);
  if (argc != n) {
    fail(env, usage + ": " + std::to_string(n) + " arguments");
    return nullptr;
  }
  return static_cast<Context*>(raw);
}

/** A context of the addon's, freed with the JavaScript environment (each worker thread has its own). */
template <typename Context>
inline Context* owned(napi_env env) {
  auto* ctx = new Context();
  napi_add_env_cleanup_hook(env, [](void* c) { delete static_cast<Context*>(c); }, ctx);
  return ctx;
}

inline void exportFunction(napi_env env, napi_value exports, const char* name, napi_callback cb, void* ctx) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, ctx, &fn);
  napi_set_named_property(env, exports, name, fn);
}

}  // namespace sagan
