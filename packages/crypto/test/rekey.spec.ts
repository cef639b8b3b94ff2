import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CryptoError, generateDhKeyPair, rekeyDataKeys } from '../src/index.js'

describe('rekeyDataKeys', () => {
  const previous = { initiatorToResponder: randomBytes(32), responderToInitiator: randomBytes(32) }

  it('gives both ends the same fresh keys, distinct per direction and from the old ones', () => {
    const a = generateDhKeyPair()
    const b = generateDhKeyPair()
    const ka = rekeyDataKeys(previous, a, b.publicKey)
    const kb = rekeyDataKeys(previous, b, a.publicKey)
    expect(ka).toEqual(kb)
    expect(ka.initiatorToResponder).toHaveLength(32)
    expect(ka.initiatorToResponder.equals(ka.responderToInitiator)).toBe(false)
    expect(ka.initiatorToResponder.equals(previous.initiatorToResponder)).toBe(false)
  })

  it('depends on the previous keys and on the ephemeral exchange', () => {
    const a = generateDhKeyPair()
    const b = generateDhKeyPair()
    const base = rekeyDataKeys(previous, a, b.publicKey)
    const otherPrev = { ...previous, responderToInitiator: randomBytes(32) }
    expect(rekeyDataKeys(otherPrev, a, b.publicKey).initiatorToResponder.equals(base.initiatorToResponder)).toBe(false)
    expect(rekeyDataKeys(previous, a, generateDhKeyPair().publicKey).initiatorToResponder.equals(base.initiatorToResponder)).toBe(false)
  })

  it('rejects a small-order public key with a typed error', () => {
    expect(() => rekeyDataKeys(previous, generateDhKeyPair(), Buffer.alloc(32))).toThrow(CryptoError)
  })
})
