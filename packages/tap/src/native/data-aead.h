/**
 * DataAead: the data path's AEAD in C++ (ChaCha20-Poly1305-IETF, RFC 8439) through OpenSSL's
 * EVP interface, which node links in and exports (node-gyp builds against its headers).
 *
 *   nonce (12 bytes) = 00 00 00 00 | counter, 64-bit little-endian
 *
 * Byte-identical to @weft/crypto's DataCipher (libsodium's
 * crypto_aead_chacha20poly1305_ietf_*_detached): same key, nonce, associated data and
 * plaintext give the same ciphertext and tag (test/native-data-cipher.spec.ts checks both
 * directions). In place, tag detached right after the message, as DataCipher does.
 *
 * No allocation per packet: the EVP context is created once (constructor) and re-keyed per call.
 * Seal/Open never throw; they return -1 on any failure (bad tag, counter out of range, OpenSSL
 * error). On a failed Open the message bytes are zeroed, as libsodium does, so a caller cannot
 * use unauthenticated plaintext by mistake.
 */
#ifndef WEFT_DATA_AEAD_H_
#define WEFT_DATA_AEAD_H_

#include <cstddef>
#include <cstdint>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace weft {

constexpr size_t kAeadKeyBytes = 32;
constexpr size_t kAeadTagBytes = 16;
constexpr size_t kAeadNonceBytes = 12;
// Same bound as @weft/crypto's MAX_COUNTER (2^64 - 1): every u64 is a valid counter.
class DataAead {
 public:
  explicit DataAead(const uint8_t key[kAeadKeyBytes]);
  ~DataAead();
  DataAead(const DataAead&) = delete;
  DataAead& operator=(const DataAead&) = delete;

  /** False when OpenSSL could not create the context (out of memory). */
  bool ok() const { return enc_ != nullptr && dec_ != nullptr; }

  /** Encrypts msg[0, len) in place, writes the tag to `tag`; returns len + 16 or -1. */
  long Seal(uint8_t* msg, size_t len, uint8_t* tag, const uint8_t* ad, size_t ad_len, uint64_t counter);

  /** Verifies `tag` and decrypts msg[0, len) in place; returns len, or -1 (msg zeroed). */
  long Open(uint8_t* msg, size_t len, const uint8_t* tag, const uint8_t* ad, size_t ad_len, uint64_t counter);

  /** Zeroes the key; every later call fails. */
  void Wipe();

 private:
  void Nonce(uint64_t counter);
  uint8_t key_[kAeadKeyBytes];
  uint8_t nonce_[kAeadNonceBytes];
  bool wiped_ = false;
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
};

}  // namespace weft

#endif  // WEFT_DATA_AEAD_H_
