import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isIP } from 'node:net'
import { isIpLiteral, isIpv4Literal, isIpv6Literal } from '../src/index.js'

describe('IP literals', () => {
  it('accepts the usual forms', () => {
    for (const s of ['0.0.0.0', '10.32.0.1', '255.255.255.255']) expect(isIpv4Literal(s)).toBe(true)
    for (const s of ['::', '::1', 'fd00::1', '2001:db8:0:0:1:0:0:1', 'FE80::AbC', '::ffff:10.0.0.1',
      '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255']) {
      expect(isIpv6Literal(s), s).toBe(true)
    }
  })

  it('rejects near misses', () => {
    for (const s of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.-4', '١.٢.٣.٤',
      ':::', ':1::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', '1.2.3.4::', '::1.2.3.4:5',
      'fe80::1%eth0', '[::1]', '::1/128', '1:2:3:4:5:6:7:1.2.3.4', '1::2:3:4:5:6:7:8']) {
      expect(isIpLiteral(s), s).toBe(false)
    }
  })

  it("agrees with node:net's isIP on generated addresses and near misses", () => {
    const piece = fc.oneof(
      fc.constantFrom(':', '::', '.', '0', '00', '1', 'ff', 'ffff', '12345', '255', '256', '01', 'g', '%', 'a'),
      fc.ipV4(), fc.ipV6(), fc.ipV4Extended(),
    )
    const candidate = fc.oneof(fc.ipV4(), fc.ipV6(), fc.array(piece, { maxLength: 6 }).map((p) => p.join('')))
    fc.assert(fc.property(candidate, (s) => {
      // node:net also accepts zone ids (fe80::1%eth0), which a hello must not carry.
      const reference = s.includes('%') ? 0 : isIP(s)
      expect(isIpLiteral(s), s).toBe(reference !== 0)
      expect(isIpv4Literal(s), s).toBe(reference === 4)
    }), { numRuns: 5000 })
  })
})
