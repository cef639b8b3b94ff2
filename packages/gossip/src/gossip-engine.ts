// The gossip engine: named channels over one set of neighbours.
//
//   1. receive   decode -> merge -> relay what merge reports as new to every other neighbour
//   2. publish   a local change: queue it for every neighbour
//   3. queue     per neighbour, bounded in bytes; merged with `combine` or dropped on overflow
//                (a dropped neighbour gets the full state at the next anti-entropy)
//   4. flush     on a 0 ms timer of the injected clock: one batch per neighbour; a state or
//                delta encoded over `maxMessageBytes` is split into parts that fit
//   5. anti-entropy  every interval (jittered): full state of every channel to one random
//                neighbour, plus to every neighbour whose deltas were dropped; a channel with
//                digests sends its digest to every neighbour instead, and answers digests
//                (on `<name>-digest`) with what the other side lacks (docs/GOSSIP.md "Digests")
//
// The engine never looks inside a channel's data, and nothing a peer sends makes it throw: a bad
// message is dropped, counted by reason and logged.

import type { Clock, TimerHandle } from './clock.js'
import {
  ANTI_ENTROPY_JITTER_FRACTION, DEFAULT_ANTI_ENTROPY_INTERVAL_MS, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_QUEUE_BYTES_PER_NEIGHBOUR,
  DIGEST_CHANNEL_SUFFIX, MAX_CHANNEL_NAME_CHARS,
} from './constants.js'
import { GossipError } from './errors.js'
import { assertChannelName, type DigestAnswer, type GossipChannel } from './gossip-channel.js'
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
  /**
   * Largest payload handed to `send`, in bytes. A state or delta of a channel with `split` that
   * encodes larger goes out as several messages under it. Default `DEFAULT_MAX_MESSAGE_BYTES`
   * (what one `gossip` control message carries, just under 1 MiB).
   */
  maxMessageBytes?: number
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
  /** Channels with digests, by the name their digest messages travel under (`<name>-digest`). */
  private readonly digestChannels = new Map<string, GossipChannel<unknown>>()
  private readonly queues = new Map<string, NeighbourQueue>()
  private readonly counters = new GossipCounters()
  private readonly intervalMs: number
  private readonly maxQueueBytes: number
  private readonly maxMessageBytes: number
  private readonly lookup = (name: string): GossipChannel<unknown> | undefined => this.channels.get(name)
  private flushTimer: TimerHandle | null = null
  /** Full states encoded during the current flush, shared by its neighbours; null between flushes. */
  private fullCache: Map<string, Uint8Array[] | null> | null = null
  private antiEntropyTimer: TimerHandle | null = null
  private closed = false

  constructor(private readonly init: GossipInit, private readonly c: GossipComponents) {
    if (typeof init.selfId !== 'string' || init.selfId === '') {
      throw new GossipError('ERR_BAD_ARGUMENT', 'selfId must be a non-empty string')
    }
    this.intervalMs = init.antiEntropyIntervalMs ?? DEFAULT_ANTI_ENTROPY_INTERVAL_MS
    this.maxQueueBytes = init.maxQueueBytesPerNeighbour ?? DEFAULT_MAX_QUEUE_BYTES_PER_NEIGHBOUR
    this.maxMessageBytes = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    if (!Number.isFinite(this.intervalMs) || this.intervalMs <= 0) {
      throw new GossipError('ERR_BAD_ARGUMENT', `antiEntropyIntervalMs must be a positive number, got ${this.intervalMs}`)
    }
    if (!Number.isSafeInteger(this.maxQueueBytes) || this.maxQueueBytes <= 0) {
      throw new GossipError('ERR_BAD_ARGUMENT', `maxQueueBytesPerNeighbour must be a positive integer, got ${this.maxQueueBytes}`)
    }
    if (!Number.isSafeInteger(this.maxMessageBytes) || this.maxMessageBytes <= 0) {
      throw new GossipError('ERR_BAD_ARGUMENT', `maxMessageBytes must be a positive integer, got ${this.maxMessageBytes}`)
    }
    this.scheduleAntiEntropy()
  }

  registerChannel<D>(channel: GossipChannel<D>): void {
    assertChannelName(channel.name)
    if (this.channels.has(channel.name) || this.digestChannels.has(channel.name)) {
      throw new GossipError('ERR_DUPLICATE_CHANNEL', `channel ${channel.name} is already registered; register it once`)
    }
    const digests = hasDigests(channel)
    const digestName = channel.name + DIGEST_CHANNEL_SUFFIX
    if (digests) {
      if (digestName.length > MAX_CHANNEL_NAME_CHARS) {
        throw new GossipError('ERR_BAD_CHANNEL_NAME', `channel ${channel.name} has digests, so its name must be at most ${MAX_CHANNEL_NAME_CHARS - DIGEST_CHANNEL_SUFFIX.length} characters`)
      }
      if (this.channels.has(digestName)) {
        throw new GossipError('ERR_DUPLICATE_CHANNEL', `channel ${digestName} is registered, so ${channel.name} cannot have digests; rename one`)
      }
    } else if ((channel.digest === undefined) !== (channel.answerDigest === undefined)) {
      throw new GossipError('ERR_BAD_ARGUMENT', `channel ${channel.name} has only one of digest and answerDigest; give it both or neither`)
    }
    this.channels.set(channel.name, channel as unknown as GossipChannel<unknown>)
    this.counters.addChannel(channel.name)
    if (digests) {
      this.digestChannels.set(digestName, channel as unknown as GossipChannel<unknown>)
      this.counters.addChannel(digestName)
    }
    for (const [peer, queue] of this.queues) this.greet(peer, queue, channel.name)
    this.scheduleFlush()
  }

  addNeighbour(peer: string): void {
    if (this.closed) return
    if (typeof peer !== 'string' || peer === '' || peer === this.init.selfId) {
      throw new GossipError('ERR_BAD_ARGUMENT', `cannot add ${JSON.stringify(String(peer)).slice(0, 20)} as a neighbour`)
    }
    let queue = this.queues.get(peer)
    if (queue === undefined) this.queues.set(peer, (queue = new NeighbourQueue(this.maxQueueBytes)))
    for (const name of this.channels.keys()) this.greet(peer, queue, name)
    this.scheduleFlush()
  }

  /**
   * What a new neighbour gets of a channel: its full state, or for a channel with digests, its
   * digest from the end with the smaller id (the other end's answer starts the exchange both ways).
   */
  private greet(peer: string, queue: NeighbourQueue, name: string): void {
    if (!hasDigests(this.channels.get(name)!)) queue.requestFull(name)
    else if (this.init.selfId < peer) queue.requestDigest(name)
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
    const digestOf = typeof channelName === 'string' ? this.digestChannels.get(channelName) : undefined
    if (digestOf !== undefined) {
      this.receiveDigest(from, digestOf, channelName, payload)
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

  /** Answers a digest message: what `from` lacks as a delta for it alone, and a digest reply. */
  private receiveDigest(from: string, channel: GossipChannel<unknown>, digestName: string, payload: Uint8Array): void {
    this.counters.received(digestName, payload instanceof Uint8Array ? payload.length : 0)
    let answer: DigestAnswer<unknown>
    try {
      answer = channel.answerDigest!(payload, from)
    } catch (err) {
      this.drop('bad-digest', from, digestName, err, 'dropped a bad gossip digest')
      return
    }
    const queue = this.queues.get(from)
    if (queue === undefined) return // not (or no longer) a neighbour: nothing to answer on
    if (answer.send !== null && answer.send !== undefined) {
      let bytes: Uint8Array
      try {
        bytes = channel.encode(answer.send)
      } catch (err) {
        this.drop('encode-failed', from, channel.name, err, 'could not encode a digest answer')
        return
      }
      const { dropped } = queue.push(channel, { data: answer.send, bytes }, this.lookup)
      if (dropped > 0) this.counters.drop('queue-overflow', dropped)
    }
    if (answer.reply !== null && answer.reply !== undefined && !queue.pushReply(channel.name, answer.reply)) {
      this.counters.drop('queue-overflow')
    }
    this.scheduleFlush()
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
      if (batch.digests.has(channel.name)) {
        const key = channel.name + DIGEST_CHANNEL_SUFFIX
        let bytes = this.fullCache?.get(key)
        if (bytes === undefined) {
          bytes = this.encodeDigest(channel)
          this.fullCache?.set(key, bytes)
        }
        if (bytes !== null) for (const part of bytes) this.sendTo(peer, key, part)
      }
      for (const bytes of batch.replies.get(channel.name) ?? []) {
        if (this.queues.get(peer) !== queue) return
        this.sendTo(peer, channel.name + DIGEST_CHANNEL_SUFFIX, bytes)
      }
      if (batch.full.has(channel.name)) {
        let bytes = this.fullCache?.get(channel.name)
        if (bytes === undefined) {
          bytes = this.encodeFull(channel)
          this.fullCache?.set(channel.name, bytes)
        }
        if (bytes !== null) for (const part of bytes) this.sendTo(peer, channel.name, part)
        continue
      }
      const list = batch.deltas.get(channel.name)
      if (list !== undefined) for (const bytes of this.coalesce(channel, list)) this.sendTo(peer, channel.name, bytes)
    }
  }

  /**
   * One message for a channel's pending deltas if it can combine them, else one per delta; each
   * split into parts under `maxMessageBytes` if the channel can split.
   */
  private coalesce(channel: GossipChannel<unknown>, list: readonly PendingDelta[]): Uint8Array[] {
    const each = (): Uint8Array[] => list.flatMap((d) => this.fit(channel, d.data, d.bytes))
    if (list.length === 1 || channel.combine === undefined) return each()
    try {
      const combine = channel.combine.bind(channel)
      const data = list.slice(1).reduce<unknown>((a, d) => combine(a, d.data), list[0].data)
      return this.fit(channel, data, channel.encode(data))
    } catch {
      return each()
    }
  }

  /**
   * `bytes` (the encoding of `data`) if it fits `maxMessageBytes`, else the encodings of the parts
   * `channel.split` cuts it into, halving until each fits or cannot be split (sent as it is: the
   * transport counts it as `send-failed`), or whole if the channel's split or encode throws.
   */
  private fit(channel: GossipChannel<unknown>, data: unknown, bytes: Uint8Array): Uint8Array[] {
    if (bytes.length <= this.maxMessageBytes || channel.split === undefined) return [bytes]
    try {
      const halves = channel.split(data)
      if (halves === null) return [bytes]
      return halves.flatMap((half) => this.fit(channel, half, channel.encode(half)))
    } catch {
      return [bytes]
    }
  }

  private encodeDigest(channel: GossipChannel<unknown>): Uint8Array[] | null {
    try {
      return [channel.digest!()]
    } catch (err) {
      this.drop('encode-failed', this.init.selfId, channel.name, err, 'could not make a gossip digest')
      return null
    }
  }

  private encodeFull(channel: GossipChannel<unknown>): Uint8Array[] | null {
    try {
      const data = channel.full()
      return this.fit(channel, data, channel.encode(data))
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
    const full = [...this.channels.values()].filter((c) => !hasDigests(c))
    if (this.queues.size > 0 && full.length > 0) {
      const peers = [...this.queues.values()]
      const chosen = peers[Math.floor(this.uniform() * peers.length)]
      for (const channel of full) chosen.requestFull(channel.name)
    }
    // a digest is a few bytes when the states agree: every neighbour gets one
    for (const channel of this.digestChannels.values()) for (const queue of this.queues.values()) queue.requestDigest(channel.name)
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

function hasDigests(channel: GossipChannel<unknown>): boolean {
  return channel.digest !== undefined && channel.answerDigest !== undefined
}
