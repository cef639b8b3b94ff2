import sodium from 'sodium-native'
import {
  GENERATED_SECRET_BYTES,
  MIN_SECRET_CHARS,
  NETWORK_KEY_BYTES,
  NETWORK_KEY_MEMLIMIT_BYTES,
  NETWORK_KEY_OPSLIMIT,
  NETWORK_KEY_SALT_INFO,
  TOPIC_BYTES,
  TOPIC_CONTEXT,
} from './constants.js'
import { CryptoError } from './errors.js'

const ARGON2_SALT_BYTES = 16

/** The fixed protocol salt: BLAKE2b with a 16-byte output of "weft network key v1". */
const SALT = (() => {
  const salt = Buffer.alloc(ARGON2_SALT_BYTES)
  sodium.crypto_generichash(salt, Buffer.from(NETWORK_KEY_SALT_INFO))
  return salt
})()

/**
 * The 32-byte network key of a network secret: Argon2id (64 MiB, 2 passes, fixed salt) over
 * the UTF-8 of the NFC-normalized secret. One-way and deliberately slow (about 80 ms), so a
 * recorded handshake cannot be brute-forced cheaply. The key is the Noise psk; the secret itself
 * never leaves the host. Throws `ERR_WEAK_SECRET` for a secret under 8 code points.
 */
export function deriveNetworkKey(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new CryptoError('ERR_WEAK_SECRET', 'the network secret is empty; set WEFT_PASSWORD or --password-file')
  }
  const normalized = secret.normalize('NFC')
  const chars = [...normalized].length
  if (chars < MIN_SECRET_CHARS) {
    throw new CryptoError(
      'ERR_WEAK_SECRET',
      `the network secret has ${chars} characters, fewer than ${MIN_SECRET_CHARS}; choose a longer one (or let the first host generate one)`,
    )
  }
  const password = Buffer.from(normalized, 'utf8')
  const key = Buffer.alloc(NETWORK_KEY_BYTES)
  sodium.crypto_pwhash(
    key,
    password,
    SALT,
    NETWORK_KEY_OPSLIMIT,
    NETWORK_KEY_MEMLIMIT_BYTES,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  )
  sodium.sodium_memzero(password)
  return key
}

/** A fresh random network secret for the first host: 32 random bytes in base64url (43 chars). */
export function generateSecret(): string {
  const bytes = Buffer.alloc(GENERATED_SECRET_BYTES)
  sodium.randombytes_buf(bytes)
  return bytes.toString('base64url')
}

/**
 * The 32-byte rendezvous topic of a network (for Hyperswarm): keyed BLAKE2b-256 of a fixed
 * context under the network key. Anyone holding the topic learns nothing about the key.
 */
export function topicFromNetworkKey(networkKey: Uint8Array): Buffer {
  if (networkKey.byteLength !== NETWORK_KEY_BYTES) {
    throw new CryptoError('ERR_BAD_KEY', `a network key is ${NETWORK_KEY_BYTES} bytes, got ${networkKey.byteLength}`)
  }
  const topic = Buffer.alloc(TOPIC_BYTES)
  sodium.crypto_generichash(topic, Buffer.from(TOPIC_CONTEXT), networkKey)
  return topic
}
