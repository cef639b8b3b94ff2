// Errors of @weft/gossip. Only local programming errors throw out of the engine (`publish` on an
// unknown channel, a bad channel name); what a peer sends never does: a bad gossip message is
// dropped, counted in `stats().drops` and logged.

/** Stable codes of `GossipError`; match on these, never on messages. */
export type GossipErrorCode =
  /** A channel name is not `[a-z0-9-]{1,32}`. */
  | 'ERR_BAD_CHANNEL_NAME'
  /** A channel of that name is already registered. */
  | 'ERR_DUPLICATE_CHANNEL'
  /** `publish` named a channel that was never registered. */
  | 'ERR_UNKNOWN_CHANNEL'
  /** A gossip payload is malformed (see `GossipError.reason`): drop it and count it. */
  | 'ERR_BAD_PAYLOAD'
  /** A peer record given to `Topology` (init or `updateSelf`) breaks the record rules. */
  | 'ERR_BAD_RECORD'
  /** An argument is outside its documented range (a programming error). */
  | 'ERR_BAD_ARGUMENT'

/** Why a payload was rejected, for drop counters. */
export type BadPayloadReason =
  /** Not plain msgpack (extensions, truncation, trailing bytes, too deep). */
  | 'not-msgpack'
  /** A field is missing, unknown, of the wrong type or out of range. */
  | 'bad-field'
  /** A format version this peer does not speak. */
  | 'bad-version'

export class GossipError extends Error {
  override readonly name = 'GossipError'
  readonly code: GossipErrorCode
  /** Set for `ERR_BAD_PAYLOAD` only. */
  readonly reason: BadPayloadReason | undefined

  constructor(code: GossipErrorCode, message: string, reason?: BadPayloadReason) {
    super(message)
    this.code = code
    this.reason = reason
  }
}

export { describeValue } from '@weft/wire'
