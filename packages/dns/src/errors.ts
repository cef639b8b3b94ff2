// Errors of @weft/dns. Only configuration and start-up throw; nothing a client or an upstream
// sends does: a bad query gets FORMERR or is dropped and counted, a bad upstream answer is
// ignored and counted.

/** Stable codes of `DnsError`; match on these, never on messages. */
export type DnsErrorCode =
  /** An option is invalid (domain, address, port, TTL, range, ...). */
  | 'ERR_BAD_CONFIG'
  /** The UDP or TCP socket could not be bound. */
  | 'ERR_LISTEN'
  /** `start` was called twice, or after `close`. */
  | 'ERR_STATE'

export class DnsError extends Error {
  override readonly name = 'DnsError'
  readonly code: DnsErrorCode

  constructor(code: DnsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
