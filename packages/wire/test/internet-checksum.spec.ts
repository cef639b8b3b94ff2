import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { finishChecksum, internetChecksum, onesComplementSum } from '../src/index.js'

/** Reference: 16-bit words with the end-around carry applied after every addition. */
function stepwiseChecksum(bytes: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < bytes.length; i += 2) {
    sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0)
    if (sum > 0xffff) sum -= 0xffff
  }
  return ~sum & 0xffff
}

describe('internet checksum', () => {
  it('matches the RFC 1071 example', () => {
    // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, so the checksum is 220d.
    const bytes = Buffer.from('0001f203f4f5f6f7', 'hex')
    expect(internetChecksum(bytes, 0, bytes.length)).toBe(0x220d)
    expect(finishChecksum(onesComplementSum(bytes, 0, 8))).toBe(0x220d)
  })

  it('agrees with a stepwise reference and verifies to 0 once stored', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat({ max: 7 }), (bytes, pad) => {
      const buf = Buffer.concat([Buffer.alloc(pad, 0x5a), bytes])
      const sum = internetChecksum(buf, pad, bytes.length)
      expect(sum).toBe(stepwiseChecksum(bytes))
      // Appending the checksum (at an even offset) makes the whole verify to 0.
      const even = Buffer.concat([bytes, Buffer.alloc(bytes.length % 2), Buffer.from([sum >> 8, sum & 0xff])])
      expect(internetChecksum(even, 0, even.length)).toBe(0)
    }))
  })

  it('chains ranges and partial sums', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
      const evenA = a.length % 2 === 0 ? a : a.subarray(1)
      const whole = Buffer.concat([evenA, b])
      const chained = onesComplementSum(b, 0, b.length, onesComplementSum(evenA, 0, evenA.length))
      expect(finishChecksum(chained)).toBe(internetChecksum(whole, 0, whole.length))
    }))
  })

  it('stays exact for the largest packets', () => {
    const big = Buffer.alloc(65535, 0xff)
    expect(internetChecksum(big, 0, big.length)).toBe(stepwiseChecksum(big))
  })
})
