import type { PathMtuInfo } from '@weft/api'
import { MIN_PROBE_DATAGRAM_BYTES, PATH_OVERHEAD_BYTES } from '@weft/datapath'
import type { ProbeAckHandler } from '@weft/datapath'
import type { Clock, TimerHandle } from '@weft/gossip'
import type { Logger } from 'pino'
import { DaemonError } from '../errors.js'
import { NODE_CLOCK } from '../mesh/node-clock.js'
import {
  PMTU_MIN_DATAGRAM_BYTES, PMTU_PROBE_SPACING_MS, PMTU_PROBE_TIMEOUT_MS, PMTU_PROBES_PER_STEP, PMTU_REPROBE_INTERVAL_MS,
  PMTU_RETRY_AFTER_FAILURE_MS, PMTU_SCAN_INTERVAL_MS,
} from './constants.js'
import { MtuSearch } from './mtu-search.js'

/** What the prober needs of the data path (`Datapath` has it all). */
export interface ProbeDatapath {
  /** Largest Probe the data path builds (underlay MTU - 28). */
  readonly maxProbeSize: number
  /** Largest relayed Probe (the inner datagram, maxProbeSize less a Relay's overhead). */
  readonly maxRelayedProbeSize: number
  sessionStats(): ReadonlyArray<{ readonly peer: string; readonly relayed: boolean }>
  sendProbe(peer: string, id: number, size: number, relayed?: boolean): boolean
  onProbeAck(handler: ProbeAckHandler): void
  setPeerMtu(peer: string, mtu: number): number | undefined
  peerPathMtu(peer: string): number | undefined
  setRelayedPeerMtu(peer: string, mtu: number): number | undefined
  relayedPeerMtu(peer: string): number | undefined
  /** The neighbour traffic to relayed `peer` goes to first, if any. */
  nextHopOf(peer: string): string | undefined
}

export interface PathMtuProberInit {
  /** The configured overlay MTU: a discovered MTU is never more. */
  mtu: number
  /** Largest datagram (UDP payload) probed; default the data path's `maxProbeSize`. */
  maxDatagramBytes?: number
  /** Smallest datagram probed (default PMTU_MIN_DATAGRAM_BYTES). */
  minDatagramBytes?: number
  /** After the last probe of a size, wait this long for an ack (ms, default PMTU_PROBE_TIMEOUT_MS). */
  probeTimeoutMs?: number
  /** Probes per size before it counts as too big (default PMTU_PROBES_PER_STEP). */
  probesPerStep?: number
  /** Time between the probes of one size (ms, default PMTU_PROBE_SPACING_MS). */
  probeSpacingMs?: number
  /** Measure a path again this long after a success (ms, default PMTU_REPROBE_INTERVAL_MS). */
  reprobeIntervalMs?: number
  /** ...and after a failure (ms, default PMTU_RETRY_AFTER_FAILURE_MS). */
  retryAfterFailureMs?: number
  /** Look for neighbours that came or went this often (ms, default PMTU_SCAN_INTERVAL_MS). */
  scanIntervalMs?: number
}

export interface PathMtuProberComponents {
  datapath: ProbeDatapath
  /** Default: Node's timers, unref'd. */
  clock?: Clock
  logger?: Logger
}

/** What the prober knows of one neighbour's path, and the search under way. */
interface PathEntry {
  readonly peer: string
  /** Measured end to end through relays (the peer's traffic is relayed), first hop `via`. */
  readonly relayed: boolean
  readonly via: string | undefined
  state: PathMtuInfo['state']
  search: MtuSearch | undefined
  /** Ids of the probes sent for the current size: a late ack of an earlier one counts too. */
  readonly ids: Set<number>
  attempts: number
  timer: TimerHandle | undefined
  datagramBytes: number | null
  mtu: number | null
  discoveredAt: number | null
  nextSearchAt: number
  /** Searches in a row that got no ack at all. */
  failures: number
}

/**
 * Path-MTU discovery on the underlay, per peer we send to (docs/WIRE.md §5): to a neighbour on
 * its direct session, to a peer whose traffic is relayed end to end through the relays (relayed
 * Probes, measured again when its first hop changes; `setRelayedPeerMtu`). When
 * one appears, and every PMTU_REPROBE_INTERVAL_MS after, a binary search (`MtuSearch`) finds the
 * largest datagram that gets a ProbeAck, between PMTU_MIN_DATAGRAM_BYTES and the underlay MTU
 * - 28: per size, up to PMTU_PROBES_PER_STEP probes PMTU_PROBE_SPACING_MS apart until one is
 * acknowledged, then PMTU_PROBE_TIMEOUT_MS more for a late ack (500 ms for a size the path
 * drops; one round trip for one it carries). The result, minus what a
 * datagram adds around an IP packet (PATH_OVERHEAD_BYTES) and capped by the configured MTU,
 * becomes the peer's MTU in the data path (`setPeerMtu`). It relies on no ICMP from the network.
 *
 * Probing never holds traffic back: until a search ends, the MTU in force (configured, or found
 * before) stays. A search that gets no ack at all (a peer that predates probes, a dead path)
 * leaves it too and is retried after PMTU_RETRY_AFTER_FAILURE_MS. A neighbour whose direct
 * session goes away (or whose traffic moves to a relay) is forgotten, its search abandoned; a
 * new connection to it is measured afresh (the data path forgets a peer's path MTU with the peer).
 */
