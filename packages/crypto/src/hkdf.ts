import sodium from 'sodium-native'
import { HASH_BLOCK_BYTES, HASH_BYTES } from './constants.js'

// Noise's HASH, HMAC-HASH and HKDF for BLAKE2b (spec rev 34, sections 4.3 and 12.8).
// libsodium's `crypto_generichash` with a key is keyed BLAKE2b, which is NOT HMAC: Noise needs
// RFC 2104 HMAC over plain BLAKE2b-512 with a 128-byte block, built here.

const IPAD = 0x36
const OPAD = 0x5c

/** BLAKE2b-512 of the concatenation of `parts`. */
export function hash(...parts: Uint8Array[]): Buffer {
  const out = Buffer.alloc(HASH_BYTES)
  if (parts.length === 1) sodium.crypto_generichash(out, parts[0])
  else sodium.crypto_generichash_batch(out, parts)
  return out
}

/** HMAC-BLAKE2b-512 (RFC 2104, block 128 bytes) of the concatenation of `data`. */
export function hmac(key: Uint8Array, ...data: Uint8Array[]): Buffer {
  const block = Buffer.alloc(HASH_BLOCK_BYTES)
  if (key.byteLength > HASH_BLOCK_BYTES) hash(key).copy(block)
  else block.set(key)
  const inner = Buffer.alloc(HASH_BLOCK_BYTES)
  const outer = Buffer.alloc(HASH_BLOCK_BYTES)
  for (let i = 0; i < HASH_BLOCK_BYTES; i++) {
    inner[i] = block[i] ^ IPAD
    outer[i] = block[i] ^ OPAD
  }
  const result = hash(outer, hash(inner, ...data))
  sodium.sodium_memzero(block)
  sodium.sodium_memzero(inner)
  sodium.sodium_memzero(outer)
  return result
}

/**
 * Noise's HKDF(chaining_key, input_key_material, num_outputs): two or three 64-byte outputs.
 */
export function hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 2): [Buffer, Buffer]
export function hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 3): [Buffer, Buffer, Buffer]
export function hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 2 | 3): Buffer[] {
  const tempKey = hmac(chainingKey, inputKeyMaterial)
  const output1 = hmac(tempKey, Uint8Array.of(0x01))
  const output2 = hmac(tempKey, output1, Uint8Array.of(0x02))
  const result = [output1, output2]
  if (outputs === 3) result.push(hmac(tempKey, output2, Uint8Array.of(0x03)))
  sodium.sodium_memzero(tempKey)
  return result
}
