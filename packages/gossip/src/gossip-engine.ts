// The gossip engine: named channels over one set of neighbours.
//
//   1. receive   decode -> merge -> relay what merge reports as new to every other neighbour
//   2. publish   a local change: queue it for every neighbour
//   3. queue     per neighbour, bounded in bytes; merged with `combine` or dropped on overflow
//                (a dropped neighbour gets the full state at the next anti-entropy)
//   4. flush     on a 0 ms timer of the injected clock: one batch per neighbour
//   5. anti-entropy  every interval (jittered): full state of every channel to one random
//                neighbour, plus to every neighbour whose deltas were dropped
//
// The engine never looks inside a channel's data, and nothing a peer sends makes it throw: a bad
// message is dropped, counted by reason and logged.

import type { Clock, TimerHandle } from './clock.js'
import {
  ANTI_ENTROPY_JITTER_FRACTION, DEFAULT_ANTI_ENTROPY_INTERVAL_MS, DEFAULT_MAX_QUEUE_BYTES_PER_NEIGHBOUR,
} from './constants.js'
import { GossipError } from './errors.js'
import { assertChannelName, type GossipChannel } from './gossip-channel.js'
import { GossipCounters, type GossipDropReason, type GossipStats } from './gossip-stats.js'
import { NeighbourQueue, type PendingDelta } from './neighbour-queue.js'

export interface GossipInit {
  /** This peer's id. It is never a neighbour of itself. */
  selfId: string
  /**
   * Mean period of full-state anti-entropy, in milliseconds; each period is drawn uniformly
   * within ±20 % of it. Default `DEFAULT_ANTI_ENTROPY_INTERVAL_MS` (10 000).
   */
  antiEntropyIntervalMs?: number
  /**
   * Bound on the encoded deltas queued for one neighbour, in bytes. Default
   * `DEFAULT_MAX_QUEUE_BYTES_PER_NEIGHBOUR` (1 MiB). Full states are read at flush time and do
   * not count against it.
   */
  maxQueueBytesPerNeighbour?: number
}

/** The one logging call the engine makes (pino's `warn` fits). */
export interface GossipLogger {
  warn(obj: object, msg: string): void
}

export interface GossipComponents {
  /** All timers: the flush (0 ms) and anti-entropy. */
  clock: Clock
  /** Uniform in [0, 1): jitter and the anti-entropy neighbour. */
  random: () => number
  /**
   * Sends one gossip message to a neighbour (the router wraps it in a `gossip` control message).
   * `payload` may be shared between neighbours: never modify it. If it throws, the message is
   * counted as a `send-failed` drop.
   */
  send(peer: string, channel: string, payload: Uint8Array): void
  logger?: GossipLogger
}

export interface GossipEngine {
  /** Adds a channel; every current neighbour gets its full state. Throws on a bad or taken name. */
  registerChannel<D>(channel: GossipChannel<D>): void
  /** Adds a neighbour (again: a reconnect) and sends it the full state of every channel. */
  addNeighbour(peer: string): void
  /** Forgets a neighbour and whatever was queued for it. */
  removeNeighbour(peer: string): void
  /** Current neighbours, in the order they were added. */
  neighbours(): string[]
  /**
   * Handles a gossip message from `from`. Never throws: an unknown channel, undecodable payload
   * or failing merge is dropped, counted and logged. `payload` is only read during the call.
   */
  receive(from: string, channel: string, payload: Uint8Array): void
  /**
   * Sends a local change to every neighbour. The change must already be part of the channel's
   * state (`full()`): the engine may drop a queued delta and send the full state later instead.
   * Throws `ERR_UNKNOWN_CHANNEL` for a channel never registered.
   */
  publish(channel: string, delta: unknown): void
  /** A snapshot of the counters. */
  stats(): GossipStats
  /** Stops the timers and forgets the queues; later calls do nothing. */
  close(): void
}

/** Creates a gossip engine; its anti-entropy timer starts now. */
export function createGossipEngine(init: GossipInit, components: GossipComponents): GossipEngine {
  return new DefaultGossipEngine(init, components)
}

class DefaultGossipEngine implements GossipEngine {
  private readonly channels = new Map<string, GossipChannel<unknown>>()
  private readonly queues = new Map<string, NeighbourQueue>()
  private readonly counters = new GossipCounters()
  private readonly intervalMs: number
  private readonly maxQueueBytes: number
  private readonly lookup = (name: string): GossipChannel<unknown> | undefined => this.channels.get(name)
  private flushTimer: TimerHandle | null = null
  /** Full states encoded during the current flush, shared by its neighbours; null between flushes. */
  private fullCache: Map<string, Uint8Array | null> | null = null
  private antiEntropyTimer: TimerHandle | null = null
  private closed = false

