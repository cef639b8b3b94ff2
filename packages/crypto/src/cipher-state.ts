import sodium from 'sodium-native'
import {
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  CIPHER_KEY_BYTES,
  CIPHER_STATE_MAX_NONCE,
  MAX_MESSAGE_BYTES,
} from './constants.js'
import { CryptoError } from './errors.js'

const EMPTY = Buffer.alloc(0)
const TWO_POW_32 = 2 ** 32

/**
 * A Noise CipherState (spec rev 34, section 5.1) with a key: ChaCha20-Poly1305-IETF, nonce =
 * 4 zero bytes then the 64-bit message counter little-endian. `Handshake.split()` returns one
 * per direction for the control channel; messages must be decrypted in the order they were
 * encrypted (a reliable stream). Control path: allocates per message and throws on failure.
 */
export class CipherState {
  readonly #key: Buffer
  readonly #nonceBytes = Buffer.alloc(AEAD_NONCE_BYTES)
  #nonce = 0

  /** `key` (32 bytes) is copied. */
  constructor(key: Uint8Array) {
    if (key.byteLength !== CIPHER_KEY_BYTES) {
      throw new CryptoError('ERR_BAD_KEY', `a cipher key is ${CIPHER_KEY_BYTES} bytes, got ${key.byteLength}`)
    }
    this.#key = Buffer.from(key)
  }

  /** The nonce the next encrypt or decrypt uses (= messages processed so far). */
  get nonce(): number {
    return this.#nonce
  }

  /** Noise's SetNonce, for tests and explicit resynchronisation. */
  setNonce(nonce: number): void {
    if (!Number.isSafeInteger(nonce) || nonce < 0) {
      throw new CryptoError('ERR_BAD_ARGUMENT', `a nonce is an integer in [0, 2^53), got ${nonce}`)
    }
    this.#nonce = nonce
  }

  /**
   * Encrypts `plaintext` with the next nonce: ciphertext then 16-byte tag. Throws
   * `ERR_MESSAGE_TOO_LARGE` above 65535 bytes out and `ERR_NONCE_EXHAUSTED` when out of nonces.
   */
  encrypt(plaintext: Uint8Array, ad: Uint8Array = EMPTY): Buffer {
    if (plaintext.byteLength + AEAD_TAG_BYTES > MAX_MESSAGE_BYTES) {
      throw new CryptoError(
        'ERR_MESSAGE_TOO_LARGE',
        `a message of ${plaintext.byteLength} bytes does not fit in ${MAX_MESSAGE_BYTES} bytes with its tag; split it`,
      )
    }
    if (this.#nonce >= CIPHER_STATE_MAX_NONCE) {
      throw new CryptoError('ERR_NONCE_EXHAUSTED', 'this cipher state used its last nonce; handshake again')
    }
    const out = Buffer.alloc(plaintext.byteLength + AEAD_TAG_BYTES)
    sodium.crypto_aead_chacha20poly1305_ietf_encrypt(out, plaintext, ad, null, this.#writeNonce(), this.#key)
    this.#nonce++
    return out
  }

  /**
   * Decrypts and authenticates `ciphertext` (tag included) with the next nonce. Throws
   * `ERR_DECRYPT` on any failure; the nonce only advances on success.
   */
  decrypt(ciphertext: Uint8Array, ad: Uint8Array = EMPTY): Buffer {
    if (ciphertext.byteLength < AEAD_TAG_BYTES || ciphertext.byteLength > MAX_MESSAGE_BYTES) {
      throw new CryptoError(
        'ERR_DECRYPT',
        `a ciphertext of ${ciphertext.byteLength} bytes is outside [${AEAD_TAG_BYTES}, ${MAX_MESSAGE_BYTES}]; close the connection`,
      )
    }
    if (this.#nonce >= CIPHER_STATE_MAX_NONCE) {
      throw new CryptoError('ERR_NONCE_EXHAUSTED', 'this cipher state used its last nonce; handshake again')
    }
    const out = Buffer.alloc(ciphertext.byteLength - AEAD_TAG_BYTES)
    try {
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt(out, null, ciphertext, ad, this.#writeNonce(), this.#key)
    } catch (err) {
      throw new CryptoError(
        'ERR_DECRYPT',
        'a message failed authentication (tampered, reordered, or from another session); close the connection',
        { cause: err },
      )
    }
    this.#nonce++
    return out
  }

  /** Noise's Rekey(): the key becomes the first 32 bytes of ENCRYPT(k, 2^64-1, empty, zeros). */
  rekey(): void {
    const nonce = Buffer.alloc(AEAD_NONCE_BYTES, 0xff)
    nonce.fill(0, 0, 4)
    const out = Buffer.alloc(CIPHER_KEY_BYTES + AEAD_TAG_BYTES)
    sodium.crypto_aead_chacha20poly1305_ietf_encrypt(out, Buffer.alloc(CIPHER_KEY_BYTES), EMPTY, null, nonce, this.#key)
    out.copy(this.#key, 0, 0, CIPHER_KEY_BYTES)
    sodium.sodium_memzero(out)
  }

  /** Zeroes the key; the state is unusable afterwards. */
  destroy(): void {
    sodium.sodium_memzero(this.#key)
    this.#nonce = CIPHER_STATE_MAX_NONCE
  }

  #writeNonce(): Buffer {
    const n = this.#nonce
    this.#nonceBytes.writeUInt32LE(n % TWO_POW_32, 4)
    this.#nonceBytes.writeUInt32LE(Math.floor(n / TWO_POW_32), 8)
    return this.#nonceBytes
  }
}
