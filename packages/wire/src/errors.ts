// Errors of the control-path codecs. The data-path codecs (header, bundle, Ethernet, ICMP) never
// throw per packet: they return a result code, `false`, `-1` or `0` instead.

/** Stable codes of `WireError`; match on these, never on messages. */
export type WireErrorCode =
  /** A stream frame announced more than the framer's maximum: close the connection. */
  | 'ERR_FRAME_TOO_LARGE'
  /** A control message is not valid (see `WireError.reason`): drop it and count it. */
  | 'ERR_BAD_MESSAGE'
  /** A MAC address string or number is not valid. */
  | 'ERR_BAD_MAC'
  /** A constructor or encoder got an argument outside its documented range (a programming error). */
  | 'ERR_BAD_ARGUMENT'

/** Why a control message was rejected, for drop counters ("drops by reason"). */
export type BadMessageReason =
  | 'too-large'
  | 'not-msgpack'
  | 'not-a-map'
  | 'unknown-type'
  | 'bad-field'

export class WireError extends Error {
  override readonly name = 'WireError'
  readonly code: WireErrorCode
  /** Set for `ERR_BAD_MESSAGE` only. */
  readonly reason: BadMessageReason | undefined

  constructor(code: WireErrorCode, message: string, reason?: BadMessageReason) {
    super(message)
    this.code = code
    this.reason = reason
  }
}

/** Shows a rejected value in an error message without echoing anything large. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (Array.isArray(value)) return `an array of ${value.length}`
  switch (typeof value) {
    case 'string':
      return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} chars`
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    default:
      return typeof value === 'object' ? 'a map' : typeof value
  }
}
