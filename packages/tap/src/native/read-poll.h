// Polling a file descriptor for reading on Node's event loop: shared by the TAP device and the
// fast path, whose per-packet work runs in the poll callback on the JS thread (no locks).
#pragma once

#include <napi.h>
#include <uv.h>

#include <string>

namespace weft {

// Stops and closes *poll (if any); the handle is freed once libuv is done with it.
inline void CloseReadPoll(uv_poll_t** poll) {
  if (*poll == nullptr) return;
  (*poll)->data = nullptr;
  uv_poll_stop(*poll);
  uv_close(reinterpret_cast<uv_handle_t*>(*poll), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
  *poll = nullptr;
}

// Starts polling `fd` for reading with `cb` (handle data = `data`), unless *poll already runs.
// Returns 0 or a libuv error code, in which case *poll is left null.
inline int StartReadPoll(napi_env env, int fd, uv_poll_t** poll, void* data, uv_poll_cb cb, bool ref) {
  if (*poll != nullptr) return 0;
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  *poll = new uv_poll_t;
  int rc = uv_poll_init(loop, *poll, fd);
  if (rc != 0) {
    delete *poll;  // not in the loop's handle queue
    *poll = nullptr;
    return rc;
  }
  (*poll)->data = data;
  rc = uv_poll_start(*poll, UV_READABLE, cb);
  if (rc != 0) {
    CloseReadPoll(poll);
    return rc;
  }
  if (!ref) uv_unref(reinterpret_cast<uv_handle_t*>(*poll));
  return 0;
}

// The body of a `start(callback)` method: validates the callback, keeps it in *callback and
// starts polling (once; a later call only replaces the callback). Throws into JS on error.
inline Napi::Value StartPolling(const Napi::CallbackInfo& info, int fd, const char* closed_message,
                                Napi::FunctionReference* callback, uv_poll_t** poll, void* data,
                                uv_poll_cb cb, bool ref) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Napi::TypeError::New(env, "start(callback): callback must be a function").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (fd < 0) {
    Napi::Error::New(env, closed_message).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  *callback = Napi::Persistent(info[0].As<Napi::Function>());
  int rc = StartReadPoll(env, fd, poll, data, cb, ref);
  if (rc != 0) {
    callback->Reset();
    Napi::Error::New(env, std::string("start(): uv_poll: ") + uv_strerror(rc)).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

}  // namespace weft
