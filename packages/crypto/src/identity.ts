import sodium from 'sodium-native'
import {
  DH_KEY_BYTES,
  PUBLIC_KEY_BYTES,
  SECRET_KEY_BYTES,
  SEED_BYTES,
  SHORT_ID_HEX_CHARS,
  SIGNATURE_BYTES,
} from './constants.js'
import { CryptoError } from './errors.js'

/**
 * A router's long-term identity: an Ed25519 key pair (its peer name and Hyperswarm identity)
 * and the X25519 conversion of it, which is its Noise static key.
 */
export interface Identity {
  /** Ed25519 public key, 32 bytes: the peer's name. */
  publicKey: Buffer
  /** Ed25519 secret key, 64 bytes (seed then public key, libsodium layout). */
  secretKey: Buffer
  /** X25519 public key, 32 bytes: the Noise static public key. */
  dhPublic: Buffer
  /** X25519 secret key, 32 bytes: the Noise static secret key. */
  dhSecret: Buffer
}

/** A fresh random identity. */
export function generateIdentity(): Identity {
  const publicKey = Buffer.alloc(PUBLIC_KEY_BYTES)
  const secretKey = Buffer.alloc(SECRET_KEY_BYTES)
  sodium.crypto_sign_keypair(publicKey, secretKey)
  return withDhKeys(publicKey, secretKey)
}

/** The identity of a 32-byte seed (deterministic: for tests and simulations). */
export function identityFromSeed(seed: Uint8Array): Identity {
  if (seed.byteLength !== SEED_BYTES) {
    throw new CryptoError('ERR_BAD_KEY', `an Ed25519 seed is ${SEED_BYTES} bytes, got ${seed.byteLength}`)
  }
  const publicKey = Buffer.alloc(PUBLIC_KEY_BYTES)
  const secretKey = Buffer.alloc(SECRET_KEY_BYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  return withDhKeys(publicKey, secretKey)
}

/**
 * The identity of a stored 64-byte Ed25519 secret key. Throws `ERR_BAD_KEY` when the length is
 * wrong or the public half does not belong to the seed half (a corrupted key file).
 */
export function identityFromSecretKey(secretKey: Uint8Array): Identity {
  if (secretKey.byteLength !== SECRET_KEY_BYTES) {
    throw new CryptoError(
      'ERR_BAD_KEY',
      `an Ed25519 secret key is ${SECRET_KEY_BYTES} bytes, got ${secretKey.byteLength}; the identity file is damaged: restore it or remove it to create a new identity`,
    )
  }
  const identity = identityFromSeed(secretKey.subarray(0, SEED_BYTES))
  if (!identity.secretKey.equals(secretKey)) {
    throw new CryptoError(
      'ERR_BAD_KEY',
      'the public half of the Ed25519 secret key does not match its seed; the identity file is damaged: restore it or remove it to create a new identity',
    )
  }
  return identity
}

/** The first 12 hex characters of a public key, to show peers to people. */
export function shortId(publicKey: Uint8Array): string {
  return Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength)
    .toString('hex')
    .slice(0, SHORT_ID_HEX_CHARS)
}

/** The 64-byte Ed25519 signature of `message`. */
export function sign(identity: Identity, message: Uint8Array): Buffer {
  const signature = Buffer.alloc(SIGNATURE_BYTES)
  sodium.crypto_sign_detached(signature, message, identity.secretKey)
  return signature
}

/** True when `signature` is `publicKey`'s signature of `message`; false for any malformed input. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.byteLength !== PUBLIC_KEY_BYTES || signature.byteLength !== SIGNATURE_BYTES) return false
  return sodium.crypto_sign_verify_detached(signature, message, publicKey)
}

/**
 * The X25519 public key of an Ed25519 public key, or null when it is not a valid point (or of
 * small order). Used by the handshake to bind the peer's name to its static key.
 */
export function dhPublicOf(publicKey: Uint8Array): Buffer | null {
  if (publicKey.byteLength !== PUBLIC_KEY_BYTES) return null
  const dhPublic = Buffer.alloc(DH_KEY_BYTES)
  try {
    sodium.crypto_sign_ed25519_pk_to_curve25519(dhPublic, publicKey)
  } catch {
    return null
  }
  return dhPublic
}

function withDhKeys(publicKey: Buffer, secretKey: Buffer): Identity {
  const dhPublic = Buffer.alloc(DH_KEY_BYTES)
  const dhSecret = Buffer.alloc(DH_KEY_BYTES)
  sodium.crypto_sign_ed25519_pk_to_curve25519(dhPublic, publicKey)
  sodium.crypto_sign_ed25519_sk_to_curve25519(dhSecret, secretKey)
  return { publicKey, secretKey, dhPublic, dhSecret }
}
