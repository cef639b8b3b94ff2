// NativeDataCipher: the JS face of DataAead (data-aead.h), for tests and the fast path's set-up.
#ifndef WEFT_NATIVE_DATA_CIPHER_H_
#define WEFT_NATIVE_DATA_CIPHER_H_

#include <napi.h>

namespace weft {
Napi::Function DefineNativeDataCipher(Napi::Env env);
}

#endif  // WEFT_NATIVE_DATA_CIPHER_H_
