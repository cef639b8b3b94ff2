// NativeReplayWindow: the JS face of replay-window.h, for tests and the fast path's set-up.
#ifndef WEFT_NATIVE_REPLAY_WINDOW_H_
#define WEFT_NATIVE_REPLAY_WINDOW_H_

#include <napi.h>

namespace weft {
Napi::Function DefineNativeReplayWindow(Napi::Env env);
}

#endif  // WEFT_NATIVE_REPLAY_WINDOW_H_
