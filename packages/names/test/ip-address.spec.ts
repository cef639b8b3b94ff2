// Canonical IP text: parse and format round-trip on random bytes, and the IPv6 form matches the
// WHATWG URL serializer (RFC 5952 compression) for every address but the IPv4-mapped ones.
import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalAddress, formatIp, parseIp } from '../src/index.js'

/** Mostly zero groups, so that runs of zeros (and ties between them) are common. */
const ipv6Bytes = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff])))

function urlForm(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1)
}

describe('ip addresses', () => {
  it('round-trips random IPv4 and IPv6 bytes through the canonical text', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), ipv6Bytes), (bytes) => {
      const text = formatIp(bytes)
      expect(isIP(text)).toBe(bytes.length === 4 ? 4 : 6)
      expect(parseIp(text)).toEqual(bytes)
      expect(canonicalAddress(text)).toBe(text)
    }), { numRuns: 2000 })
  })

  it('writes IPv6 as RFC 5952 does (checked against the URL serializer)', () => {
    fc.assert(fc.property(ipv6Bytes, (bytes) => {
      const text = formatIp(bytes)
      if (text.startsWith('::ffff:') && text.includes('.')) return // mapped: dotted tail, as RFC 5952 section 5
      expect(text).toBe(urlForm(text))
      // any other spelling of the address comes back to the same text
      const full = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16).toUpperCase().padStart(4, '0')).join(':')
      expect(canonicalAddress(full)).toBe(text)
    }), { numRuns: 2000 })
  })

  it('canonicalises the usual spellings', () => {
    expect(canonicalAddress('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1')
    expect(canonicalAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1')
    expect(canonicalAddress('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1')
    expect(canonicalAddress('::ffff:a00:1')).toBe('::ffff:10.0.0.1')
    expect(canonicalAddress('::1.2.3.4')).toBe('::102:304')
    expect(canonicalAddress('fd00::')).toBe('fd00::')
    expect(canonicalAddress('::')).toBe('::')
    expect(canonicalAddress('10.32.0.1')).toBe('10.32.0.1')
  })

  it('rejects what is not an IP literal', () => {
    for (const s of ['', '10.32.0', '10.32.0.01', '256.1.1.1', '1::2::3', 'fe80::1%eth0', '[::1]', '10.0.0.1/24', 'web', ' 10.0.0.1']) {
      expect(parseIp(s)).toBeNull()
      expect(canonicalAddress(s)).toBeNull()
    }
    fc.assert(fc.property(fc.string(), (s) => {
      expect(parseIp(s) === null).toBe(isIP(s) === 0 || s.includes('%'))
    }), { numRuns: 2000 })
  })
})
