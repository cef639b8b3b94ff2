import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ProbeAckHandler } from '@weft/datapath'
import { VirtualClock, createPrng } from '@weft/netsim'
import { DaemonError } from '../../src/errors.js'
import {
  PMTU_PROBE_SPACING_MS, PMTU_PROBE_TIMEOUT_MS, PMTU_PROBES_PER_STEP, PMTU_REPROBE_INTERVAL_MS, PMTU_RETRY_AFTER_FAILURE_MS, PMTU_SCAN_INTERVAL_MS,
} from '../../src/pmtu/constants.js'
import { PathMtuProber } from '../../src/pmtu/path-mtu-prober.js'
import type { ProbeDatapath } from '../../src/pmtu/path-mtu-prober.js'

// The prober against a fake data path on a virtual clock: each neighbour's path delivers probes
// up to a limit (the largest UDP payload it carries), acks come back after RTT_MS, and a loss
// hook drops whatever a test wants dropped.

const RTT_MS = 10
const MTU = 1376
const PEER = 'b'.repeat(64)

interface Sent { peer: string; id: number; size: number; at: number }

class FakeDatapath implements ProbeDatapath {
  readonly maxProbeSize = 1472
  readonly maxRelayedProbeSize = 1472 - 65
  /** First hop of each relayed peer. */
  readonly via = new Map<string, string>()
  readonly relayedMtus = new Map<string, number>()
  /** Largest datagram each peer's path carries; peers with a direct session. */
  readonly paths = new Map<string, number>()
  readonly relayed = new Set<string>()
  readonly mtus = new Map<string, number>()
  readonly sent: Sent[] = []
  lose: (p: Sent) => boolean = () => false
  private handler: ProbeAckHandler = () => {}

  constructor(private readonly clock: VirtualClock) {}

  sessionStats(): Array<{ peer: string; relayed: boolean }> {
    return [...this.paths.keys()].map((peer) => ({ peer, relayed: this.relayed.has(peer) }))
  }

  sendProbe(peer: string, id: number, size: number, relayed = false): boolean {
    const limit = this.paths.get(peer)
    if (limit === undefined || relayed !== this.relayed.has(peer)) return false
    if (size > (relayed ? this.maxRelayedProbeSize : this.maxProbeSize)) return false
    const p = { peer, id, size, at: this.clock.now() }
    this.sent.push(p)
    if (size <= limit && !this.lose(p)) this.clock.setTimeout(() => this.handler(peer, id, size), RTT_MS)
    return true
  }

  onProbeAck(handler: ProbeAckHandler): void {
    this.handler = handler
  }

  /** An ack as the data path would hand it over (tests forge stale ones). */
  ack(peer: string, id: number, size: number): void {
    this.handler(peer, id, size)
  }

  setPeerMtu(peer: string, mtu: number): number | undefined {
    this.mtus.set(peer, mtu)
    return this.paths.has(peer) ? Math.min(mtu, MTU) : undefined
  }

  peerPathMtu(peer: string): number | undefined {
    return this.mtus.get(peer)
  }

  setRelayedPeerMtu(peer: string, mtu: number): number | undefined {
    this.relayedMtus.set(peer, mtu)
    return this.relayed.has(peer) ? Math.min(mtu, MTU) : undefined
  }

  relayedPeerMtu(peer: string): number | undefined {
    return this.relayedMtus.get(peer)
  }

  nextHopOf(peer: string): string | undefined {
    return this.relayed.has(peer) ? this.via.get(peer) : undefined
  }

  removePeer(peer: string): void {
    this.paths.delete(peer)
    this.mtus.delete(peer)
  }
}

function setup(limit: number | undefined = 1472, init = {}) {
  const clock = new VirtualClock(1_000_000)
  const dp = new FakeDatapath(clock)
  if (limit !== undefined) dp.paths.set(PEER, limit)
  const prober = new PathMtuProber({ mtu: MTU, ...init }, { datapath: dp, clock })
  prober.start()
  return { clock, dp, prober }
}

/** Runs the clock until `peer`'s search is over (or `maxMs`). */
function untilSettled(clock: VirtualClock, prober: PathMtuProber, peer = PEER, maxMs = 60_000): void {
  const end = clock.now() + maxMs
  clock.advance(1)
  while (clock.now() < end && prober.pmtuFor(peer)?.state !== 'done' && prober.pmtuFor(peer)?.state !== 'failed') clock.advance(10)
}

/** `untilSettled` for a relayed peer's search. */
function untilRelayedSettled(clock: VirtualClock, prober: PathMtuProber, maxMs = 60_000): void {
  const end = clock.now() + maxMs
  clock.advance(1)
  while (clock.now() < end && !['done', 'failed'].includes(prober.pmtuFor(PEER, true)?.state ?? '')) clock.advance(10)
}

