import { describe, expect, it } from 'vitest'
import { OVERLAY_OVERHEAD_BYTES, WireError, overlayIpMtu } from '../src/index.js'

describe('overlay MTU', () => {
  it('pays for every layer weft adds (docs/WIRE.md)', () => {
    // UDP 8 + header 16 + tag 16 + bundle length 2 + Ethernet 14
    expect(OVERLAY_OVERHEAD_BYTES).toBe(56)
    expect(overlayIpMtu(1500)).toBe(1424)
    expect(overlayIpMtu(1500, 'ipv6')).toBe(1404)
    expect(overlayIpMtu(9000)).toBe(8924)
  })

  it('refuses an underlay too small to carry anything', () => {
    expect(overlayIpMtu(77)).toBe(1)
    expect(() => overlayIpMtu(76)).toThrow(WireError)
    expect(() => overlayIpMtu(1500.5)).toThrow(/underlay MTU/)
  })
})
