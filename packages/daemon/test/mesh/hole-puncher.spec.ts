import fc from 'fast-check'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { Datapath } from '@weft/datapath'
import type { PeerRecord } from '@weft/gossip'
import type { Endpoint } from '@weft/udp'
import { HolePuncher, PUNCH_DEAD_AFTER_MS, PUNCH_ROUNDS_BEFORE_REASON } from '../../src/mesh/hole-puncher.js'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const C = 'c'.repeat(64)

function rec(id: string, udpPort: number, connections: Array<{ peer: string; address: string }>): PeerRecord {
  return {
    id, nickname: id[0], restartId: '0'.repeat(16), version: 1, addresses: [], udpPort,
    connections: connections.map((c) => ({ ...c, outbound: true, established: true, rttMs: null })),
  }
}

/** A data path double: records probes and the chosen path, reports what "arrived" directly. */
class FakeDatapath {
  probes: Array<{ peer: string; to: string; hearing: boolean }> = []
  punched = new Map<string, Endpoint | undefined>()
  heard = new Map<string, { endpoint: Endpoint; at: number; ackedAt: number }>()
  punch(peer: string, to: Endpoint, hearing: boolean): boolean {
    this.probes.push({ peer, to: `${to.address}:${to.port}`, hearing })
    return true
  }
  setPunched(peer: string, to: Endpoint | undefined): void {
    this.punched.set(peer, to)
  }
  punchedFrom(peer: string) {
    return this.heard.get(peer)
  }
}

describe('hole puncher', () => {
  let puncher: HolePuncher | undefined
  afterEach(() => puncher?.close())

  function setup(records: PeerRecord[]) {
    const dp = new FakeDatapath()
    let now = 1_000_000
    puncher = new HolePuncher({
      datapath: dp as unknown as Datapath, logger: pino({ level: 'silent' }), selfId: A, port: 6783,
      relayedPeers: () => [B], records: () => records, now: () => now,
    })
    return { dp, p: puncher, advance: (ms: number) => (now += ms), at: () => now }
  }

  it('probes the endpoints others see the relayed peer at, then uses the one that answers, and falls back when it goes quiet', () => {
    // c sees a's datagrams from 10.200.0.11:6783 and b's from 10.200.0.12:6783 (easy NATs)
    const { dp, p, advance, at } = setup([rec(C, 6783, [{ peer: A, address: '10.200.0.11:6783' }, { peer: B, address: '10.200.0.12:6783' }]), rec(B, 6783, [])])
    p.tick()
    expect(dp.probes).toEqual([{ peer: B, to: '10.200.0.12:6783', hearing: false }])
    expect(dp.punched.get(B)).toBeUndefined()
    expect(p.reason(B)).toBe('hole punching')
    // b's probe got through from another port than c sees: a answers there, saying it hears b,
    // but does not send traffic there before b says it hears a
    dp.heard.set(B, { endpoint: { address: '10.200.0.12', port: 40000 }, at: at(), ackedAt: 0 })
    dp.probes.length = 0
    p.tick()
    expect(dp.probes).toEqual([{ peer: B, to: '10.200.0.12:6783', hearing: true }, { peer: B, to: '10.200.0.12:40000', hearing: true }])
    expect(dp.punched.get(B)).toBeUndefined()
    dp.heard.set(B, { endpoint: { address: '10.200.0.12', port: 40000 }, at: at(), ackedAt: at() })
    dp.probes.length = 0
    p.tick()
    expect(dp.punched.get(B)).toEqual({ address: '10.200.0.12', port: 40000 })
    expect(dp.probes).toEqual([{ peer: B, to: '10.200.0.12:40000', hearing: true }])
    expect(p.punched(B)).toEqual({ address: '10.200.0.12', port: 40000 })
    advance(PUNCH_DEAD_AFTER_MS + 1)
    p.tick()
    expect(dp.punched.get(B)).toBeUndefined()
    expect(p.punched(B)).toBeUndefined()
  })

  it('says why it stays relayed: no candidate, symmetric NATs, or no answer', () => {
    expect(setup([rec(B, 6783, [])]).p.reason(B)).toMatch(/^no UDP endpoint/)
    puncher!.close()
    const sym = setup([rec(C, 6783, [{ peer: A, address: '10.200.0.11:40001' }, { peer: B, address: '10.200.0.12:51234' }]), rec(B, 6783, [])])
    for (let i = 0; i < PUNCH_ROUNDS_BEFORE_REASON; i++) sym.p.tick()
    expect(sym.p.reason(B)).toMatch(/^both behind symmetric NATs/)
    puncher!.close()
    const one = setup([rec(C, 6783, [{ peer: A, address: '10.200.0.11:6783' }, { peer: B, address: '10.200.0.12:51234' }]), rec(B, 6783, [])])
    for (let i = 0; i < PUNCH_ROUNDS_BEFORE_REASON; i++) one.p.tick()
    expect(one.p.reason(B)).toMatch(/^peer behind symmetric NAT/)
    puncher!.close()
    const quiet = setup([rec(C, 6783, [{ peer: A, address: '10.200.0.11:6783' }, { peer: B, address: '10.200.0.12:6783' }]), rec(B, 6783, [])])
    for (let i = 0; i < PUNCH_ROUNDS_BEFORE_REASON; i++) quiet.p.tick()
    expect(quiet.p.reason(B)).toBe('hole punch unanswered by 10.200.0.12:6783')
  })

  it('never throws on whatever addresses records carry (they come from gossip); probes only what parses', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('10.0.0.1:6783', '[::1]:1', 'x:0', ':::', '1.2.3.4:99999', 'example.com:6783'))), (addresses) => {
      const { dp, p } = setup([rec(C, 6783, addresses.map((address) => ({ peer: B, address })))])
      p.tick()
      expect(typeof p.reason(B)).toBe('string')
      for (const probe of dp.probes) expect(probe.to).toMatch(/^(\d+\.\d+\.\d+\.\d+|[0-9a-f:]+):\d+$/)
      p.close()
    }), { numRuns: 200 })
  })
})
