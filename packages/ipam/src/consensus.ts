// Drives this peer's part in the consensus (paxos.ts) that seeds the ring in `consensus=N` mode.
//
// A peer joins (publishes its acceptor record: "I take part") at its first allocation, or as soon
// as it sees another participant's record, so one peer that needs addresses wakes the others. A
// peer that wants addresses proposes as soon as it knows N participants and no ballot is running;
// every participant proposes a new, higher ballot when a retry period (jittered) passes without a
// decision, so a proposer that dies does not block the others. Every write of the own record goes
// through the allocator, which saves it before any peer can see it, as Paxos requires.

import type { Clock } from '@weft/gossip'
import { CONSENSUS_RETRY_JITTER_FRACTION } from './constants.js'
import {
  acceptorStep, chosenValue, compareBallots, highestBallot, initialAcceptor, phaseOneValue, smallestIds, type AcceptorRecord,
} from './paxos.js'
import { shortId } from './ring-entry.js'

export interface ConsensusHost {
  readonly selfId: string
  readonly clock: Clock
  readonly random: () => number
  /** Every acceptor record known (the working state). */
  records(): ReadonlyMap<string, AcceptorRecord>
  /** Writes this peer's own record (saved, then published). */
  write(record: AcceptorRecord): void
  /** Called from a timer: run `step` and react to its result. */
  wake(): void
}

export class Consensus {
  private wants = false
  private timer: unknown = null

  /**
   * `choose` is what this peer proposes when no value was accepted yet: the `quorum` smallest ids
   * it knows (tests give each proposer its own value, to see a safety bug as two decisions).
   */
  constructor(
    readonly quorum: number,
    private readonly retryMs: number,
    private readonly host: ConsensusHost,
    private readonly choose: (records: ReadonlyMap<string, AcceptorRecord>, quorum: number) => readonly string[] = smallestIds,
  ) {}

  /** Whether this peer has published its record. */
  joined(): boolean {
    return this.host.records().has(this.host.selfId)
  }

  /** Takes part; with `propose`, this peer also wants a decision now (it has an allocation waiting). */
  join(propose: boolean): void {
    if (!this.joined()) this.host.write(initialAcceptor(this.host.selfId))
    if (propose) this.wants = true
    this.arm()
  }

  /** Acts on the records (until it has nothing more to write); returns the chosen value once there is one. */
  step(): readonly string[] | null {
    for (let moves = 0; moves < 4; moves++) {
      const records = this.host.records()
      const chosen = chosenValue(records, this.quorum)
      if (chosen !== null) {
        this.close()
        return chosen
      }
      const own = records.get(this.host.selfId)
      if (own === undefined || !this.move(own, records)) return null
    }
    return chosenValue(this.host.records(), this.quorum)
  }

  /** One move: promise or accept, else phase 2 of our ballot, else a first ballot. Whether it wrote. */
  private move(own: AcceptorRecord, records: ReadonlyMap<string, AcceptorRecord>): boolean {
    const next = acceptorStep(own, records)
    if (next !== null) {
      this.host.write(next)
      return true
    }
    const mine = own.promised.proposer === this.host.selfId
    if (mine && (own.accepted === null || compareBallots(own.accepted.ballot, own.promised) !== 0)) {
      const value = phaseOneValue(own.promised, records, this.quorum, () => this.choose(records, this.quorum))
      if (value === null) return false
      this.host.write(Object.freeze({ peer: own.peer, promised: own.promised, accepted: Object.freeze({ ballot: own.promised, value }) }))
      return true
    }
    if (this.wants && records.size >= this.quorum && highestBallot(records).round === 0) {
      this.propose(records)
      return true
    }
    return false
  }

  /** Why the ring does not exist yet, in words. */
  describe(): string {
    const records = this.host.records()
    if (!this.joined()) return `waiting for consensus among ${this.quorum} peers: not started (it starts at the first allocation here or on another peer)`
    if (records.size < this.quorum) {
      const known = [...records.keys()].map(shortId).join(', ')
      return `waiting for ${this.quorum - records.size} of ${this.quorum} peers for consensus: ${records.size} known (${known}); ` +
        `start the others with consensus=${this.quorum} and connect them`
    }
    const top = highestBallot(records)
    let promised = 0
    let accepted = 0
    for (const r of records.values()) {
      if (compareBallots(r.promised, top) === 0) promised++
      if (r.accepted !== null && compareBallots(r.accepted.ballot, top) === 0) accepted++
    }
    return top.round === 0
      ? `waiting for consensus: ${records.size} peers known, no proposal yet`
      : `waiting for consensus: ballot ${top.round} of ${shortId(top.proposer)} promised by ${promised} and accepted by ${accepted} of the ${this.quorum} needed`
  }

  close(): void {
    if (this.timer !== null) this.host.clock.clearTimeout(this.timer)
    this.timer = null
  }

  private propose(records: ReadonlyMap<string, AcceptorRecord>): void {
    const own = records.get(this.host.selfId)!
    const ballot = Object.freeze({ round: highestBallot(records).round + 1, proposer: this.host.selfId })
    this.host.write(Object.freeze({ peer: own.peer, promised: ballot, accepted: own.accepted }))
    this.arm()
  }

  /** (Re)starts the retry timer: when it fires without a decision, propose a higher ballot. */
  private arm(): void {
    this.close()
    const jitter = 1 + CONSENSUS_RETRY_JITTER_FRACTION * Math.min(Math.max(this.host.random(), 0), 1)
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = null
      const records = this.host.records()
      if (chosenValue(records, this.quorum) !== null) return this.host.wake()
      if (records.size >= this.quorum) this.propose(records)
      else this.arm()
      this.host.wake()
    }, this.retryMs * jitter)
  }
}
