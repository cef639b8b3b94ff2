// A channel is one kind of replicated state on the gossip engine (topology, IPAM, DNS). The
// engine only moves its bytes: it asks the channel to decode, merge and encode, and relays
// whatever `merge` reports as new. It never looks inside.

import { MAX_CHANNEL_NAME_CHARS } from './constants.js'
import { GossipError } from './errors.js'

/**
 * One replicated state whose merge is a join: commutative, associative and idempotent, so the
 * engine may deliver deltas and full states in any order, any number of times.
 *
 * `D` is both a full state and a delta (a delta is just a small state).
 */
export interface GossipChannel<D> {
  /** `[a-z0-9-]{1,32}`, unique on an engine; peers must agree on it. */
  readonly name: string
  /** Encodes a state or delta. May throw only on a programming error. */
  encode(data: D): Uint8Array
  /** Decodes what a peer sent; throws (any error) on malformed input and changes nothing. */
  decode(bytes: Uint8Array): D
  /** Full local state, for anti-entropy and new neighbours. */
  full(): D
  /**
   * Applies incoming data and returns exactly what was new to us (the engine relays it to every
   * neighbour except `from`), or null if nothing was. Must be commutative, associative and
   * idempotent. If it throws, the local state must be as before the call.
   */
  merge(incoming: D, from: string): D | null
  /**
   * Optional: one delta equivalent to applying `a` then `b`, so the engine can merge deltas that
   * wait for the same neighbour. Without it, the engine keeps both.
   */
  combine?(a: D, b: D): D
  /**
   * Optional: two parts of `data` that together hold all of it (merging both is merging `data`),
   * or null if it cannot be split (one item). The engine splits a state or delta whose encoding
   * is over `GossipInit.maxMessageBytes` until every part fits. Without it, an oversized message
   * is sent whole (and a transport with a frame limit fails it: `send-failed`).
   */
  split?(data: D): [D, D] | null
  /**
   * Optional, together with `answerDigest`: a short summary of the full state. A channel that has
   * it gets anti-entropy by digest (docs/GOSSIP.md "Digests"): this summary goes to every
   * neighbour each round and to a new neighbour, instead of the full state. Digest messages travel
   * as gossip of the channel `<name>-digest`; their bytes are the channel's business.
   */
  digest?(): Uint8Array
  /**
   * Optional, together with `digest`: answers a digest message from `from` with data to send it
   * (what it lacks or holds older; the engine queues it like a delta) and a digest message back
   * to it. To end every exchange, an answer must eventually carry no `reply`. Throws (any error)
   * on a malformed digest and changes nothing; never changes the state.
   */
  answerDigest?(digest: Uint8Array, from: string): DigestAnswer<D>
}

/** What a channel answers to a digest message: both null when the two states agree. */
export interface DigestAnswer<D> {
  readonly send: D | null
  readonly reply: Uint8Array | null
}

const CHANNEL_NAME = new RegExp(`^[a-z0-9-]{1,${MAX_CHANNEL_NAME_CHARS}}$`)

/** Whether `name` is a valid channel name. */
export function isChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME.test(name)
}

/** Throws `ERR_BAD_CHANNEL_NAME` unless `name` is a valid channel name. */
export function assertChannelName(name: unknown): asserts name is string {
  if (!isChannelName(name)) {
    throw new GossipError('ERR_BAD_CHANNEL_NAME',
      `channel name ${JSON.stringify(String(name)).slice(0, 50)} is not [a-z0-9-]{1,${MAX_CHANNEL_NAME_CHARS}}; pick another name`)
  }
}
