/**
 * NativeReplayWindow: replay-window.h behind the calls of @weft/crypto's ReplayWindow
 * (check(counter), accept(counter), reset()). A counter that is not a bigint in [0, 2^64) is
 * refused (false), never thrown at.
 */
#include "native-replay-window.h"

#include "replay-window.h"

namespace weft {

const napi_type_tag kReplayTag = {0x7765667472706c79ULL, 0x2d77696e646f7731ULL};

namespace {

bool AsCounter(const Napi::CallbackInfo& info, uint64_t* out) {
  if (info.Length() < 1 || !info[0].IsBigInt()) return false;
  bool lossless = false;
  *out = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  return lossless;
}

class NativeReplayWindow : public Napi::ObjectWrap<NativeReplayWindow> {
 public:
  explicit NativeReplayWindow(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeReplayWindow>(info) {
    napi_type_tag_object(info.Env(), info.This(), &kReplayTag);
  }

  ReplayWindow* window() { return &window_; }

  Napi::Value Check(const Napi::CallbackInfo& info) {
    uint64_t c = 0;
    return Napi::Boolean::New(info.Env(), AsCounter(info, &c) && window_.Check(c));
  }

  Napi::Value Accept(const Napi::CallbackInfo& info) {
    uint64_t c = 0;
    return Napi::Boolean::New(info.Env(), AsCounter(info, &c) && window_.Accept(c));
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    window_.Reset();
    return info.Env().Undefined();
  }

 private:
  ReplayWindow window_;
};

}  // namespace

ReplayWindow* UnwrapReplayWindow(Napi::Value v) {
  if (!v.IsObject()) return nullptr;
  bool tagged = false;
  if (napi_check_object_type_tag(v.Env(), v, &kReplayTag, &tagged) != napi_ok || !tagged) return nullptr;
  NativeReplayWindow* w = NativeReplayWindow::Unwrap(v.As<Napi::Object>());
  return w == nullptr ? nullptr : w->window();
}

Napi::Function DefineNativeReplayWindow(Napi::Env env) {
  return NativeReplayWindow::DefineClass(env, "NativeReplayWindow",
                                         {
                                             NativeReplayWindow::InstanceMethod<&NativeReplayWindow::Check>("check"),
                                             NativeReplayWindow::InstanceMethod<&NativeReplayWindow::Accept>("accept"),
                                             NativeReplayWindow::InstanceMethod<&NativeReplayWindow::Reset>("reset"),
                                         });
}

}  // namespace weft
