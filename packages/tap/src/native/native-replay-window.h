// NativeReplayWindow: the JS face of replay-window.h, for tests and the fast path's set-up.
#ifndef WEFT_NATIVE_REPLAY_WINDOW_H_
#define WEFT_NATIVE_REPLAY_WINDOW_H_

#include <napi.h>

namespace weft {
class ReplayWindow;
Napi::Function DefineNativeReplayWindow(Napi::Env env);
/** The window inside a NativeReplayWindow object; nullptr for any other value. */
ReplayWindow* UnwrapReplayWindow(Napi::Value v);
}

#endif  // WEFT_NATIVE_REPLAY_WINDOW_H_