describe('PathMtuProber', () => {
  it('converges on the largest datagram the path carries and sets MTU = it - 48, capped', () => {
    fc.assert(fc.property(fc.integer({ min: 576, max: 1472 }), (limit) => {
      const { clock, dp, prober } = setup(limit)
      untilSettled(clock, prober)
      const info = prober.pmtuFor(PEER)!
      expect(info.state).toBe('done')
      expect(info.datagramBytes).toBe(limit)
      expect(dp.mtus.get(PEER)).toBe(Math.min(MTU, limit - 48))
      expect(info.mtu).toBe(Math.min(MTU, limit - 48))
      expect(dp.sent.length).toBeLessThanOrEqual(11 * 3) // at most 11 sizes, 3 tries each
      prober.close()
    }), { numRuns: 60 })
  })

  it('takes one probe for a path that carries the largest size', () => {
    const { clock, dp, prober } = setup(1472)
    untilSettled(clock, prober)
    expect(dp.sent.map((p) => p.size)).toEqual([1472])
    expect(prober.pmtuFor(PEER)).toEqual({ state: 'done', datagramBytes: 1472, discoveredAt: 1_000_000 + RTT_MS, mtu: MTU })
  })

  it('never changes the MTU while probing: the configured one stays until a search ends', () => {
    const { clock, dp, prober } = setup(800)
    clock.advance(1)
    expect(prober.pmtuFor(PEER)).toEqual({ state: 'probing', datagramBytes: null, discoveredAt: null, mtu: null })
    clock.advance(PMTU_PROBE_TIMEOUT_MS * 3)
    expect(dp.mtus.size).toBe(0)
    untilSettled(clock, prober)
    expect(dp.mtus.get(PEER)).toBe(800 - 48)
  })

  it('spends one round trip on a size the path carries and 500 ms on one it drops', () => {
    const { clock, dp, prober } = setup(1000)
    untilSettled(clock, prober)
    const sizes = [...new Set(dp.sent.map((p) => p.size))]
    const dropped = sizes.filter((x) => x > 1000).length
    expect(dp.sent.filter((p) => p.size > 1000)).toHaveLength(dropped * PMTU_PROBES_PER_STEP)
    const took = prober.pmtuFor(PEER)!.discoveredAt! - dp.sent[0].at
    const perDrop = (PMTU_PROBES_PER_STEP - 1) * PMTU_PROBE_SPACING_MS + PMTU_PROBE_TIMEOUT_MS
    expect(took).toBe(dropped * perDrop + (sizes.length - dropped) * RTT_MS)
  })

  it('rides out loss: a size is tried again before it counts as too big', () => {
    const { clock, dp, prober } = setup(1000)
    const tries = new Map<number, number>()
    dp.lose = (p) => {
      tries.set(p.size, (tries.get(p.size) ?? 0) + 1)
      return tries.get(p.size)! <= 2 // the first two probes of every size are lost
    }
    untilSettled(clock, prober)
    expect(prober.pmtuFor(PEER)!.datagramBytes).toBe(1000)
    expect(Math.max(...tries.values())).toBe(3)
  })

  it('under random loss never reports more than the path carries', () => {
    fc.assert(fc.property(fc.integer({ min: 576, max: 1472 }), fc.integer(), (limit, seed) => {
      const { clock, dp, prober } = setup(limit)
      const prng = createPrng(seed)
      dp.lose = () => prng.next() < 0.3
      untilSettled(clock, prober)
      const info = prober.pmtuFor(PEER)!
      if (info.state === 'done') expect(info.datagramBytes!).toBeLessThanOrEqual(limit)
      prober.close()
    }), { numRuns: 40 })
  })

  it('counts a late ack of an earlier try, and ignores acks of other sizes or unknown ids', () => {
    const { clock, dp, prober } = setup(undefined)
    dp.paths.set(PEER, 0) // nothing gets through by itself
    clock.advance(1)
    const first = dp.sent[0]
    expect(first.size).toBe(1472)
    clock.advance(PMTU_PROBE_SPACING_MS + 1) // a second try is out
    expect(dp.sent).toHaveLength(2)
    dp.ack(PEER, first.id, 1000) // the right id with the wrong size
    dp.ack(PEER, 999_999, 1472) // an id never sent
    dp.ack('c'.repeat(64), first.id, 1472) // another peer
    expect(prober.pmtuFor(PEER)!.state).toBe('probing')
    dp.ack(PEER, first.id, 1472) // the first try's ack, late
    expect(prober.pmtuFor(PEER)).toMatchObject({ state: 'done', datagramBytes: 1472 })
  })

  it('fails when nothing answers, keeps the configured MTU, and tries again later', () => {
    const { clock, dp, prober } = setup(0)
    untilSettled(clock, prober)
    expect(prober.pmtuFor(PEER)).toEqual({ state: 'failed', datagramBytes: null, discoveredAt: null, mtu: null })
    expect(dp.mtus.get(PEER)).toBe(MTU)
    expect(dp.sent.length).toBe(10 * 3) // 1472, then 9 bisection steps down through 576..1471
    const failedAt = clock.now()
    dp.paths.set(PEER, 1200)
    clock.advance(PMTU_RETRY_AFTER_FAILURE_MS - 2 * PMTU_SCAN_INTERVAL_MS)
    expect(prober.pmtuFor(PEER)!.state).toBe('failed')
    clock.advance(3 * PMTU_SCAN_INTERVAL_MS)
    untilSettled(clock, prober)
    expect(prober.pmtuFor(PEER)).toMatchObject({ state: 'done', datagramBytes: 1200 })
    expect(clock.now() - failedAt).toBeLessThan(PMTU_RETRY_AFTER_FAILURE_MS + 10_000)
  })

  it('measures again after the reprobe interval, and follows a path that shrank', () => {
    const { clock, dp, prober } = setup(1472)
    untilSettled(clock, prober)
    dp.paths.set(PEER, 900)
    clock.advance(PMTU_REPROBE_INTERVAL_MS - 2 * PMTU_SCAN_INTERVAL_MS)
    expect(dp.sent).toHaveLength(1)
    expect(prober.pmtuFor(PEER)!.datagramBytes).toBe(1472)
    clock.advance(3 * PMTU_SCAN_INTERVAL_MS)
    expect(prober.pmtuFor(PEER)).toMatchObject({ state: 'probing', datagramBytes: 1472, mtu: MTU }) // the old one holds
    untilSettled(clock, prober)
    expect(prober.pmtuFor(PEER)).toMatchObject({ state: 'done', datagramBytes: 900, mtu: 900 - 48 })
  })

  it('abandons the search of a peer that goes away, and measures a new connection afresh', () => {
    const { clock, dp, prober } = setup(800)
    clock.advance(1)
    clock.advance(PMTU_PROBE_TIMEOUT_MS * 3 + 5) // into the bisection
    const sent = dp.sent.length
    dp.removePeer(PEER)
    clock.advance(PMTU_SCAN_INTERVAL_MS * 3)
    expect(prober.pmtuFor(PEER)).toBeUndefined()
    expect(dp.sent.length).toBeLessThanOrEqual(sent + 1)
    expect(clock.pending('timeout')).toBe(1) // the scan, nothing else
    // a new connection, faster than a scan: the data path forgot the old path MTU
    dp.paths.set(PEER, 1472)
    untilSettled(clock, prober)
    expect(prober.pmtuFor(PEER)).toMatchObject({ state: 'done', datagramBytes: 1472 })
    dp.removePeer(PEER)
    dp.paths.set(PEER, 700)
    clock.advance(PMTU_SCAN_INTERVAL_MS)
    expect(prober.pmtuFor(PEER)!.state).toBe('probing')
    untilSettled(clock, prober)
    expect(prober.pmtuFor(PEER)).toMatchObject({ state: 'done', datagramBytes: 700 })
  })

  it('measures a peer reached through relays end to end, and again when its first hop changes', () => {
    const { clock, dp, prober } = setup(900)
    dp.relayed.add(PEER)
    clock.advance(PMTU_SCAN_INTERVAL_MS * 3)
    expect(dp.sent).toEqual([]) // no route yet: nothing to probe through
    dp.via.set(PEER, 'c'.repeat(64))
    untilRelayedSettled(clock, prober)
    expect(prober.pmtuFor(PEER)).toBeUndefined() // not a direct path
    expect(prober.pmtuFor(PEER, true)).toMatchObject({ state: 'done', datagramBytes: 900, mtu: 900 - 48 })
    expect(dp.relayedMtus.get(PEER)).toBe(900 - 48)
    expect(dp.mtus.has(PEER)).toBe(false)
    expect(Math.max(...dp.sent.map((p) => p.size))).toBe(1472 - 65) // the search starts at the largest relayed probe
    // another relay: measured afresh
    dp.via.set(PEER, 'd'.repeat(64))
    dp.paths.set(PEER, 700)
    clock.advance(PMTU_SCAN_INTERVAL_MS)
    expect(prober.pmtuFor(PEER, true)!.state).toBe('probing')
    untilRelayedSettled(clock, prober)
    expect(dp.relayedMtus.get(PEER)).toBe(700 - 48)
    // traffic back on the direct path: its own search
    dp.relayed.delete(PEER)
    clock.advance(PMTU_SCAN_INTERVAL_MS)
    expect(prober.pmtuFor(PEER, true)).toBeUndefined()
    untilSettled(clock, prober)
    expect(dp.mtus.get(PEER)).toBe(700 - 48)
  })

  it('stops every timer on close', () => {
    const { clock, prober } = setup(800)
    clock.advance(1)
    prober.close()
    expect(clock.pending('timeout')).toBe(0)
  })

  it('refuses settings it cannot work with, with a stable code', () => {
    const clock = new VirtualClock()
    const dp = new FakeDatapath(clock)
    for (const init of [{ probeTimeoutMs: 0 }, { probesPerStep: 1.5 }, { maxDatagramBytes: 1473 }, { minDatagramBytes: 39 }]) {
      expect(() => new PathMtuProber({ mtu: MTU, ...init }, { datapath: dp, clock })).toThrow(DaemonError)
    }
  })
})