  constructor(private readonly init: GossipInit, private readonly c: GossipComponents) {
    if (typeof init.selfId !== 'string' || init.selfId === '') {
      throw new GossipError('ERR_BAD_ARGUMENT', 'selfId must be a non-empty string')
    }
    this.intervalMs = init.antiEntropyIntervalMs ?? DEFAULT_ANTI_ENTROPY_INTERVAL_MS
    this.maxQueueBytes = init.maxQueueBytesPerNeighbour ?? DEFAULT_MAX_QUEUE_BYTES_PER_NEIGHBOUR
    if (!Number.isFinite(this.intervalMs) || this.intervalMs <= 0) {
      throw new GossipError('ERR_BAD_ARGUMENT', `antiEntropyIntervalMs must be a positive number, got ${this.intervalMs}`)
    }
    if (!Number.isSafeInteger(this.maxQueueBytes) || this.maxQueueBytes <= 0) {
      throw new GossipError('ERR_BAD_ARGUMENT', `maxQueueBytesPerNeighbour must be a positive integer, got ${this.maxQueueBytes}`)
    }
    this.scheduleAntiEntropy()
  }

  registerChannel<D>(channel: GossipChannel<D>): void {
    assertChannelName(channel.name)
    if (this.channels.has(channel.name)) {
      throw new GossipError('ERR_DUPLICATE_CHANNEL', `channel ${channel.name} is already registered; register it once`)
    }
    this.channels.set(channel.name, channel as unknown as GossipChannel<unknown>)
    this.counters.addChannel(channel.name)
    for (const queue of this.queues.values()) queue.requestFull(channel.name)
    this.scheduleFlush()
  }

  addNeighbour(peer: string): void {
    if (this.closed) return
    if (typeof peer !== 'string' || peer === '' || peer === this.init.selfId) {
      throw new GossipError('ERR_BAD_ARGUMENT', `cannot add ${JSON.stringify(String(peer)).slice(0, 20)} as a neighbour`)
    }
    let queue = this.queues.get(peer)
    if (queue === undefined) this.queues.set(peer, (queue = new NeighbourQueue(this.maxQueueBytes)))
    for (const name of this.channels.keys()) queue.requestFull(name)
    this.scheduleFlush()
  }

  removeNeighbour(peer: string): void {
    this.queues.delete(peer)
  }

  neighbours(): string[] {
    return [...this.queues.keys()]
  }

  receive(from: string, channelName: string, payload: Uint8Array): void {
    if (this.closed) {
      this.counters.drop('closed')
      return
    }
    const channel = typeof channelName === 'string' ? this.channels.get(channelName) : undefined
    if (channel === undefined) {
      this.drop('unknown-channel', from, String(channelName).slice(0, 40), undefined, 'dropped gossip for an unknown channel')
      return
    }
    this.counters.received(channel.name, payload instanceof Uint8Array ? payload.length : 0)
    let data: unknown
    try {
      data = channel.decode(payload)
    } catch (err) {
      this.drop('bad-payload', from, channel.name, err, 'dropped a bad gossip message')
      return
    }
    let delta: unknown
    try {
      delta = channel.merge(data, from)
    } catch (err) {
      this.drop('merge-failed', from, channel.name, err, 'dropped a gossip message its channel could not merge')
      return
    }
    if (delta !== null && delta !== undefined) this.spread(channel, delta, from)
  }

  publish(channelName: string, delta: unknown): void {
    if (this.closed) return
    const channel = this.channels.get(channelName)
    if (channel === undefined) {
      throw new GossipError('ERR_UNKNOWN_CHANNEL', `no channel ${JSON.stringify(String(channelName)).slice(0, 40)}; register it before publishing`)
    }
    this.spread(channel, delta, undefined)
  }

