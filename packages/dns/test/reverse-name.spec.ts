// Reverse names: every IPv4 and IPv6 address round-trips through its in-addr.arpa / ip6.arpa
// name; partial and malformed names are not addresses.
import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addressOfReverseName, reverseNameOf } from '../src/index.js'

function bytesOf(address: string): number[] {
  if (isIP(address) === 4) return address.split('.').map(Number)
  const [head, tail] = address.split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t]
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff])
}

describe('reverse names', () => {
  it('round-trips random addresses', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (bytes) => {
      const address = addressOfReverseName(reverseNameOf(bytes))
      expect(address).not.toBeNull()
      expect(isIP(address!)).toBe(bytes.length === 4 ? 4 : 6)
      expect(bytesOf(address!)).toEqual([...bytes])
    }), { numRuns: 1000 })
  })

  it('reads the usual names', () => {
    expect(addressOfReverseName('5.0.32.10.in-addr.arpa')).toBe('10.32.0.5')
    expect(reverseNameOf(Uint8Array.from([10, 32, 0, 5]))).toBe('5.0.32.10.in-addr.arpa')
    expect(addressOfReverseName(`1.${'0.'.repeat(29)}d.f.ip6.arpa`)).toBe('fd00::1')
  })

  it('rejects names that do not spell one whole address', () => {
    for (const name of ['32.10.in-addr.arpa', '1.5.0.32.10.in-addr.arpa', '05.0.32.10.in-addr.arpa', '256.0.32.10.in-addr.arpa',
      'a.0.32.10.in-addr.arpa', 'in-addr.arpa', `${'0.'.repeat(31)}ip6.arpa`, `${'0.'.repeat(31)}g.ip6.arpa`, `${'00.'.repeat(32)}ip6.arpa`, 'web.weft.local']) {
      expect(addressOfReverseName(name)).toBeNull()
    }
  })
})
