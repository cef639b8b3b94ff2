/**
 * The native AEAD (OpenSSL, @weft/tap's addon) against the JS one (libsodium, @weft/crypto's
 * DataCipher): same key, counter, header and plaintext give the same bytes, each opens what the
 * other sealed, and both refuse the same forgeries. Then the native entry points are fuzzed with
 * arguments of every shape: -1 or a clean open, never a throw or a crash.
 */
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DataCipher } from '@weft/crypto'
import { createNativeDataCipher } from '@weft/tap'
import { DATA_HEADER_BYTES, PacketKind, writeDataHeader } from '@weft/wire'

const TAG = 16
const U64 = 2n ** 64n - 1n

/** A datagram as the data path builds it: header (the AD), plaintext, room for the tag. */
function datagram(plain: Uint8Array, kind: PacketKind, index: number, counter: bigint): Buffer {
  const buf = Buffer.alloc(DATA_HEADER_BYTES + plain.length + TAG)
  writeDataHeader(buf, 0, kind, index, counter)
  buf.set(plain, DATA_HEADER_BYTES)
  return buf
}

const arbPacket = fc.record({
  key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  plain: fc.uint8Array({ maxLength: 1600 }),
  kind: fc.constantFrom(...[1, 2, 3, 4, 5, 6, 7] as PacketKind[]),
  index: fc.nat({ max: 0xffffffff }),
  counter: fc.bigInt({ min: 0n, max: U64 }),
})

describe('NativeDataCipher against DataCipher', () => {
  it('seals byte-identically, and each side opens what the other sealed', () => {
    fc.assert(
      fc.property(arbPacket, ({ key, plain, kind, index, counter }) => {
        const js = new DataCipher(key)
        const native = createNativeDataCipher(key)
        const a = datagram(plain, kind, index, counter)
        const b = datagram(plain, kind, index, counter)
        expect(js.seal(a, DATA_HEADER_BYTES, plain.length, a, 0, DATA_HEADER_BYTES, counter)).toBe(plain.length + TAG)
        expect(native.seal(b, DATA_HEADER_BYTES, plain.length, b, 0, DATA_HEADER_BYTES, counter)).toBe(plain.length + TAG)
        expect(b.equals(a)).toBe(true)
        // C sealed b, JS opens it; JS sealed a, C opens it.
        expect(js.open(b, DATA_HEADER_BYTES, plain.length + TAG, b, 0, DATA_HEADER_BYTES, counter)).toBe(plain.length)
        expect(native.open(a, DATA_HEADER_BYTES, plain.length + TAG, a, 0, DATA_HEADER_BYTES, counter)).toBe(plain.length)
        expect(Buffer.from(a.subarray(DATA_HEADER_BYTES, DATA_HEADER_BYTES + plain.length)).equals(Buffer.from(plain))).toBe(true)
        expect(Buffer.from(b.subarray(DATA_HEADER_BYTES, DATA_HEADER_BYTES + plain.length)).equals(Buffer.from(plain))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('matches at the counter edges 0, 2^32, 2^53 and 2^64 - 1', () => {
    const key = randomBytes(32)
    const plain = randomBytes(100)
    for (const counter of [0n, 2n ** 32n, 2n ** 53n, U64]) {
      const a = datagram(plain, PacketKind.Data, 7, counter)
      const b = datagram(plain, PacketKind.Data, 7, counter)
      new DataCipher(key).seal(a, DATA_HEADER_BYTES, plain.length, a, 0, DATA_HEADER_BYTES, counter)
      createNativeDataCipher(key).seal(b, DATA_HEADER_BYTES, plain.length, b, 0, DATA_HEADER_BYTES, counter)
      expect(b.equals(a)).toBe(true)
    }
  })

  it('refuses a flipped bit anywhere (header, ciphertext, tag), a wrong counter or key, and zeroes the message', () => {
    fc.assert(
      fc.property(arbPacket, fc.nat(), ({ key, plain, kind, index, counter }, where) => {
        const native = createNativeDataCipher(key)
        const sealed = datagram(plain, kind, index, counter)
        new DataCipher(key).seal(sealed, DATA_HEADER_BYTES, plain.length, sealed, 0, DATA_HEADER_BYTES, counter)
        const flipped = Buffer.from(sealed)
        flipped[where % flipped.length] ^= 1 << (where % 8)
        const ct = plain.length + TAG
        expect(native.open(flipped, DATA_HEADER_BYTES, ct, flipped, 0, DATA_HEADER_BYTES, counter)).toBe(-1)
        expect(flipped.subarray(DATA_HEADER_BYTES, DATA_HEADER_BYTES + plain.length).every((x) => x === 0)).toBe(true)
        const other = counter === U64 ? 0n : counter + 1n
        expect(native.open(Buffer.from(sealed), DATA_HEADER_BYTES, ct, sealed, 0, DATA_HEADER_BYTES, other)).toBe(-1)
        const wrongKey = Uint8Array.from(key)
        wrongKey[0] ^= 0x80
        expect(createNativeDataCipher(wrongKey).open(Buffer.from(sealed), DATA_HEADER_BYTES, ct, sealed, 0, DATA_HEADER_BYTES, counter)).toBe(-1)
      }),
      { numRuns: 200 },
    )
  })

  it('fails every call after destroy()', () => {
    const native = createNativeDataCipher(randomBytes(32))
    native.destroy()
    const buf = Buffer.alloc(64)
    expect(native.seal(buf, 16, 10, buf, 0, 16, 1n)).toBe(-1)
  })

  it('rejects a key that is not 32 bytes', () => {
    expect(() => createNativeDataCipher(new Uint8Array(31))).toThrow(TypeError)
    expect(() => createNativeDataCipher('k'.repeat(32) as unknown as Uint8Array)).toThrow(TypeError)
  })
})

describe('NativeDataCipher entry points, fuzzed', () => {
  const anyValue = fc.oneof(
    fc.integer(), fc.double(), fc.bigInt(), fc.string(), fc.constant(undefined), fc.constant(null),
    fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 100 }), fc.bigInt({ min: -5n, max: 2n ** 65n }),
    fc.constantFrom(-1, 2 ** 32, 0.5, NaN, Infinity),
  )
  it('returns -1 or a length within the buffer for arguments of any shape, never throws', () => {
    const native = createNativeDataCipher(randomBytes(32))
    fc.assert(
      fc.property(fc.boolean(), fc.array(anyValue, { maxLength: 8 }), (seal, args) => {
        const call = seal ? native.seal : native.open
        const r = (call as (...a: unknown[]) => number).apply(native, args)
        expect(typeof r).toBe('number')
        if (r !== -1) {
          const buf = args[0] as Uint8Array
          expect(r).toBeGreaterThanOrEqual(0)
          expect(r).toBeLessThanOrEqual(buf.length)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('opens random bytes as -1 (a forgery), for every range inside the buffer', () => {
    const native = createNativeDataCipher(randomBytes(32))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), fc.bigInt({ min: 0n, max: U64 }), (buf, a, b, counter) => {
        const off = buf.length === 0 ? 0 : a % (buf.length + 1)
        const len = b % (buf.length - off + 1)
        expect(native.open(buf, off, len, buf, 0, Math.min(16, buf.length), counter)).toBe(-1)
      }),
    )
  })
})