export class PathMtuProber {
  private readonly entries = new Map<string, PathEntry>()
  private readonly clock: Clock
  private readonly min: number
  private readonly max: number
  private readonly timeoutMs: number
  private readonly perStep: number
  private readonly spacingMs: number
  private readonly reprobeMs: number
  private readonly retryMs: number
  private readonly scanMs: number
  private scanTimer: TimerHandle | undefined
  private nextId = 1
  private closed = false

  constructor(private readonly init: PathMtuProberInit, private readonly c: PathMtuProberComponents) {
    this.clock = c.clock ?? NODE_CLOCK
    this.max = init.maxDatagramBytes ?? c.datapath.maxProbeSize
    this.min = Math.min(init.minDatagramBytes ?? PMTU_MIN_DATAGRAM_BYTES, this.max)
    this.timeoutMs = positive(init.probeTimeoutMs ?? PMTU_PROBE_TIMEOUT_MS, 'probe timeout')
    this.perStep = positive(init.probesPerStep ?? PMTU_PROBES_PER_STEP, 'probes per step')
    this.spacingMs = positive(init.probeSpacingMs ?? PMTU_PROBE_SPACING_MS, 'probe spacing')
    this.reprobeMs = positive(init.reprobeIntervalMs ?? PMTU_REPROBE_INTERVAL_MS, 'reprobe interval')
    this.retryMs = positive(init.retryAfterFailureMs ?? PMTU_RETRY_AFTER_FAILURE_MS, 'retry interval')
    this.scanMs = positive(init.scanIntervalMs ?? PMTU_SCAN_INTERVAL_MS, 'scan interval')
    if (!Number.isInteger(this.min) || this.min < MIN_PROBE_DATAGRAM_BYTES || !Number.isInteger(this.max) ||
        this.max > c.datapath.maxProbeSize) {
      throw new DaemonError('ERR_CONFIG',
        `path MTU probes of ${this.min}..${this.max} bytes cannot be sent: use ${MIN_PROBE_DATAGRAM_BYTES}..${c.datapath.maxProbeSize}`)
    }
  }

  /** Takes the data path's ProbeAcks and starts watching neighbours (the first scan is at once). */
  start(): void {
    this.c.datapath.onProbeAck(this.acked)
    this.scanTimer = this.clock.setTimeout(this.scan, 0)
  }

  /** Stops every search and timer; the MTUs set stay in the data path. */
  close(): void {
    this.closed = true
    if (this.scanTimer !== undefined) this.clock.clearTimeout(this.scanTimer)
    for (const e of this.entries.values()) this.abandon(e)
    this.entries.clear()
    this.c.datapath.onProbeAck(() => {})
  }

  /**
   * Path-MTU discovery of `peer`, with the MTU it set: of its direct path, or with `relayed` of its
   * path through relays; undefined for peers not watched that way.
   */
  pmtuFor(peer: string, relayed = false): (PathMtuInfo & { mtu: number | null }) | undefined {
    const e = this.entries.get(peer)
    return e && e.relayed === relayed ? { state: e.state, datagramBytes: e.datagramBytes, discoveredAt: e.discoveredAt, mtu: e.mtu } : undefined
  }

  /** Looks for neighbours that came or went, and starts the searches that are due. */
  readonly scan = (): void => {
    if (this.closed) return
    const now = this.clock.now()
    const dp = this.c.datapath
    // every peer we send to: directly, or through relays (a relay path whose first hop changed is new)
    const paths = new Map<string, string | undefined>()
    for (const s of dp.sessionStats()) paths.set(s.peer, s.relayed ? dp.nextHopOf(s.peer) ?? '' : undefined)
    for (const e of this.entries.values()) {
      const via = paths.get(e.peer)
      if (paths.has(e.peer) && (via !== undefined) === e.relayed && via === e.via) continue
      this.abandon(e)
      this.entries.delete(e.peer)
    }
    for (const [peer, via] of paths) {
      const relayed = via !== undefined
      if (relayed && via === '') continue // no route yet: nothing to probe through
      let e = this.entries.get(peer)
      if (e !== undefined && e.search === undefined && (relayed ? dp.relayedPeerMtu(peer) : dp.peerPathMtu(peer)) === undefined) {
        e = undefined // finished before, forgotten by the data path since: a new connection
      }
      if (e === undefined) {
        e = {
          peer, relayed, via, state: 'probing', search: undefined, ids: new Set(), attempts: 0, timer: undefined,
          datagramBytes: null, mtu: null, discoveredAt: null, nextSearchAt: now, failures: 0,
        }
        this.entries.set(peer, e)
      }
      if (e.search === undefined && now >= e.nextSearchAt) this.begin(e)
    }
    this.scanTimer = this.clock.setTimeout(this.scan, this.scanMs)
  }

