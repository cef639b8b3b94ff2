/** Why the data path dropped a packet or frame. Explicit values: they index the counter array. */
export enum DropReason {
  Runt = 0,
  LocalDestination = 1,
  TooBig = 2,
  NoRoute = 3,
  Short = 4,
  BadVersion = 5,
  BadKind = 6,
  UnknownSession = 7,
  Replay = 8,
  BadTag = 9,
  BadBundle = 10,
  TapWrite = 11,
  CounterExhausted = 12,
  MacTableFull = 13,
  /** A Relay or Broadcast whose ttl ran out before it could be forwarded (a routing loop). */
  TtlExpired = 14,
  /** A Relay or Broadcast plaintext too short for its hop header and payload, or with ttl 0. */
  BadHopHeader = 15,
  /** A Relay or Broadcast that did not come from a neighbour (it was inside a relayed session). */
  NotDirect = 16,
  /** A datagram on the wrong path: a direct one for a relayed session, or the reverse. */
  WrongPath = 17,
  /** One of our own broadcasts came back to us. */
  Looped = 18,
}

export const DROP_REASON_NAMES: readonly string[] = [
  'runt', 'local_destination', 'too_big', 'no_route', 'short', 'bad_version', 'bad_kind',
  'unknown_session', 'replay', 'bad_tag', 'bad_bundle', 'tap_write', 'counter_exhausted', 'mac_table_full',
  'ttl_expired', 'bad_hop_header', 'not_direct', 'wrong_path', 'looped',
]

/** Counts drops by reason; one array slot per reason, no allocation when counting. */
export class DropCounters {
  private readonly counts = new Float64Array(DROP_REASON_NAMES.length)

  count(reason: DropReason): void {
    this.counts[reason]++
  }

  get(reason: DropReason): number {
    return this.counts[reason]
  }

  toJSON(): Record<string, number> {
    const out: Record<string, number> = {}
    DROP_REASON_NAMES.forEach((name, i) => {
      out[name] = this.counts[i]
    })
    return out
  }
}
