// Errors of @weft/names. Local calls with bad arguments throw `NamesError`; what a peer sends
// never throws out of the gossip engine: `decode` throws `ERR_BAD_PAYLOAD` and the engine drops,
// counts and logs the message.

/** Stable codes of `NamesError`; match on these, never on messages. */
export type NamesErrorCode =
  /** A name is not 1-200 characters of dot-separated labels of `[A-Za-z0-9_-]`, each 1-63. */
  | 'ERR_BAD_NAME'
  /** An address is not an IPv4 or IPv6 literal. */
  | 'ERR_BAD_ADDRESS'
  /** A container id is longer than 128 characters or not printable ASCII. */
  | 'ERR_BAD_CONTAINER_ID'
  /** A peer id is not 64 lowercase hex characters. */
  | 'ERR_BAD_PEER'
  /** An option is outside its documented range (a programming error). */
  | 'ERR_BAD_ARGUMENT'
  /** This peer's logical clock reached 2^53 - 1 (never, in practice). */
  | 'ERR_VERSION_EXHAUSTED'
  /** A names message is malformed (see `NamesError.reason`): drop it and count it. */
  | 'ERR_BAD_PAYLOAD'

/** Why a payload was rejected, for drop counters (the same reasons as the topology's). */
export type BadPayloadReason =
  /** Not plain msgpack (extensions, truncation, trailing bytes, too deep). */
  | 'not-msgpack'
  /** A field is missing, unknown, of the wrong type or out of range. */
  | 'bad-field'
  /** A format version this peer does not speak. */
  | 'bad-version'

export class NamesError extends Error {
  override readonly name = 'NamesError'
  readonly code: NamesErrorCode
  /** Set for `ERR_BAD_PAYLOAD` only. */
  readonly reason: BadPayloadReason | undefined

  constructor(code: NamesErrorCode, message: string, reason?: BadPayloadReason) {
    super(message)
    this.code = code
    this.reason = reason
  }
}

export { describeValue } from '@weft/wire'
