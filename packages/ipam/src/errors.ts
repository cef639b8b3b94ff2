// Errors of @weft/ipam. Local calls (allocate, claim, options) reject or throw `IpamError` with a
// stable code; what a peer sends never throws out of `merge`: a bad message fails in `decode`
// (the gossip engine drops and counts it) and a conflicting one is counted in `stats()`.

/** Stable codes of `IpamError`; match on these, never on messages. */
export type IpamErrorCode =
  /** An option or argument is outside its documented range (a programming error). */
  | 'ERR_BAD_ARGUMENT'
  /** A CIDR is malformed, has host bits set, or is not IPv4. */
  | 'ERR_BAD_CIDR'
  /** An address is malformed, or is a subnet's network or broadcast address. */
  | 'ERR_BAD_ADDRESS'
  /** A subnet or address lies outside the allocation range. */
  | 'ERR_OUT_OF_RANGE'
  /** A gossip payload is malformed (see `IpamError.reason`). */
  | 'ERR_BAD_PAYLOAD'
  /** What the store loaded is not a valid snapshot. */
  | 'ERR_BAD_SNAPSHOT'
  /** `IpamStore.save` failed: the operation was not acknowledged and was undone. */
  | 'ERR_STORE'
  /** An allocation stayed blocked (no ring, no consensus, no donor) until its timeout. */
  | 'ERR_TIMEOUT'
  /** The claimed address is ours but another container holds it. */
  | 'ERR_ADDRESS_IN_USE'
  /** The claimed address belongs to another peer that has addresses in use around it. */
  | 'ERR_CLAIMED_ELSEWHERE'
  /** The container already holds another address in that subnet. */
  | 'ERR_CONTAINER_HAS_ADDRESS'
  /** `transferTo` with allocations still held (pass `dropAllocations` to hand them over too). */
  | 'ERR_HAS_ALLOCATIONS'
  /** An observer was asked to take over space; run it on a peer that owns space. */
  | 'ERR_OBSERVER'
  /** The allocator is closed. */
  | 'ERR_CLOSED'

/** Why a payload was rejected, for drop counters. */
export type BadPayloadReason =
  /** Not plain msgpack (extensions, truncation, trailing bytes, too deep). */
  | 'not-msgpack'
  /** A field is missing, unknown, of the wrong type or out of range. */
  | 'bad-field'
  /** A format version this peer does not speak. */
  | 'bad-version'

export class IpamError extends Error {
  override readonly name = 'IpamError'
  readonly code: IpamErrorCode
  /** Set for `ERR_BAD_PAYLOAD` only. */
  readonly reason: BadPayloadReason | undefined

  constructor(code: IpamErrorCode, message: string, reason?: BadPayloadReason) {
    super(message)
    this.code = code
    this.reason = reason
  }
}

/** Throws `ERR_BAD_ARGUMENT` with `message` unless `ok`. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new IpamError('ERR_BAD_ARGUMENT', message)
}
