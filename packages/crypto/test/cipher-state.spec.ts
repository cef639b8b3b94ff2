import fc from 'fast-check'
import sodium from 'sodium-native'
import { describe, expect, it } from 'vitest'
import { CIPHER_STATE_MAX_NONCE, CipherState, CryptoError, MAX_MESSAGE_BYTES } from '../src/index.js'

const key = Buffer.alloc(32, 0x11)

function pair(): [CipherState, CipherState] {
  return [new CipherState(key), new CipherState(key)]
}

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError)
    return (err as CryptoError).code
  }
  return undefined
}

describe('CipherState', () => {
  it('round-trips messages in order, with and without ad', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 })), { maxLength: 20 }), (msgs) => {
        const [tx, rx] = pair()
        for (const [plain, ad] of msgs) {
          const ct = tx.encrypt(plain, ad)
          expect(ct.length).toBe(plain.length + 16)
          expect(rx.decrypt(ct, ad).equals(Buffer.from(plain))).toBe(true)
        }
        expect(rx.nonce).toBe(msgs.length)
      }),
    )
  })

  it('uses nonce = 4 zero bytes then the counter little-endian', () => {
    const state = new CipherState(key)
    state.setNonce(0x0102030405)
    const plain = Buffer.from('nonce layout')
    const expected = Buffer.alloc(plain.length + 16)
    const nonce = Buffer.from('000000000504030201000000', 'hex')
    sodium.crypto_aead_chacha20poly1305_ietf_encrypt(expected, plain, Buffer.alloc(0), null, nonce, key)
    expect(state.encrypt(plain).equals(expected)).toBe(true)
    expect(state.nonce).toBe(0x0102030406)
  })

  it('rejects any altered byte, a wrong ad and reordering, without advancing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, pos, mask) => {
        const [tx, rx] = pair()
        const ct = tx.encrypt(plain)
        const bad = Buffer.from(ct)
        bad[pos % bad.length] ^= mask
        expect(code(() => rx.decrypt(bad))).toBe('ERR_DECRYPT')
        expect(code(() => rx.decrypt(ct, Buffer.of(1)))).toBe('ERR_DECRYPT')
        expect(rx.nonce).toBe(0)
        expect(rx.decrypt(ct).equals(Buffer.from(plain))).toBe(true)
      }),
    )
    const [tx, rx] = pair()
    const first = tx.encrypt(Buffer.from('1'))
    const second = tx.encrypt(Buffer.from('2'))
    expect(code(() => rx.decrypt(second))).toBe('ERR_DECRYPT')
    expect(rx.decrypt(first).toString()).toBe('1')
    expect(code(() => rx.decrypt(first))).toBe('ERR_DECRYPT')
  })

  it('throws ERR_DECRYPT for garbage of any length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(code(() => new CipherState(key).decrypt(bytes))).toBe('ERR_DECRYPT')
      }),
    )
    expect(code(() => new CipherState(key).decrypt(Buffer.alloc(MAX_MESSAGE_BYTES + 1)))).toBe('ERR_DECRYPT')
  })

  it('stops at the last nonce', () => {
    const [tx, rx] = pair()
    tx.setNonce(CIPHER_STATE_MAX_NONCE - 1)
    rx.setNonce(CIPHER_STATE_MAX_NONCE - 1)
    expect(rx.decrypt(tx.encrypt(Buffer.from('last'))).toString()).toBe('last')
    expect(code(() => tx.encrypt(Buffer.from('one too many')))).toBe('ERR_NONCE_EXHAUSTED')
    expect(code(() => rx.decrypt(Buffer.alloc(20)))).toBe('ERR_NONCE_EXHAUSTED')
    expect(code(() => tx.setNonce(-1))).toBe('ERR_BAD_ARGUMENT')
  })

  it('refuses messages over 65535 bytes', () => {
    const state = new CipherState(key)
    expect(state.encrypt(Buffer.alloc(MAX_MESSAGE_BYTES - 16)).length).toBe(MAX_MESSAGE_BYTES)
    expect(code(() => state.encrypt(Buffer.alloc(MAX_MESSAGE_BYTES - 15)))).toBe('ERR_MESSAGE_TOO_LARGE')
  })

  it('rekeys both sides in step', () => {
    const [tx, rx] = pair()
    const before = new CipherState(key).encrypt(Buffer.from('x'))
    tx.rekey()
    rx.rekey()
    const after = tx.encrypt(Buffer.from('x'))
    expect(after.equals(before)).toBe(false)
    expect(rx.decrypt(after).toString()).toBe('x')
  })

  it('rejects keys of the wrong length and is unusable after destroy', () => {
    expect(code(() => new CipherState(new Uint8Array(31)))).toBe('ERR_BAD_KEY')
    const state = new CipherState(key)
    state.destroy()
    expect(code(() => state.encrypt(Buffer.from('x')))).toBe('ERR_NONCE_EXHAUSTED')
  })
})
