// Single-decree Paxos carried as gossiped state: each participant's acceptor record is a peer-owned
// record (owned-records.ts) that only moves forward, so the records merge like any other CRDT and
// reading a peer's record is as good as receiving its reply.
//
//   promise   a participant that sees a ballot above its own promise raises its promise to it
//             (saved before anyone sees it)
//   phase 1   a proposer whose ballot b is promised by `quorum` records (promised == b exactly)
//             takes the value of the highest ballot those records accepted, or, if none accepted,
//             its own value: the `quorum` smallest participant ids it knows
//   phase 2   it accepts (b, value) itself; a participant that sees an accepted (b, value) with
//             b >= its promise accepts it too
//   decision  (b, value) accepted by `quorum` records is chosen; every peer that sees it seeds the
//             ring from `value`
//
// Quorums are any `quorum` (= N) distinct participants, phase 1 and phase 2 alike. Two sets of N
// out of fewer than 2N participants always share a peer, which is all Paxos needs: with fewer
// than 2N peers ever running `consensus=N`, at most one value is ever chosen (docs/IPAM.md).

import { compareIds } from './ring-entry.js'
import type { OwnedRecord } from './owned-records.js'

/** A ballot: (round, proposer); round 0 with proposer '' is "none". */
export interface Ballot {
  readonly round: number
  readonly proposer: string
}

/** One participant's acceptor state. */
export interface AcceptorRecord extends OwnedRecord {
  readonly peer: string
  readonly promised: Ballot
  readonly accepted: { readonly ballot: Ballot; readonly value: readonly string[] } | null
}

export const NO_BALLOT: Ballot = Object.freeze({ round: 0, proposer: '' })

export function compareBallots(a: Ballot, b: Ballot): number {
  return a.round !== b.round ? a.round - b.round : compareIds(a.proposer, b.proposer)
}

/** The growth order of one peer's record: promise, then accepted ballot. */
export function compareAcceptors(a: AcceptorRecord, b: AcceptorRecord): number {
  return compareBallots(a.promised, b.promised) || compareBallots(a.accepted?.ballot ?? NO_BALLOT, b.accepted?.ballot ?? NO_BALLOT)
}

/** Tie-break for two records at one order (only a misbehaving peer makes them): the smaller value. */
export function tieAcceptors(a: AcceptorRecord, b: AcceptorRecord): number {
  return -compareIds((a.accepted?.value ?? []).join(','), (b.accepted?.value ?? []).join(','))
}

export function sameAcceptor(a: AcceptorRecord, b: AcceptorRecord): boolean {
  return a.peer === b.peer && compareAcceptors(a, b) === 0 && tieAcceptors(a, b) === 0
}

/** A fresh record: "I take part" and nothing promised. */
export function initialAcceptor(peer: string): AcceptorRecord {
  return Object.freeze({ peer, promised: NO_BALLOT, accepted: null })
}

/** The chosen value, if `quorum` records accepted the same ballot. */
export function chosenValue(records: ReadonlyMap<string, AcceptorRecord>, quorum: number): readonly string[] | null {
  const counts = new Map<string, { n: number; value: readonly string[] }>()
  for (const r of records.values()) {
    if (r.accepted === null) continue
    const key = `${r.accepted.ballot.round}/${r.accepted.ballot.proposer}`
    const c = counts.get(key) ?? { n: 0, value: r.accepted.value }
    c.n++
    counts.set(key, c)
    if (c.n >= quorum) return c.value
  }
  return null
}

/** The highest ballot any record promised or accepted. */
export function highestBallot(records: ReadonlyMap<string, AcceptorRecord>): Ballot {
  let max = NO_BALLOT
  for (const r of records.values()) {
    if (compareBallots(r.promised, max) > 0) max = r.promised
    if (r.accepted !== null && compareBallots(r.accepted.ballot, max) > 0) max = r.accepted.ballot
  }
  return max
}

/**
 * The acceptor's move given everything it has seen: accept the highest (b, value) at or above its
 * promise, else promise the highest ballot seen. Returns its new record, or null if none.
 */
export function acceptorStep(own: AcceptorRecord, records: ReadonlyMap<string, AcceptorRecord>): AcceptorRecord | null {
  let best: AcceptorRecord['accepted'] = null
  for (const r of records.values()) {
    const a = r.accepted
    if (a === null || compareBallots(a.ballot, own.promised) < 0) continue
    if (own.accepted !== null && compareBallots(a.ballot, own.accepted.ballot) <= 0) continue
    if (best === null || compareBallots(a.ballot, best.ballot) > 0) best = a
  }
  const top = highestBallot(records)
  // a higher promise elsewhere beats the accept request: take the promise, accept later
  if (best !== null && compareBallots(top, best.ballot) <= 0) {
    return Object.freeze({ peer: own.peer, promised: best.ballot, accepted: best })
  }
  if (compareBallots(top, own.promised) > 0) return Object.freeze({ peer: own.peer, promised: top, accepted: own.accepted })
  return null
}

/**
 * Phase 1 of the proposer of `ballot`: if `quorum` records promised exactly `ballot`, the value to
 * propose (theirs or `mine()`), else null.
 */
export function phaseOneValue(ballot: Ballot, records: ReadonlyMap<string, AcceptorRecord>, quorum: number, mine: () => readonly string[]): readonly string[] | null {
  let promised = 0
  let best: AcceptorRecord['accepted'] = null
  for (const r of records.values()) {
    if (compareBallots(r.promised, ballot) !== 0) continue
    promised++
    if (r.accepted !== null && (best === null || compareBallots(r.accepted.ballot, best.ballot) > 0)) best = r.accepted
  }
  if (promised < quorum) return null
  return best !== null ? best.value : mine()
}

/** The `n` smallest participant ids, sorted: a proposer's own value. */
export function smallestIds(records: ReadonlyMap<string, AcceptorRecord>, n: number): string[] {
  return [...records.keys()].sort(compareIds).slice(0, n)
}
