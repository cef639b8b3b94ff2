// What the `ipam` channel replicates: the ring (once there is one), the consensus acceptor records
// and the space requests. A message (full state or delta) is just a small state. The join is
// per part: the ring by `mergeRing`, the records by `mergeOwned`. A state holding no ring takes
// the incoming ring whole; two different rings never merge: a whole ring that `outranks` the
// current one replaces it (lexicographic: rank first, then entries, so still a join); any other
// is left out and reported as foreign.

import { mergeOwned } from './owned-records.js'
import { compareAcceptors, sameAcceptor, tieAcceptors, type AcceptorRecord } from './paxos.js'
import { mergeRing, outranks, type RingState } from './ring.js'
import { compareRequests, sameRequest, tieRequests, type SpaceRequest } from './space-request.js'

/** A full state or a delta of the `ipam` channel. */
export interface IpamState {
  readonly ring: RingState | null
  /** Consensus acceptor records by peer. */
  readonly paxos: ReadonlyMap<string, AcceptorRecord>
  /** Space requests by requesting peer. */
  readonly requests: ReadonlyMap<string, SpaceRequest>
}

/** Result of `joinIpam`. */
export interface IpamJoin {
  readonly state: IpamState
  /** Exactly what `incoming` brought that was new, or null. */
  readonly delta: IpamState | null
  /** Entries or records that tied at one version with different content. */
  readonly conflicts: number
  /** The incoming ring, when it was a different ring (and so left out). */
  readonly foreignRing: RingState | null
}

const NO_RECORDS: ReadonlyMap<string, never> = new Map<string, never>()

export const EMPTY_IPAM_STATE: IpamState = Object.freeze({ ring: null, paxos: NO_RECORDS, requests: NO_RECORDS })

/** A state with only the given parts. */
export function ipamState(parts: Partial<IpamState>): IpamState {
  return Object.freeze({ ring: parts.ring ?? null, paxos: parts.paxos ?? NO_RECORDS, requests: parts.requests ?? NO_RECORDS })
}

/** Whether a state holds nothing. */
export function isEmptyIpam(s: IpamState): boolean {
  return s.ring === null && s.paxos.size === 0 && s.requests.size === 0
}

/** Joins `incoming` into `current`. Commutative, associative and idempotent over states of one ring. */
export function joinIpam(current: IpamState, incoming: IpamState): IpamJoin {
  let ring = current.ring
  let ringDelta: RingState | null = null
  let conflicts = 0
  let foreignRing: RingState | null = null
  if (incoming.ring !== null) {
    if (current.ring === null || outranks(incoming.ring, current.ring)) {
      ring = ringDelta = incoming.ring
    } else if (current.ring.ringId !== incoming.ring.ringId) {
      foreignRing = incoming.ring
    } else {
      const m = mergeRing(current.ring, incoming.ring)
      ring = m.state
      ringDelta = m.delta
      conflicts += m.conflicts
    }
  }
  const paxos = mergeOwned(current.paxos, incoming.paxos, compareAcceptors, sameAcceptor, tieAcceptors)
  const requests = mergeOwned(current.requests, incoming.requests, compareRequests, sameRequest, tieRequests)
  conflicts += paxos.conflicts + requests.conflicts
  const changed = ringDelta !== null || paxos.delta.size > 0 || requests.delta.size > 0
  if (!changed) return { state: current, delta: null, conflicts, foreignRing }
  return {
    state: Object.freeze({ ring, paxos: paxos.state, requests: requests.state }),
    delta: ipamState({ ring: ringDelta, paxos: paxos.delta, requests: requests.delta }),
    conflicts,
    foreignRing,
  }
}

/** One delta equivalent to `a` then `b` (for the engine's queues). */
export function combineIpam(a: IpamState, b: IpamState): IpamState {
  return joinIpam(a, b).state
}
