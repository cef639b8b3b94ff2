// The engine's counters: messages and bytes per channel and direction, drops by reason.

/** Messages and bytes of one channel in one direction. */
export interface ChannelCounters {
  messages: number
  bytes: number
}

/** Why the engine dropped something; every reason starts at 0 in `stats().drops`. */
export type GossipDropReason =
  /** A message for a channel this engine does not have. */
  | 'unknown-channel'
  /** A payload its channel could not decode. */
  | 'bad-payload'
  /** A digest message its channel could not decode. */
  | 'bad-digest'
  /** A decoded payload its channel's `merge` threw on. */
  | 'merge-failed'
  /** A delta or full state its channel could not encode (a bug in the channel). */
  | 'encode-failed'
  /** `send` threw (the connection is going away, or the payload is too large for it). */
  | 'send-failed'
  /** Queued deltas dropped to keep a neighbour's queue bound (counted per delta). */
  | 'queue-overflow'
  /** A message received after `close()`. */
  | 'closed'

export const GOSSIP_DROP_REASONS: readonly GossipDropReason[] = [
  'unknown-channel', 'bad-payload', 'bad-digest', 'merge-failed', 'encode-failed', 'send-failed', 'queue-overflow', 'closed',
]

export interface GossipStats {
  /** Per registered channel: messages and bytes handed to `send`. */
  sent: Record<string, ChannelCounters>
  /** Per registered channel: messages and bytes received (including ones dropped later). */
  received: Record<string, ChannelCounters>
  /** Per reason (`GossipDropReason`): what was dropped. */
  drops: Record<string, number>
  /** Messages waiting for a flush, over all neighbours (deltas and full states). */
  queued: number
  /** Bytes of deltas waiting for a flush, over all neighbours. */
  queuedBytes: number
}

export class GossipCounters {
  private readonly sentBy = new Map<string, ChannelCounters>()
  private readonly receivedBy = new Map<string, ChannelCounters>()
  private readonly drops = new Map<GossipDropReason, number>(GOSSIP_DROP_REASONS.map((r) => [r, 0]))

  addChannel(channel: string): void {
    this.sentBy.set(channel, { messages: 0, bytes: 0 })
    this.receivedBy.set(channel, { messages: 0, bytes: 0 })
  }

  sent(channel: string, bytes: number): void {
    const c = this.sentBy.get(channel)
    if (c === undefined) return
    c.messages += 1
    c.bytes += bytes
  }

  received(channel: string, bytes: number): void {
    const c = this.receivedBy.get(channel)
    if (c === undefined) return
    c.messages += 1
    c.bytes += bytes
  }

  drop(reason: GossipDropReason, count = 1): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + count)
  }

  snapshot(queued: number, queuedBytes: number): GossipStats {
    const copy = (m: Map<string, ChannelCounters>): Record<string, ChannelCounters> =>
      Object.fromEntries([...m].map(([k, v]) => [k, { ...v }]))
    return { sent: copy(this.sentBy), received: copy(this.receivedBy), drops: Object.fromEntries(this.drops), queued, queuedBytes }
  }
}
