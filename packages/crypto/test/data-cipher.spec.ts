import { createCipheriv } from 'node:crypto'
import fc from 'fast-check'
import sodium from 'sodium-native'
import { describe, expect, it } from 'vitest'
import { CryptoError, DataCipher, MAX_COUNTER } from '../src/index.js'

const key = Buffer.alloc(32, 0x33)
const counterArb = fc.bigInt({ min: 0n, max: MAX_COUNTER })

function nonceOf(counter: bigint): Buffer {
  const nonce = Buffer.alloc(12)
  nonce.writeBigUInt64LE(counter, 4)
  return nonce
}

/** A packet buffer: `before` bytes of header (the ad), the message, the tag room, `after` spare. */
function packet(header: Uint8Array, message: Uint8Array, after: number): Buffer {
  return Buffer.concat([header, message, Buffer.alloc(16 + after)])
}

const packetArb = fc.record({
  header: fc.uint8Array({ maxLength: 32 }),
  message: fc.uint8Array({ maxLength: 300 }),
  after: fc.nat({ max: 8 }),
  counter: counterArb,
})

describe('DataCipher', () => {
  it('matches libsodium combined encryption with the weft nonce layout (known answer)', () => {
    fc.assert(
      fc.property(packetArb, ({ header, message, after, counter }) => {
        const buf = packet(header, message, after)
        const sealed = new DataCipher(key).seal(buf, header.length, message.length, buf, 0, header.length, counter)
        expect(sealed).toBe(message.length + 16)
        const expected = Buffer.alloc(message.length + 16)
        sodium.crypto_aead_chacha20poly1305_ietf_encrypt(expected, message, header, null, nonceOf(counter), key)
        expect(buf.subarray(header.length, header.length + sealed).equals(expected)).toBe(true)
        expect(buf.subarray(0, header.length).equals(Buffer.from(header))).toBe(true)
      }),
    )
  })

  it('matches OpenSSL chacha20-poly1305 with IV = 00000000 || counter LE', () => {
    const counter = 0x0123456789abcdefn
    const header = Buffer.from('0123456789abcdef', 'hex')
    const message = Buffer.from('a datagram payload')
    const buf = packet(header, message, 0)
    new DataCipher(key).seal(buf, header.length, message.length, buf, 0, header.length, counter)
    const cipher = createCipheriv('chacha20-poly1305', key, nonceOf(counter), { authTagLength: 16 })
    cipher.setAAD(header, { plaintextLength: message.length })
    const expected = Buffer.concat([cipher.update(message), cipher.final(), cipher.getAuthTag()])
    expect(buf.subarray(header.length).equals(expected)).toBe(true)
  })

  it('round-trips in place at any offsets, with the ad in another buffer', () => {
    fc.assert(
      fc.property(packetArb, fc.uint8Array({ maxLength: 20 }), fc.nat({ max: 20 }), ({ header, message, after, counter }, pad, adStart) => {
        const buf = Buffer.concat([pad, packet(header, message, after)])
        const ad = Buffer.concat([Buffer.alloc(adStart, 0xee), header, Buffer.alloc(3, 0xee)])
        const offset = pad.length + header.length
        const sealer = new DataCipher(key)
        const opener = new DataCipher(key)
        const ctLength = sealer.seal(buf, offset, message.length, ad, adStart, header.length, counter)
        expect(ctLength).toBe(message.length + 16)
        if (message.length > 0) expect(buf.subarray(offset, offset + message.length).equals(Buffer.from(message))).toBe(false)
        expect(opener.open(buf, offset, ctLength, ad, adStart, header.length, counter)).toBe(message.length)
        expect(buf.subarray(offset, offset + message.length).equals(Buffer.from(message))).toBe(true)
      }),
    )
  })

  it('returns -1 when the ciphertext, tag, ad, counter or key differ', () => {
    fc.assert(
      fc.property(
        packetArb,
        fc.constantFrom('ciphertext', 'ad', 'counter', 'key'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ({ header, message, counter }, what, pos, mask) => {
          const buf = packet(header, message, 0)
          const ad = Buffer.from(header)
          const ctLength = new DataCipher(key).seal(buf, header.length, message.length, ad, 0, ad.length, counter)
          let openKey: Uint8Array = key
          let openCounter = counter
          if (what === 'ciphertext') buf[header.length + (pos % ctLength)] ^= mask
          if (what === 'ad') {
            fc.pre(ad.length > 0)
            ad[pos % ad.length] ^= mask
          }
          if (what === 'counter') openCounter = counter === MAX_COUNTER ? 0n : counter + 1n
          if (what === 'key') {
            openKey = Buffer.from(key)
            openKey[0] ^= mask // mask is nonzero: the key always differs
          }
          expect(new DataCipher(openKey).open(buf, header.length, ctLength, ad, 0, ad.length, openCounter)).toBe(-1)
        },
      ),
    )
  })

  it('returns -1 for the tag alone altered', () => {
    const header = Buffer.alloc(16, 1)
    const buf = packet(header, Buffer.from('payload'), 0)
    const cipher = new DataCipher(key)
    const ctLength = cipher.seal(buf, 16, 7, buf, 0, 16, 9n)
    for (let i = 0; i < 16; i++) {
      const copy = Buffer.from(buf)
      copy[16 + 7 + i] ^= 0x80
      expect(cipher.open(copy, 16, ctLength, copy, 0, 16, 9n)).toBe(-1)
    }
    expect(cipher.open(buf, 16, ctLength, buf, 0, 16, 9n)).toBe(7)
  })

  it('returns -1, never throws, for invalid ranges and counters', () => {
    const cipher = new DataCipher(key)
    const buf = Buffer.alloc(64)
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -100, max: 200 }), fc.double()),
        fc.oneof(fc.integer({ min: -100, max: 200 }), fc.double()),
        fc.oneof(fc.integer({ min: -100, max: 200 }), fc.double()),
        fc.oneof(fc.integer({ min: -100, max: 200 }), fc.double()),
        fc.oneof(counterArb, fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })),
        (off, len, adOff, adLen, counter) => {
          const sealed = cipher.seal(buf, off, len, buf, adOff, adLen, counter)
          const opened = cipher.open(buf, off, len, buf, adOff, adLen, counter)
          const valid = (o: number, l: number, total: number) => Number.isInteger(o) && Number.isInteger(l) && o >= 0 && l >= 0 && o + l <= total
          const counterOk = counter >= 0n && counter <= MAX_COUNTER
          const adOk = valid(adOff, adLen, 64)
          if (!(counterOk && adOk && valid(off, len, 48))) expect(sealed).toBe(-1)
          else expect(sealed).toBe(len + 16)
          if (!(counterOk && adOk && valid(off, len, 64)) || len < 16) expect(opened).toBe(-1)
        },
      ),
    )
    expect(cipher.seal(buf, 0, 49, buf, 0, 0, 0n)).toBe(-1)
    expect(cipher.seal(buf, 0, 48, buf, 0, 0, 0n)).toBe(64)
    expect(cipher.open(buf, 0, 15, buf, 0, 0, 0n)).toBe(-1)
    expect(cipher.seal(buf, 0, 1, buf, 0, 0, 1 as unknown as bigint)).toBe(-1)
  })

  it('seals empty messages and uses the full 64-bit counter', () => {
    const cipher = new DataCipher(key)
    const a = Buffer.alloc(16)
    const b = Buffer.alloc(16)
    expect(cipher.seal(a, 0, 0, a, 0, 0, MAX_COUNTER)).toBe(16)
    expect(cipher.seal(b, 0, 0, b, 0, 0, MAX_COUNTER - (1n << 63n))).toBe(16)
    expect(a.equals(b)).toBe(false)
    expect(cipher.open(a, 0, 16, a, 0, 0, MAX_COUNTER)).toBe(0)
  })

  it('rejects keys of the wrong length and fails to open after destroy', () => {
    expect(() => new DataCipher(new Uint8Array(16))).toThrow(CryptoError)
    const buf = Buffer.alloc(40)
    const cipher = new DataCipher(key)
    const ctLength = cipher.seal(buf, 0, 24, buf, 0, 0, 1n)
    cipher.destroy()
    expect(cipher.open(buf, 0, ctLength, buf, 0, 0, 1n)).toBe(-1)
  })
})