  private begin(e: PathEntry): void {
    e.state = 'probing'
    const max = e.relayed ? Math.min(this.max, this.c.datapath.maxRelayedProbeSize) : this.max
    e.search = new MtuSearch(Math.min(this.min, max), max)
    this.step(e)
  }

  /** Probes the search's next size, or ends the search. */
  private step(e: PathEntry): void {
    const size = e.search?.next
    if (size === undefined) {
      this.finish(e)
      return
    }
    e.ids.clear()
    e.attempts = 0
    this.send(e, size)
  }

  private send(e: PathEntry, size: number): void {
    const id = this.nextId
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1
    e.ids.add(id)
    e.attempts++
    if (!this.c.datapath.sendProbe(e.peer, id, size, e.relayed)) {
      // no such session any more: the next scan forgets the peer, or measures it again
      this.abandon(e)
      e.state = 'failed'
      e.nextSearchAt = this.clock.now() + this.retryMs
      return
    }
    const wait = e.attempts < this.perStep ? this.spacingMs : this.timeoutMs
    e.timer = this.clock.setTimeout(() => this.timedOut(e, size), wait)
  }

  private timedOut(e: PathEntry, size: number): void {
    e.timer = undefined
    if (e.search?.next !== size) return
    if (e.attempts < this.perStep) {
      this.send(e, size)
      return
    }
    e.search.record(false)
    this.step(e)
  }

  private readonly acked = (peer: string, id: number, size: number): void => {
    const e = this.entries.get(peer)
    if (e?.search === undefined || e.search.next !== size || !e.ids.has(id)) return // stale or not ours
    if (e.timer !== undefined) this.clock.clearTimeout(e.timer)
    e.timer = undefined
    e.search.record(true)
    this.step(e)
  }

  private finish(e: PathEntry): void {
    const search = e.search!
    e.search = undefined
    const now = this.clock.now()
    const short = e.peer.slice(0, 12)
    if (search.largestAcked === 0) {
      e.failures++
      e.state = 'failed'
      e.nextSearchAt = now + this.retryMs
      // marks the peer as measured in the data path (a new connection then shows as forgotten)
      if (this.measured(e) === undefined) this.setMtu(e, this.init.mtu)
      const log = { peer: short, mtu: e.mtu ?? this.init.mtu, reason: 'no probe answered' }
      if (e.failures === 1) this.c.logger?.warn(log, 'path mtu probing failed: keeping the mtu')
      else this.c.logger?.debug(log, 'path mtu probing failed: keeping the mtu')
      return
    }
    const before = e.mtu
    const mtu = Math.min(this.init.mtu, search.largestAcked - PATH_OVERHEAD_BYTES)
    e.mtu = this.setMtu(e, mtu) ?? mtu
    e.state = 'done'
    e.failures = 0
    e.datagramBytes = search.largestAcked
    e.discoveredAt = now
    e.nextSearchAt = now + this.reprobeMs
    if (e.mtu !== before) this.c.logger?.info({ peer: short, mtu: e.mtu, relayed: e.relayed }, 'path mtu discovered')
  }

  private measured(e: PathEntry): number | undefined {
    return e.relayed ? this.c.datapath.relayedPeerMtu(e.peer) : this.c.datapath.peerPathMtu(e.peer)
  }

  private setMtu(e: PathEntry, mtu: number): number | undefined {
    return e.relayed ? this.c.datapath.setRelayedPeerMtu(e.peer, mtu) : this.c.datapath.setPeerMtu(e.peer, mtu)
  }

  /** Stops `e`'s search, if any, without a result. */
  private abandon(e: PathEntry): void {
    if (e.timer !== undefined) this.clock.clearTimeout(e.timer)
    e.timer = undefined
    e.search = undefined
    e.ids.clear()
  }
}

function positive(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new DaemonError('ERR_CONFIG', `path MTU ${what} ${value} is not a positive integer: pass one`)
  }
  return value
}

/** Starts a prober (see `PathMtuProber`). */
export function createPathMtuProber(init: PathMtuProberInit, components: PathMtuProberComponents): PathMtuProber {
  const prober = new PathMtuProber(init, components)
  prober.start()
  return prober
}
