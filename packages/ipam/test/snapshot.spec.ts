// Snapshot bytes and checks (what the router's LMDB store keeps), and CIDR parsing.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeSnapshot, encodeIpam, encodeSnapshot, formatAddress, formatCidr, IpamError, parseAddress, parseCidr, seedRing, type IpamSnapshot,
} from '../src/index.js'
import { ipamState } from '../src/ipam-state.js'
import { peerId } from './helpers/sim-clock.js'

// one fixed seed: every run explores the same cases (a failure prints its counterexample)
fc.configureGlobal({ seed: 20_261_124 })

const snapshot: IpamSnapshot = {
  selfId: peerId(1),
  range: '10.32.0.0/24',
  state: encodeIpam(ipamState({ ring: seedRing(parseCidr('10.32.0.0/24'), [peerId(1)]) })),
  allocations: [{ containerId: 'web', address: '10.32.0.1', subnet: '10.32.0.0/24' }, { containerId: 'web', address: '10.32.0.65', subnet: '10.32.0.64/26' }],
}

describe('snapshot codec', () => {
  it('round-trips', () => {
    const back = decodeSnapshot(encodeSnapshot(snapshot))
    expect({ ...back, state: Buffer.from(back.state) }).toEqual({ ...snapshot, state: Buffer.from(snapshot.state) })
  })

  it('rejects garbage and every inconsistency with ERR_BAD_SNAPSHOT', () => {
    const bad = (s: Partial<IpamSnapshot>) => () => decodeSnapshot(encodeSnapshot({ ...snapshot, ...s }))
    expect(bad({ range: '10.32.0.1/24' })).toThrow(expect.objectContaining({ code: 'ERR_BAD_SNAPSHOT' }))
    expect(bad({ state: Uint8Array.of(0xc1) })).toThrow(/state/)
    expect(bad({ allocations: [{ containerId: 'a', address: '10.32.1.1', subnet: '10.32.0.0/24' }] })).toThrow(/outside/)
    expect(bad({ allocations: [snapshot.allocations[0], { ...snapshot.allocations[0], containerId: 'b' }] })).toThrow(/twice/)
    expect(bad({ allocations: [snapshot.allocations[0], { ...snapshot.allocations[0], address: '10.32.0.2' }] })).toThrow(/two addresses/)
    expect(bad({ allocations: [{ containerId: 'x\n', address: '10.32.0.2', subnet: '10.32.0.0/24' }] })).toThrow(/container id/)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeSnapshot(bytes)
      } catch (err) {
        expect(err).toBeInstanceOf(IpamError)
        expect((err as IpamError).code).toBe('ERR_BAD_SNAPSHOT')
      }
    }), { numRuns: 1000 })
  })
})

describe('cidr', () => {
  it('formats and parses every IPv4 address and aligned block', () => {
    fc.assert(fc.property(fc.nat(2 ** 32 - 1), fc.integer({ min: 1, max: 30 }), (n, prefix) => {
      expect(parseAddress(formatAddress(n))).toBe(n)
      const size = 2 ** (32 - prefix)
      const c = parseCidr(`${formatAddress(n - (n % size))}/${prefix}`)
      expect(c.size).toBe(size)
      expect(parseCidr(formatCidr(c))).toEqual(c)
    }))
  })

  it('rejects host bits, IPv6, bad prefixes and junk, naming the problem', () => {
    expect(() => parseCidr('10.32.0.1/12')).toThrow(/host bits are set \(did you mean 10\.32\.0\.0\/12\?\)/)
    expect(() => parseCidr('fd00::/64')).toThrow(/IPv6 is not supported yet/)
    expect(() => parseCidr('10.0.0.0/31')).toThrow(/prefix length must be 1 to 30/)
    expect(() => parseCidr('10.0.0.0/012')).toThrow(/not a number/)
    expect(() => parseCidr('10.0.0.0')).toThrow(/no \/prefix-length/)
    expect(() => parseAddress('10.0.0.01')).toThrow(expect.objectContaining({ code: 'ERR_BAD_ADDRESS' }))
  })
})
