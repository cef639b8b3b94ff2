/**
 * NativeDataCipher(key): DataAead behind the same calls as @weft/crypto's DataCipher.
 *
 *   seal(buf, msgOffset, msgLength, ad, adOffset, adLength, counter: bigint) -> length | -1
 *   open(buf, ctOffset, ctLength, ad, adOffset, adLength, counter: bigint)   -> length | -1
 *   destroy()
 *
 * Every argument is checked before any byte is touched: Buffers (or Uint8Arrays), offsets and
 * lengths u32 and inside their buffer (seal also needs 16 bytes of room for the tag), counter a
 * bigint in [0, 2^64). Anything else returns -1, never throws (the constructor throws a
 * TypeError for a key that is not 32 bytes). Nothing is allocated per call beyond N-API's
 * handles.
 */
#include "native-data-cipher.h"

#include <cstdint>
#include <memory>

#include "data-aead.h"

namespace weft {

// Tags the wrapper objects so the fast path can tell them from any other object it is handed.
const napi_type_tag kCipherTag = {0x7765667463697068ULL, 0x65722d6461746131ULL};

namespace {

struct Span {
  uint8_t* data = nullptr;
  size_t size = 0;
};

bool AsBytes(const Napi::Value& v, Span* out) {
  if (!v.IsTypedArray()) return false;
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) return false;
  Napi::Uint8Array u8 = v.As<Napi::Uint8Array>();
  out->data = u8.Data();
  out->size = u8.ByteLength();
  return true;
}

bool AsU32(const Napi::Value& v, size_t* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d))) return false;
  *out = static_cast<size_t>(d);
  return true;
}

bool AsCounter(const Napi::Value& v, uint64_t* out) {
  if (!v.IsBigInt()) return false;
  bool lossless = false;
  uint64_t c = v.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) return false;  // negative or >= 2^64
  *out = c;
  return true;
}

class NativeDataCipher : public Napi::ObjectWrap<NativeDataCipher> {
 public:
  explicit NativeDataCipher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeDataCipher>(info) {
    Span key;
    if (info.Length() < 1 || !AsBytes(info[0], &key) || key.size != kAeadKeyBytes) {
      Napi::TypeError::New(info.Env(), "NativeDataCipher: the key must be a 32-byte Uint8Array").ThrowAsJavaScriptException();
      return;
    }
    aead_ = std::make_unique<DataAead>(key.data);
    napi_type_tag_object(info.Env(), info.This(), &kCipherTag);
    if (!aead_->ok()) Napi::Error::New(info.Env(), "NativeDataCipher: OpenSSL could not create a context").ThrowAsJavaScriptException();
  }

  Napi::Value Seal(const Napi::CallbackInfo& info) { return Run(info, true); }
  Napi::Value Open(const Napi::CallbackInfo& info) { return Run(info, false); }

  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    if (aead_) aead_->Wipe();
    return info.Env().Undefined();
  }

 private:
  Napi::Value Run(const Napi::CallbackInfo& info, bool seal) {
    Napi::Env env = info.Env();
    Napi::Number fail = Napi::Number::New(env, -1);
    Span buf, ad;
    size_t off = 0, len = 0, ad_off = 0, ad_len = 0;
    uint64_t counter = 0;
    if (!aead_ || info.Length() < 7 || !AsBytes(info[0], &buf) || !AsU32(info[1], &off) || !AsU32(info[2], &len) ||
        !AsBytes(info[3], &ad) || !AsU32(info[4], &ad_off) || !AsU32(info[5], &ad_len) || !AsCounter(info[6], &counter)) {
      return fail;
    }
    if (ad_off > ad.size || ad_len > ad.size - ad_off || off > buf.size || len > buf.size - off) return fail;
    const uint8_t* adp = ad.data + ad_off;
    if (seal) {
      if (buf.size - off - len < kAeadTagBytes) return fail;
      uint8_t* msg = buf.data + off;
      return Napi::Number::New(env, static_cast<double>(aead_->Seal(msg, len, msg + len, adp, ad_len, counter)));
    }
    if (len < kAeadTagBytes) return fail;
    size_t plain = len - kAeadTagBytes;
    uint8_t* msg = buf.data + off;
    return Napi::Number::New(env, static_cast<double>(aead_->Open(msg, plain, msg + plain, adp, ad_len, counter)));
  }

  std::unique_ptr<DataAead> aead_;

 public:
  DataAead* aead() const { return aead_.get(); }
};

}  // namespace

DataAead* UnwrapDataAead(Napi::Value v) {
  if (!v.IsObject()) return nullptr;
  bool tagged = false;
  if (napi_check_object_type_tag(v.Env(), v, &kCipherTag, &tagged) != napi_ok || !tagged) return nullptr;
  NativeDataCipher* c = NativeDataCipher::Unwrap(v.As<Napi::Object>());
  return c == nullptr ? nullptr : c->aead();
}

Napi::Function DefineNativeDataCipher(Napi::Env env) {
  return NativeDataCipher::DefineClass(env, "NativeDataCipher",
                                       {
                                           NativeDataCipher::InstanceMethod<&NativeDataCipher::Seal>("seal"),
                                           NativeDataCipher::InstanceMethod<&NativeDataCipher::Open>("open"),
                                           NativeDataCipher::InstanceMethod<&NativeDataCipher::Destroy>("destroy"),
                                       });
}

}  // namespace weft
