import fc from 'fast-check'
import sodium from 'sodium-native'
import { describe, expect, it } from 'vitest'
import {
  NETWORK_KEY_MEMLIMIT_BYTES,
  NETWORK_KEY_OPSLIMIT,
  deriveNetworkKey,
  generateSecret,
  topicFromNetworkKey,
} from '../src/index.js'

// Each derivation costs ~80 ms of Argon2id: derivations here are few and deliberate.

describe('network key', () => {
  it('is Argon2id of the secret under the protocol salt (BLAKE2b-128 of "weft network key v1")', () => {
    const salt = Buffer.alloc(16)
    sodium.crypto_generichash(salt, Buffer.from('weft network key v1'))
    const expected = Buffer.alloc(32)
    sodium.crypto_pwhash(
      expected,
      Buffer.from('correct horse battery staple'),
      salt,
      NETWORK_KEY_OPSLIMIT,
      NETWORK_KEY_MEMLIMIT_BYTES,
      sodium.crypto_pwhash_ALG_ARGON2ID13,
    )
    expect(deriveNetworkKey('correct horse battery staple').equals(expected)).toBe(true)
  })

  it('is deterministic and distinct for distinct secrets', () => {
    const a = deriveNetworkKey('secret number one')
    expect(a.length).toBe(32)
    expect(deriveNetworkKey('secret number one').equals(a)).toBe(true)
    expect(deriveNetworkKey('secret number two').equals(a)).toBe(false)
  })

  it('normalizes the secret to NFC before hashing', () => {
    const composed = 'caf\u00e9-secret'
    const decomposed = 'cafe\u0301-secret'
    expect(deriveNetworkKey(decomposed).equals(deriveNetworkKey(composed))).toBe(true)
  })

  it('rejects empty and short secrets with ERR_WEAK_SECRET', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 7, unit: 'grapheme-ascii' }), (secret) => {
        expect(() => deriveNetworkKey(secret)).toThrow(expect.objectContaining({ code: 'ERR_WEAK_SECRET' }))
      }),
    )
    // Seven code points, fourteen UTF-16 units: still too short.
    expect(() => deriveNetworkKey('😀😀😀😀😀😀😀')).toThrow(expect.objectContaining({ code: 'ERR_WEAK_SECRET' }))
  })

  it('generates 43-character base64url secrets that differ', () => {
    const a = generateSecret()
    const b = generateSecret()
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(a, 'base64url').length).toBe(32)
    expect(a).not.toBe(b)
  })

  it('derives a topic that differs from the key and from other networks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (k1, k2) => {
        const t1 = topicFromNetworkKey(k1)
        expect(t1.length).toBe(32)
        expect(t1.equals(Buffer.from(k1))).toBe(false)
        expect(topicFromNetworkKey(k1).equals(t1)).toBe(true)
        if (!Buffer.from(k1).equals(Buffer.from(k2))) expect(topicFromNetworkKey(k2).equals(t1)).toBe(false)
      }),
    )
    expect(() => topicFromNetworkKey(new Uint8Array(16))).toThrow(expect.objectContaining({ code: 'ERR_BAD_KEY' }))
  })
})
