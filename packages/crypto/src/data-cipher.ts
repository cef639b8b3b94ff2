import sodium from 'sodium-native'
import binding from 'sodium-native/binding.js'
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, CIPHER_KEY_BYTES, MAX_COUNTER } from './constants.js'
import { CryptoError } from './errors.js'

// The data-path AEAD: ChaCha20-Poly1305-IETF (RFC 8439), in place, detached tag.
//
//   nonce (12 bytes) = 00 00 00 00 | counter, 64-bit little-endian
//
// Byte-identical to OpenSSL's EVP_chacha20_poly1305 with the same 12-byte IV, so a native fast
// path can seal what this opens and the reverse. Per packet (seal/open):
//   1. check offsets, lengths and counter (-1 when out of range, never a throw)
//   2. write the counter into the preallocated nonce
//   3. take views of message, tag and ad (small view objects: sodium-native takes no offsets)
//   4. call libsodium; when open() fails, libsodium zeroes the message bytes (drop the packet)

type Bytes = Uint8Array

/** The two AEAD calls in the shape the data path needs: both return a status, never throw. */
interface Aead {
  /** Encrypts `m` into `c` (may be the same view) and writes the tag into `mac`; returns 16. */
  encrypt(c: Bytes, mac: Bytes, m: Bytes, ad: Bytes | undefined, nonce: Bytes, key: Bytes): number
  /** Verifies `mac`, then decrypts `c` into `m` (may be the same view); 0 on success, -1 otherwise. */
  decrypt(m: Bytes, c: Bytes, mac: Bytes, ad: Bytes | undefined, nonce: Bytes, key: Bytes): number
}

/**
 * The raw addon functions when they behave as expected (no exception, hence no allocation, on
 * a forged packet), else the public wrappers with the exception caught. Checked once at load.
 */
const AEAD: Aead = rawAead() ?? wrappedAead()

export class DataCipher {
  readonly #key: Uint8Array
  readonly #nonce: Uint8Array
  readonly #counter: DataView

  /** `key` (32 bytes) is copied. Throws `ERR_BAD_KEY` for a wrong length (control path). */
  constructor(key: Uint8Array) {
    if (key.byteLength !== CIPHER_KEY_BYTES) {
      throw new CryptoError('ERR_BAD_KEY', `a data key is ${CIPHER_KEY_BYTES} bytes, got ${key.byteLength}`)
    }
    this.#key = Uint8Array.from(key)
    this.#nonce = new Uint8Array(AEAD_NONCE_BYTES)
    this.#counter = new DataView(this.#nonce.buffer, 4, 8)
  }

