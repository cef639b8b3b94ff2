// NativeDataCipher: the JS face of DataAead (data-aead.h), for tests and the fast path's set-up.
#ifndef WEFT_NATIVE_DATA_CIPHER_H_
#define WEFT_NATIVE_DATA_CIPHER_H_

#include <napi.h>

namespace weft {
class DataAead;
Napi::Function DefineNativeDataCipher(Napi::Env env);
/** The DataAead inside a NativeDataCipher object; nullptr for any other value. */
DataAead* UnwrapDataAead(Napi::Value v);
}

#endif  // WEFT_NATIVE_DATA_CIPHER_H_
