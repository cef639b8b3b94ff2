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
