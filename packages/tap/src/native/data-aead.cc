// DataAead: see data-aead.h.
#include "data-aead.h"

#include <climits>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace weft {

DataAead::DataAead(const uint8_t key[kAeadKeyBytes]) {
  std::memcpy(key_, key, kAeadKeyBytes);
  std::memset(nonce_, 0, sizeof nonce_);
  enc_ = EVP_CIPHER_CTX_new();
  dec_ = EVP_CIPHER_CTX_new();
  // Bind the cipher once; per packet only key and IV are set (no allocation after this).
  if (enc_ != nullptr && EVP_EncryptInit_ex(enc_, EVP_chacha20_poly1305(), nullptr, nullptr, nullptr) != 1) {
    EVP_CIPHER_CTX_free(enc_);
    enc_ = nullptr;
  }
  if (dec_ != nullptr && EVP_DecryptInit_ex(dec_, EVP_chacha20_poly1305(), nullptr, nullptr, nullptr) != 1) {
    EVP_CIPHER_CTX_free(dec_);
    dec_ = nullptr;
  }
}

DataAead::~DataAead() {
  Wipe();
  EVP_CIPHER_CTX_free(enc_);
  EVP_CIPHER_CTX_free(dec_);
}

void DataAead::Wipe() {
  OPENSSL_cleanse(key_, sizeof key_);
  wiped_ = true;
}

void DataAead::Nonce(uint64_t counter) {
  for (int i = 0; i < 8; i++) nonce_[4 + i] = static_cast<uint8_t>(counter >> (8 * i));
}

long DataAead::Seal(uint8_t* msg, size_t len, uint8_t* tag, const uint8_t* ad, size_t ad_len, uint64_t counter) {
  if (!ok() || wiped_ || len > INT_MAX || ad_len > INT_MAX) return -1;
  Nonce(counter);
  int out = 0;
  if (EVP_EncryptInit_ex(enc_, nullptr, nullptr, key_, nonce_) != 1) return -1;
  if (ad_len > 0 && EVP_EncryptUpdate(enc_, nullptr, &out, ad, static_cast<int>(ad_len)) != 1) return -1;
  if (len > 0 && EVP_EncryptUpdate(enc_, msg, &out, msg, static_cast<int>(len)) != 1) return -1;
  if (EVP_EncryptFinal_ex(enc_, msg + len, &out) != 1) return -1;
  if (EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_AEAD_GET_TAG, kAeadTagBytes, tag) != 1) return -1;
  return static_cast<long>(len + kAeadTagBytes);
}

long DataAead::Open(uint8_t* msg, size_t len, const uint8_t* tag, const uint8_t* ad, size_t ad_len, uint64_t counter) {
  if (!ok() || wiped_ || len > INT_MAX || ad_len > INT_MAX) return -1;
  Nonce(counter);
  int out = 0;
  uint8_t tag_copy[kAeadTagBytes];
  std::memcpy(tag_copy, tag, kAeadTagBytes);
  bool good = EVP_DecryptInit_ex(dec_, nullptr, nullptr, key_, nonce_) == 1 &&
              EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_AEAD_SET_TAG, kAeadTagBytes, tag_copy) == 1 &&
              (ad_len == 0 || EVP_DecryptUpdate(dec_, nullptr, &out, ad, static_cast<int>(ad_len)) == 1) &&
              (len == 0 || EVP_DecryptUpdate(dec_, msg, &out, msg, static_cast<int>(len)) == 1) &&
              EVP_DecryptFinal_ex(dec_, msg + len, &out) == 1;
  if (!good) {
    // OpenSSL has already written the (unauthenticated) plaintext: wipe it.
    OPENSSL_cleanse(msg, len);
    return -1;
  }
  return static_cast<long>(len);
}

}  // namespace weft
