import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  ETH_HEADER_BYTES, ETHERTYPE_IPV6, WireError, etherType, isMulticastMac, macToNumber, macToString, parseMac,
  writeMac,
} from '../src/index.js'

const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 })

describe('ethernet', () => {
  it('reads a MAC as an exact 48-bit number', () => {
    const frame = Buffer.from('ffeeddccbbaa0211223344550800', 'hex')
    expect(ETH_HEADER_BYTES).toBe(14)
    expect(macToNumber(frame, 0)).toBe(0xffeeddccbbaa)
    expect(macToNumber(frame, 6)).toBe(0x021122334455)
    expect(macToString(macToNumber(frame, 0))).toBe('ff:ee:dd:cc:bb:aa')
    expect(etherType(frame, 0)).toBe(0x0800)
    fc.assert(fc.property(macArb, fc.nat({ max: 8 }), (mac, offset) => {
      const buf = Buffer.alloc(offset + 6)
      buf.set(mac, offset)
      const n = macToNumber(buf, offset)
      expect(n).toBe(Number(BigInt(`0x${Buffer.from(mac).toString('hex')}`)))
      const back = Buffer.alloc(6)
      writeMac(n, back, 0)
      expect([...back]).toEqual([...mac])
      expect(macToString(n)).toBe(Buffer.from(mac).toString('hex').replace(/(..)(?!$)/g, '$1:'))
      expect(parseMac(macToString(n))).toBe(n)
    }))
  })

  it('sees the I/G bit (multicast and broadcast)', () => {
    expect(isMulticastMac(Buffer.from('ffffffffffff', 'hex'), 0)).toBe(true)
    expect(isMulticastMac(Buffer.from('01005e000001', 'hex'), 0)).toBe(true)
    expect(isMulticastMac(Buffer.from('333300000001', 'hex'), 0)).toBe(true)
    expect(isMulticastMac(Buffer.from('020000000001', 'hex'), 0)).toBe(false)
    expect(isMulticastMac(Buffer.from('00aa020000000001', 'hex'), 2)).toBe(false)
  })

  it('reads the EtherType at offset 12 of the frame', () => {
    const frame = Buffer.alloc(20)
    frame.writeUInt16BE(ETHERTYPE_IPV6, 15)
    expect(etherType(frame, 3)).toBe(0x86dd)
  })

  it('parses MAC text strictly', () => {
    expect(parseMac('AA:bb:CC:dd:EE:ff')).toBe(0xaabbccddeeff)
    expect(parseMac('00:00:00:00:00:00')).toBe(0)
    for (const bad of ['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'aa-bb-cc-dd-ee-ff', 'aabbccddeeff', 'a:bb:cc:dd:ee:fff',
      'gg:bb:cc:dd:ee:ff', ' aa:bb:cc:dd:ee:ff']) {
      expect(() => parseMac(bad)).toThrow(WireError)
    }
    try {
      parseMac('nope')
    } catch (error) {
      expect((error as WireError).code).toBe('ERR_BAD_MAC')
      expect((error as WireError).message).toMatch(/six hex pairs/)
    }
    for (const bad of [-1, 2 ** 48, 1.5, Number.NaN]) expect(() => macToString(bad)).toThrow(/ERR_BAD_MAC|not a MAC/)
    expect(macToString(2 ** 48 - 1)).toBe('ff:ff:ff:ff:ff:ff')
  })
})
