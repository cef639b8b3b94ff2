import sodium from 'sodium-native'
import { CipherState } from './cipher-state.js'
import { CIPHER_KEY_BYTES, HASH_BYTES } from './constants.js'
import { CryptoError } from './errors.js'
import { hash, hkdf } from './hkdf.js'

/**
 * A Noise SymmetricState (spec rev 34, section 5.2) for BLAKE2b: chaining key `ck`, handshake
 * hash `h` and a CipherState that has no key until the first MixKey. Internal to the handshake.
 */
export class SymmetricState {
  #ck: Buffer
  #h: Buffer
  #cipher: CipherState | null = null

  /** InitializeSymmetric(protocol_name). */
  constructor(protocolName: string) {
    const name = Buffer.from(protocolName, 'utf8')
    if (name.length <= HASH_BYTES) {
      this.#h = Buffer.alloc(HASH_BYTES)
      name.copy(this.#h)
    } else {
      this.#h = hash(name)
    }
    this.#ck = Buffer.from(this.#h)
  }

  get hasKey(): boolean {
    return this.#cipher !== null
  }

  /** GetHandshakeHash(): a copy of h. */
  get handshakeHash(): Buffer {
    return Buffer.from(this.#h)
  }

  /** A copy of the chaining key (to derive weft's data keys after the last message). */
  get chainingKey(): Buffer {
    return Buffer.from(this.#ck)
  }

  mixHash(data: Uint8Array): void {
    this.#h = hash(this.#h, data)
  }

  mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, tempK] = hkdf(this.#ck, inputKeyMaterial, 2)
    this.#replaceCk(ck)
    this.#setKey(tempK)
  }

  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [ck, tempH, tempK] = hkdf(this.#ck, inputKeyMaterial, 3)
    this.#replaceCk(ck)
    this.mixHash(tempH)
    this.#setKey(tempK)
  }

  /** EncryptAndHash: encrypts with ad = h when a key is set, then mixes the ciphertext into h. */
  encryptAndHash(plaintext: Uint8Array): Buffer {
    const out = this.#cipher === null ? Buffer.from(plaintext) : this.#cipher.encrypt(plaintext, this.#h)
    this.mixHash(out)
    return out
  }

  /**
   * DecryptAndHash. Throws `ERR_HANDSHAKE_DECRYPT` when the tag does not verify (h is then left
   * unchanged, but the caller must abandon the handshake).
   */
  decryptAndHash(ciphertext: Uint8Array): Buffer {
    let out: Buffer
    if (this.#cipher === null) {
      out = Buffer.from(ciphertext)
    } else {
      try {
        out = this.#cipher.decrypt(ciphertext, this.#h)
      } catch (err) {
        throw new CryptoError(
          'ERR_HANDSHAKE_DECRYPT',
          'a handshake message failed authentication: the peer has a different network secret, or the message was altered',
          { cause: err },
        )
      }
    }
    this.mixHash(ciphertext)
    return out
  }

  /** Split(): the initiator-to-responder and responder-to-initiator cipher states. */
  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf(this.#ck, Buffer.alloc(0), 2)
    const pair: [CipherState, CipherState] = [
      new CipherState(k1.subarray(0, CIPHER_KEY_BYTES)),
      new CipherState(k2.subarray(0, CIPHER_KEY_BYTES)),
    ]
    sodium.sodium_memzero(k1)
    sodium.sodium_memzero(k2)
    return pair
  }

  /** Zeroes the chaining key and drops the cipher. */
  destroy(): void {
    sodium.sodium_memzero(this.#ck)
    this.#cipher?.destroy()
    this.#cipher = null
  }

  #replaceCk(ck: Buffer): void {
    sodium.sodium_memzero(this.#ck)
    this.#ck = ck
  }

  #setKey(tempK: Buffer): void {
    this.#cipher?.destroy()
    this.#cipher = new CipherState(tempK.subarray(0, CIPHER_KEY_BYTES))
    sodium.sodium_memzero(tempK)
  }
}
