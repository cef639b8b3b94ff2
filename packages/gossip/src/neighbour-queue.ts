// What waits to be sent to one neighbour until the next flush:
//
//   full    channels whose full state goes out at the next flush (it is read at flush time, so
//           it holds no bytes here and makes every pending delta of that channel redundant);
//   deltas  encoded deltas per channel, counted against the byte bound;
//   resync  channels whose deltas were dropped on overflow: their full state goes out at the
//           next anti-entropy round, which restores what the dropped deltas carried;
//   digests channels whose digest (summary) goes out at the next flush, read at flush time;
//   replies encoded digest messages answering this neighbour's digests, counted against the
//           bound like deltas (dropped on overflow: the next digest round asks again).
//
// Pending deltas are always already merged into the local state (relayed deltas by `merge`,
// published ones by the caller), so a later full state of the channel contains them.

import { QUEUE_COMPACTED_FILL_FRACTION } from './constants.js'
import type { GossipChannel } from './gossip-channel.js'

/** A delta waiting for a neighbour; `bytes` may be shared with other neighbours' queues. */
export interface PendingDelta {
  readonly data: unknown
  readonly bytes: Uint8Array
}

/** What one flush sends to a neighbour. */
export interface QueueBatch {
  readonly full: ReadonlySet<string>
  readonly deltas: ReadonlyMap<string, readonly PendingDelta[]>
  readonly digests: ReadonlySet<string>
  /** Encoded digest replies by channel (the channel's name, not the digest channel's). */
  readonly replies: ReadonlyMap<string, readonly Uint8Array[]>
}

/** Outcome of `NeighbourQueue.push`: how many deltas were dropped to keep the bound (0: none). */
export type PushResult = { dropped: number }

export class NeighbourQueue {
  private full = new Set<string>()
  private deltas = new Map<string, PendingDelta[]>()
  private readonly resync = new Set<string>()
  private digests = new Set<string>()
  private replies = new Map<string, Uint8Array[]>()
  private replyCount = 0
  private byteCount = 0
  private deltaCount = 0

  constructor(private readonly maxBytes: number) {}

  /** Bytes of pending deltas (never above the bound once `push` returns). */
  get bytes(): number {
    return this.byteCount
  }

  /** Pending messages: deltas, full states, digests and digest replies. */
  get pending(): number {
    return this.deltaCount + this.full.size + this.digests.size + this.replyCount
  }

  /** The digest of `channel` goes out at the next flush. */
  requestDigest(channel: string): void {
    this.digests.add(channel)
  }

  /**
   * Queues a digest reply of `channel`. Returns false (queuing nothing) if it would break the
   * byte bound: the exchange is dropped, and the next digest round starts it again.
   */
  pushReply(channel: string, bytes: Uint8Array): boolean {
    if (this.byteCount + bytes.length > this.maxBytes) return false
    let list = this.replies.get(channel)
    if (list === undefined) this.replies.set(channel, (list = []))
    list.push(bytes)
    this.byteCount += bytes.length
    this.replyCount += 1
    return true
  }

  /**
   * Queues a delta of `channel`. A delta over half the bound alone (a big relayed merge, a digest
   * answer to a peer that lacks most records) is not queued: the channel's full state goes out at
   * the next flush instead, read then and split into messages that fit, rather than overflow the
   * queue and wait for anti-entropy. If a delta breaks the byte bound, merges each channel's deltas with
   * `combine` where the channel has one; if the queue is still over half the bound, drops every
   * pending delta and marks their channels for a full-state resend at the next anti-entropy.
   */
  push(channel: GossipChannel<unknown>, delta: PendingDelta,
    lookup: (name: string) => GossipChannel<unknown> | undefined): PushResult {
    if (this.full.has(channel.name)) return { dropped: 0 }
    if (delta.bytes.length > this.maxBytes * QUEUE_COMPACTED_FILL_FRACTION) {
      this.requestFull(channel.name)
      return { dropped: 0 }
    }
    let list = this.deltas.get(channel.name)
    if (list === undefined) this.deltas.set(channel.name, (list = []))
    list.push(delta)
    this.byteCount += delta.bytes.length
    this.deltaCount += 1
    if (this.byteCount <= this.maxBytes) return { dropped: 0 }
    this.compact(lookup)
    if (this.byteCount <= this.maxBytes * QUEUE_COMPACTED_FILL_FRACTION) return { dropped: 0 }
    const dropped = this.deltaCount
    for (const name of this.deltas.keys()) this.resync.add(name)
    for (const d of this.deltas.values()) for (const x of d) this.byteCount -= x.bytes.length
    this.deltas.clear()
    this.deltaCount = 0
    return { dropped }
  }

  /** The full state of `channel` goes out at the next flush, replacing its pending deltas. */
  requestFull(channel: string): void {
    this.full.add(channel)
    this.resync.delete(channel)
    const list = this.deltas.get(channel)
    if (list === undefined) return
    for (const d of list) this.byteCount -= d.bytes.length
    this.deltaCount -= list.length
    this.deltas.delete(channel)
  }

  /** Turns every pending resync into a full-state request (called at anti-entropy). */
  promoteResync(): void {
    for (const channel of [...this.resync]) this.requestFull(channel)
  }

  /** Hands out everything pending and leaves the queue empty (resync marks stay). */
  take(): QueueBatch {
    const batch = { full: this.full, deltas: this.deltas, digests: this.digests, replies: this.replies }
    this.full = new Set()
    this.deltas = new Map()
    this.digests = new Set()
    this.replies = new Map()
    this.byteCount = 0
    this.deltaCount = 0
    this.replyCount = 0
    return batch
  }

  /** Merges the pending deltas of every channel that can combine into one delta per channel. */
  private compact(lookup: (name: string) => GossipChannel<unknown> | undefined): void {
    for (const [name, list] of this.deltas) {
      const channel = lookup(name)
      if (list.length < 2 || channel?.combine === undefined) continue
      const combine = channel.combine.bind(channel)
      let data: unknown
      let bytes: Uint8Array
      try {
        data = list.slice(1).reduce<unknown>((a, d) => combine(a, d.data), list[0].data)
        bytes = channel.encode(data)
      } catch {
        continue // a broken combine or encode: keep the deltas as they are (they may be dropped)
      }
      for (const d of list) this.byteCount -= d.bytes.length
      this.deltaCount -= list.length - 1
      this.byteCount += bytes.length
      this.deltas.set(name, [{ data, bytes }])
    }
  }
}
