import sodium from 'sodium-native'
import { DH_KEY_BYTES } from './constants.js'
import { CryptoError } from './errors.js'

/** An X25519 key pair (Noise's DH functions for the 25519 suite). */
export interface DhKeyPair {
  publicKey: Buffer
  secretKey: Buffer
}

/** A fresh random X25519 key pair. */
export function generateDhKeyPair(): DhKeyPair {
  const publicKey = Buffer.alloc(DH_KEY_BYTES)
  const secretKey = Buffer.alloc(DH_KEY_BYTES)
  sodium.crypto_box_keypair(publicKey, secretKey)
  return { publicKey, secretKey }
}

/**
 * The X25519 key pair of a 32-byte secret (copied; X25519 clamps it when used). Throws
 * `ERR_BAD_KEY` for a wrong length.
 */
export function dhKeyPairFromSecret(secret: Uint8Array): DhKeyPair {
  if (secret.byteLength !== DH_KEY_BYTES) {
    throw new CryptoError('ERR_BAD_KEY', `an X25519 secret key is ${DH_KEY_BYTES} bytes, got ${secret.byteLength}`)
  }
  const secretKey = Buffer.from(secret)
  const publicKey = Buffer.alloc(DH_KEY_BYTES)
  sodium.crypto_scalarmult_base(publicKey, secretKey)
  return { publicKey, secretKey }
}

/**
 * X25519(secretKey, publicKey). libsodium refuses a public key of small order (the shared
 * secret would be all zeros); that is reported as `ERR_HANDSHAKE_MALFORMED`, since the only
 * public keys this sees come from a peer's handshake message.
 */
export function dh(secretKey: Uint8Array, publicKey: Uint8Array): Buffer {
  const shared = Buffer.alloc(DH_KEY_BYTES)
  try {
    sodium.crypto_scalarmult(shared, secretKey, publicKey)
  } catch (err) {
    throw new CryptoError(
      'ERR_HANDSHAKE_MALFORMED',
      'the peer sent an invalid X25519 public key (small order); drop the connection',
      { cause: err },
    )
  }
  return shared
}