  stats(): GossipStats {
    let queued = 0
    let queuedBytes = 0
    for (const queue of this.queues.values()) {
      queued += queue.pending
      queuedBytes += queue.bytes
    }
    return this.counters.snapshot(queued, queuedBytes)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.flushTimer !== null) this.c.clock.clearTimeout(this.flushTimer)
    if (this.antiEntropyTimer !== null) this.c.clock.clearTimeout(this.antiEntropyTimer)
    this.flushTimer = null
    this.antiEntropyTimer = null
    this.queues.clear()
  }

  /** Queues `delta` of `channel` for every neighbour except `except`, encoded once. */
  private spread(channel: GossipChannel<unknown>, delta: unknown, except: string | undefined): void {
    // a send during a flush changed the state: neighbours still to come need a fresh full state
    this.fullCache?.delete(channel.name)
    if (this.queues.size === 0 || (this.queues.size === 1 && except !== undefined && this.queues.has(except))) return
    let pending: PendingDelta
    try {
      pending = { data: delta, bytes: channel.encode(delta) }
    } catch (err) {
      this.drop('encode-failed', except ?? this.init.selfId, channel.name, err, 'could not encode a gossip delta')
      return
    }
    for (const [peer, queue] of this.queues) {
      if (peer === except) continue
      const { dropped } = queue.push(channel, pending, this.lookup)
      if (dropped > 0) {
        this.counters.drop('queue-overflow', dropped)
        this.c.logger?.warn({ peer: peer.slice(0, 12), reason: 'queue-overflow', dropped },
          'dropped queued gossip deltas: the full state follows at the next anti-entropy')
      }
    }
    this.scheduleFlush()
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null || this.closed) return
    this.flushTimer = this.c.clock.setTimeout(() => this.flush(), 0)
  }

  /** Sends every neighbour its pending batch. Full states are encoded once per flush. */
  private flush(): void {
    this.flushTimer = null
    this.fullCache = new Map()
    try {
      for (const [peer, queue] of [...this.queues]) this.flushTo(peer, queue)
    } finally {
      this.fullCache = null
    }
  }

  private flushTo(peer: string, queue: NeighbourQueue): void {
    if (queue.pending === 0) return
    const batch = queue.take()
    for (const channel of this.channels.values()) {
      // a send may remove the neighbour or close the engine: stop sending to it then
      if (this.queues.get(peer) !== queue) return
      if (batch.full.has(channel.name)) {
        let bytes = this.fullCache?.get(channel.name)
        if (bytes === undefined) {
          bytes = this.encodeFull(channel)
          this.fullCache?.set(channel.name, bytes)
        }
        if (bytes !== null) this.sendTo(peer, channel.name, bytes)
        continue
      }
      const list = batch.deltas.get(channel.name)
      if (list !== undefined) for (const bytes of this.coalesce(channel, list)) this.sendTo(peer, channel.name, bytes)
    }
  }

  /** One message for a channel's pending deltas if it can combine them, else one per delta. */
  private coalesce(channel: GossipChannel<unknown>, list: readonly PendingDelta[]): Uint8Array[] {
    if (list.length === 1 || channel.combine === undefined) return list.map((d) => d.bytes)
    try {
      const combine = channel.combine.bind(channel)
      return [channel.encode(list.slice(1).reduce<unknown>((a, d) => combine(a, d.data), list[0].data))]
    } catch {
      return list.map((d) => d.bytes)
    }
  }

  private encodeFull(channel: GossipChannel<unknown>): Uint8Array | null {
    try {
      return channel.encode(channel.full())
    } catch (err) {
      this.drop('encode-failed', this.init.selfId, channel.name, err, 'could not encode a full gossip state')
      return null
    }
  }

  private sendTo(peer: string, channel: string, bytes: Uint8Array): void {
    try {
      this.c.send(peer, channel, bytes)
    } catch (err) {
      this.drop('send-failed', peer, channel, err, 'could not send a gossip message')
      return
    }
    this.counters.sent(channel, bytes.length)
  }

  private scheduleAntiEntropy(): void {
    const jitter = 1 + ANTI_ENTROPY_JITTER_FRACTION * (2 * this.uniform() - 1)
    this.antiEntropyTimer = this.c.clock.setTimeout(() => this.antiEntropy(), this.intervalMs * jitter)
  }

  /**
   * One neighbour at random, not all: the full state crosses one link per peer per interval, so
   * the cost does not grow with the degree, and each link is still checked from both ends every
   * `degree` intervals on average. New neighbours and overflowed ones are served on top.
   */
  private antiEntropy(): void {
    this.antiEntropyTimer = null
    if (this.closed) return
    this.scheduleAntiEntropy()
    for (const queue of this.queues.values()) queue.promoteResync()
    if (this.queues.size > 0 && this.channels.size > 0) {
      const peers = [...this.queues.values()]
      const chosen = peers[Math.floor(this.uniform() * peers.length)]
      for (const name of this.channels.keys()) chosen.requestFull(name)
    }
    for (const queue of this.queues.values()) {
      if (queue.pending > 0) {
        this.scheduleFlush()
        break
      }
    }
  }

  /** `random()`, clamped into [0, 1) so a bad source cannot index out of range. */
  private uniform(): number {
    const r = this.c.random()
    return Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0
  }

  private drop(reason: GossipDropReason, peer: string, channel: string, err: unknown, msg: string): void {
    this.counters.drop(reason)
    const fields: Record<string, unknown> = { peer: String(peer).slice(0, 12), channel, reason }
    if (err !== undefined) {
      fields.err = err instanceof Error ? err.message : String(err)
      if (err instanceof GossipError) fields.code = err.code
    }
    this.c.logger?.warn(fields, msg)
  }
}