  /**
   * Encrypts `buf[msgOffset, +msgLength)` in place under `counter`, authenticating
   * `ad[adOffset, +adLength)`, and writes the 16-byte tag right after the message. Returns the
   * ciphertext length (msgLength + 16), or -1 when a range or the counter is invalid or `buf`
   * has no room for the tag.
   */
  seal(
    buf: Buffer,
    msgOffset: number,
    msgLength: number,
    ad: Buffer,
    adOffset: number,
    adLength: number,
    counter: bigint,
  ): number {
    if (!inRange(msgOffset, msgLength, buf.byteLength - AEAD_TAG_BYTES)) return -1
    if (!inRange(adOffset, adLength, ad.byteLength) || !this.#setCounter(counter)) return -1
    const message = new Uint8Array(buf.buffer, buf.byteOffset + msgOffset, msgLength)
    const tag = new Uint8Array(buf.buffer, buf.byteOffset + msgOffset + msgLength, AEAD_TAG_BYTES)
    const status = AEAD.encrypt(message, tag, message, adView(ad, adOffset, adLength), this.#nonce, this.#key)
    return status < 0 ? -1 : msgLength + AEAD_TAG_BYTES
  }

  /**
   * Verifies and decrypts `buf[ctOffset, +ctLength)` (ciphertext then tag) in place under
   * `counter` with `ad[adOffset, +adLength)`. Returns the plaintext length (ctLength - 16),
   * or -1 on authentication failure or invalid ranges. After a failed authentication the
   * ciphertext bytes are zeroed (libsodium wipes the output): the packet can only be dropped.
   */
  open(
    buf: Buffer,
    ctOffset: number,
    ctLength: number,
    ad: Buffer,
    adOffset: number,
    adLength: number,
    counter: bigint,
  ): number {
    if (!inRange(ctOffset, ctLength, buf.byteLength) || ctLength < AEAD_TAG_BYTES) return -1
    if (!inRange(adOffset, adLength, ad.byteLength) || !this.#setCounter(counter)) return -1
    const plainLength = ctLength - AEAD_TAG_BYTES
    const message = new Uint8Array(buf.buffer, buf.byteOffset + ctOffset, plainLength)
    const tag = new Uint8Array(buf.buffer, buf.byteOffset + ctOffset + plainLength, AEAD_TAG_BYTES)
    const status = AEAD.decrypt(message, message, tag, adView(ad, adOffset, adLength), this.#nonce, this.#key)
    return status === 0 ? plainLength : -1
  }

  /** Zeroes the key: every later open fails. */
  destroy(): void {
    sodium.sodium_memzero(this.#key)
  }

  #setCounter(counter: bigint): boolean {
    if (typeof counter !== 'bigint' || counter < 0n || counter > MAX_COUNTER) return false
    this.#counter.setBigUint64(0, counter, true)
    return true
  }
}

/** True when [offset, offset + length) is a valid range of a buffer of `total` bytes. */
function inRange(offset: number, length: number, total: number): boolean {
  return offset >>> 0 === offset && length >>> 0 === length && offset + length <= total
}

function adView(ad: Buffer, offset: number, length: number): Bytes | undefined {
  if (length === 0) return undefined
  if (offset === 0 && length === ad.byteLength) return ad
  return new Uint8Array(ad.buffer, ad.byteOffset + offset, length)
}

function wrappedAead(): Aead {
  return {
    encrypt(c, mac, m, ad, nonce, key) {
      return sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, mac, m, ad, null, nonce, key)
    },
    decrypt(m, c, mac, ad, nonce, key) {
      try {
        sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, null, c, mac, ad, nonce, key)
        return 0
      } catch {
        return -1
      }
    },
  }
}

/** The addon's own functions, if a known-answer self test shows they match the wrappers. */
function rawAead(): Aead | null {
  const encrypt = binding.crypto_aead_chacha20poly1305_ietf_encrypt_detached
  const decrypt = binding.crypto_aead_chacha20poly1305_ietf_decrypt_detached
  if (typeof encrypt !== 'function' || typeof decrypt !== 'function') return null
  const aead: Aead = {
    encrypt: encrypt as Aead['encrypt'],
    decrypt: decrypt as Aead['decrypt'],
  }
  try {
    return selfTest(aead) ? aead : null
  } catch {
    return null
  }
}

function selfTest(aead: Aead): boolean {
  const key = new Uint8Array(CIPHER_KEY_BYTES).fill(0x42)
  const nonce = new Uint8Array(AEAD_NONCE_BYTES).fill(0x07)
  const ad = Uint8Array.of(1, 2, 3)
  const plain = Buffer.from('weft data cipher self test')
  const expected = Buffer.alloc(plain.length + AEAD_TAG_BYTES)
  sodium.crypto_aead_chacha20poly1305_ietf_encrypt(expected, plain, ad, null, nonce, key)
  const buf = Buffer.concat([plain, Buffer.alloc(AEAD_TAG_BYTES)])
  const message = buf.subarray(0, plain.length)
  const tag = buf.subarray(plain.length)
  if (aead.encrypt(message, tag, message, ad, nonce, key) !== AEAD_TAG_BYTES || !buf.equals(expected)) return false
  if (aead.decrypt(message, message, tag, ad, nonce, key) !== 0 || !message.equals(plain)) return false
  aead.encrypt(message, tag, message, ad, nonce, key)
  tag[0] ^= 1
  return aead.decrypt(message, message, tag, ad, nonce, key) === -1
}
