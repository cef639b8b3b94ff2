import { isIPv4, isIPv6 } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cidrNetwork, formatCidr, HostError, parseCidr } from '../../src/host/index.js'

const PREFIX_RE = /^(0|[1-9][0-9]*)$/

/** The slow reference: what a valid address/prefix is, by node:net and a regex. */
function referenceValid (s: string): boolean {
  const slash = s.indexOf('/')
  if (slash < 0 || slash !== s.lastIndexOf('/')) return false
  const a = s.slice(0, slash)
  const p = s.slice(slash + 1)
  if (!PREFIX_RE.test(p) || p.length > 3 || a.includes('%')) return false
  if (isIPv4(a)) return Number(p) <= 32
  if (isIPv6(a)) return Number(p) <= 128
  return false
}

/** RFC 5952 text of an IPv6 address, per the WHATWG URL serializer. */
function canonicalV6 (a: string): string {
  return new URL(`http://[${a}]/`).hostname.slice(1, -1)
}

function expectBadCidr (s: string): void {
  try {
    parseCidr(s)
  } catch (err) {
    expect(err).toBeInstanceOf(HostError)
    expect((err as HostError).code).toBe('ERR_BAD_CIDR')
    return
  }
  expect.fail(`${JSON.stringify(s)} parsed`)
}

const CHARS = '0123456789abcdefABCDEF:./%x -'.split('')
const cidrish = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...CHARS), { maxLength: 48 }).map((a) => a.join('')),
  fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), fc.oneof(fc.integer({ min: -1, max: 200 }).map(String), fc.string({ maxLength: 3 })))
    .map(([a, p]) => `${a}/${p}`),
  // valid ones with one character changed, removed or inserted
  fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 128 }), fc.nat(), fc.constantFrom(...CHARS), fc.integer({ min: 0, max: 2 }))
    .map(([a, p, at, ch, op]) => {
      const s = `${a}/${p}`
      const i = at % (s.length + 1)
      return op === 0 ? s.slice(0, i) + ch + s.slice(i + 1) : op === 1 ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i)
    }),
)

describe('parseCidr', () => {
  it('accepts exactly what the reference accepts, and throws only ERR_BAD_CIDR', () => {
    fc.assert(fc.property(cidrish, (s) => {
      if (referenceValid(s)) expect(() => parseCidr(s)).not.toThrow()
      else expectBadCidr(s)
    }), { numRuns: 20_000 })
  })

  it('round-trips IPv4 exactly', () => {
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, p) => {
      const c = parseCidr(`${a}/${p}`)
      expect(c).toEqual({ address: a, prefix: p, family: 4 })
      expect(formatCidr(c)).toBe(`${a}/${p}`)
    }))
  })

  it('canonicalises IPv6 as RFC 5952 and round-trips', () => {
    fc.assert(fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (a, p) => {
      const c = parseCidr(`${a}/${p}`)
      expect(c.family).toBe(6)
      expect(c.prefix).toBe(p)
      expect(c.address).toBe(canonicalV6(a))
      expect(parseCidr(formatCidr(c))).toEqual(c)
    }), { numRuns: 2000 })
  })

  it('handles the usual shapes', () => {
    expect(parseCidr('10.32.1.1/12')).toEqual({ address: '10.32.1.1', prefix: 12, family: 4 })
    expect(parseCidr('FD00:0:0:0::1/64')).toEqual({ address: 'fd00::1', prefix: 64, family: 6 })
    expect(parseCidr('::ffff:10.0.0.1/128').address).toBe('::ffff:a00:1')
    expect(parseCidr('1:0:0:2:0:0:0:3/48').address).toBe('1:0:0:2::3')
    expect(parseCidr('1:0:2:3:4:5:6:7/48').address).toBe('1:0:2:3:4:5:6:7')
    for (const bad of ['10.32.1.1', '10.32.1.1/', '10.32.1.1/33', '10.32.1.01/12', '10.32.1/12', ' 10.32.1.1/12', '10.32.1.1/12 ',
      '10.32.1.1/012', 'fe80::1%eth0/64', '1::2::3/64', '::/129', 'a/b/c', '1.2.3.4::/64', '', '/', '::1.2.3.4.5/96', '10.32.1.1/1e1']) {
      expectBadCidr(bad)
    }
  })

  it('names the bad text in the message', () => {
    expect(() => parseCidr('10.0.0.300/8')).toThrow(/"10\.0\.0\.300\/8"/)
  })
})

describe('cidrNetwork', () => {
  it('clears host bits', () => {
    expect(formatCidr(cidrNetwork(parseCidr('10.32.1.1/12')))).toBe('10.32.0.0/12')
    expect(formatCidr(cidrNetwork(parseCidr('10.32.1.1/32')))).toBe('10.32.1.1/32')
    expect(formatCidr(cidrNetwork(parseCidr('10.32.1.1/0')))).toBe('0.0.0.0/0')
    expect(formatCidr(cidrNetwork(parseCidr('fd00:1:2:3:4::1/64')))).toBe('fd00:1:2:3::/64')
    expect(formatCidr(cidrNetwork(parseCidr('fd00:ffff::1/20')))).toBe('fd00:f000::/20')
  })

  it('is idempotent and keeps the prefix', () => {
    fc.assert(fc.property(fc.oneof(
      fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })),
      fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })),
    ), ([a, p]) => {
      const n = cidrNetwork(parseCidr(`${a}/${p}`))
      expect(n.prefix).toBe(p)
      expect(cidrNetwork(n)).toEqual(n)
    }))
  })
})
