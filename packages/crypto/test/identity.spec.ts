import fc from 'fast-check'
import sodium from 'sodium-native'
import { describe, expect, it } from 'vitest'
import {
  CryptoError,
  dhKeyPairFromSecret,
  dhPublicOf,
  generateIdentity,
  identityFromSecretKey,
  identityFromSeed,
  shortId,
  sign,
  verify,
} from '../src/index.js'

function x25519(secret: Uint8Array, pub: Uint8Array): Buffer {
  const out = Buffer.alloc(32)
  sodium.crypto_scalarmult(out, secret, pub)
  return out
}

describe('identity', () => {
  it('has an Ed25519 key pair and its X25519 conversion', () => {
    const id = generateIdentity()
    expect(id.publicKey.length).toBe(32)
    expect(id.secretKey.length).toBe(64)
    expect(id.dhPublic.length).toBe(32)
    expect(id.dhSecret.length).toBe(32)
    // The converted secret key belongs to the converted public key.
    expect(dhKeyPairFromSecret(id.dhSecret).publicKey.equals(id.dhPublic)).toBe(true)
    expect(dhPublicOf(id.publicKey)!.equals(id.dhPublic)).toBe(true)
    // Two identities agree on a Diffie-Hellman secret through their converted keys.
    const other = generateIdentity()
    expect(x25519(id.dhSecret, other.dhPublic).equals(x25519(other.dhSecret, id.dhPublic))).toBe(true)
  })

  it('loads a stored secret key into the same identity', () => {
    const id = generateIdentity()
    const loaded = identityFromSecretKey(Uint8Array.from(id.secretKey))
    expect(loaded).toEqual(id)
  })

  it('is deterministic from a seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const a = identityFromSeed(seed)
        expect(identityFromSeed(seed)).toEqual(a)
        expect(identityFromSecretKey(a.secretKey)).toEqual(a)
      }),
      { numRuns: 50 },
    )
  })

  it('rejects secret keys of the wrong length with ERR_BAD_KEY', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }).filter((b) => b.length !== 64), (bytes) => {
        expect(() => identityFromSecretKey(bytes)).toThrow(expect.objectContaining({ code: 'ERR_BAD_KEY' }))
      }),
    )
    expect(() => identityFromSeed(new Uint8Array(31))).toThrow(CryptoError)
  })

  it('rejects a secret key whose public half does not match its seed', () => {
    const sk = Buffer.from(generateIdentity().secretKey)
    sk[40] ^= 1
    expect(() => identityFromSecretKey(sk)).toThrow(expect.objectContaining({ code: 'ERR_BAD_KEY', name: 'CryptoError' }))
  })

  it('shows the first 12 hex characters', () => {
    const id = identityFromSeed(new Uint8Array(32).fill(1))
    expect(shortId(id.publicKey)).toBe(id.publicKey.toString('hex').slice(0, 12))
    expect(shortId(Uint8Array.of(0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67))).toBe('abcdef012345')
  })

  it('signs and verifies, and refuses other keys, messages and garbage', () => {
    const id = generateIdentity()
    const msg = Buffer.from('weft')
    const sig = sign(id, msg)
    expect(verify(id.publicKey, msg, sig)).toBe(true)
    expect(verify(generateIdentity().publicKey, msg, sig)).toBe(false)
    expect(verify(id.publicKey, Buffer.from('weft!'), sig)).toBe(false)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 40 }), (s, pk) => {
        expect(verify(pk, msg, s)).toBe(false)
      }),
    )
  })

  it('returns null for Ed25519 keys that are not valid points', () => {
    expect(dhPublicOf(new Uint8Array(31))).toBeNull()
    // y = 1 is the identity point (small order): no X25519 key.
    expect(dhPublicOf(Uint8Array.of(1, ...new Uint8Array(31)))).toBeNull()
  })
})
