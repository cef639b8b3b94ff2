/** Why a datagram did not reach a bind. */
export type DropReason =
  /** Lost on a lossy link (`LinkProps.loss`). */
  | 'loss'
  /** A partition or block between two nodes on its path. */
  | 'partition'
  /** Bigger than a hop's MTU. */
  | 'mtu'
  /** Reached the host, but no bind on the port. */
  | 'no-listener'
  /** No node owns the address, a routing loop, or a hairpin the NAT does not do. */
  | 'no-route'
  /** Reached a NAT's public address on a port with no live mapping or forward. */
  | 'nat-no-mapping'
  /** A live mapping whose filtering refused the sender. */
  | 'nat-filtered'
  /** The intercept hook said `drop`. */
  | 'intercept'

export const DROP_REASONS: readonly DropReason[] = Object.freeze([
  'loss', 'partition', 'mtu', 'no-listener', 'no-route', 'nat-no-mapping', 'nat-filtered', 'intercept',
])

/** Datagram counters of a `SimNetwork` (streams are not counted here). */
export interface SimCounters {
  /** Datagrams handed to `send`. */
  readonly sent: number
  /** Datagrams handed to a bind's handler (duplicates count twice). */
  readonly delivered: number
  /** Extra copies made by duplicating links. */
  readonly duplicated: number
  readonly dropped: Readonly<Record<DropReason, number>>
}

/** @internal */
export interface MutableCounters {
  sent: number
  delivered: number
  duplicated: number
  dropped: Record<DropReason, number>
}

/** @internal */
export function createCounters(): MutableCounters {
  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>
  return { sent: 0, delivered: 0, duplicated: 0, dropped }
}

/** @internal */
export function snapshotCounters(c: MutableCounters): SimCounters {
  return Object.freeze({ ...c, dropped: Object.freeze({ ...c.dropped }) })
}
