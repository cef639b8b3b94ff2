// fast-check arbitraries for ring entries, acceptor records, space requests and whole states,
// drawn from small pools (tokens, owners, versions) so that merges meet equal tokens, equal
// versions and conflicts often.
import fc from 'fast-check'
import {
  parseCidr, seedRing, type AcceptorRecord, type IpamState, type RingEntry, type RingState, type SpaceRequest,
} from '../../src/index.js'
import { ipamState } from '../../src/ipam-state.js'
import { peerId } from './sim-clock.js'

export const RANGE = parseCidr('10.32.0.0/24')
export const OWNERS = [1, 2, 3, 4].map(peerId)
/** The ring every generated state belongs to. */
export const BASE_RING = seedRing(RANGE, OWNERS)
const TOKENS = [0, 16, 32, 64, 100, 128, 200, 255]

export const entryArb: fc.Arbitrary<RingEntry> = fc.record({
  start: fc.constantFrom(...TOKENS),
  len: fc.integer({ min: 1, max: 256 }),
  owner: fc.constantFrom(...OWNERS),
  version: fc.integer({ min: 0, max: 3 }),
  free: fc.integer({ min: 0, max: 256 }),
}).map(({ start, len, owner, version, free }) => {
  const end = Math.min(256, start + len)
  return Object.freeze({ start, end, owner, version, free: Math.min(free, end - start) })
})

/** A state of BASE_RING's ring (seeds present or not). */
export const ringArb: fc.Arbitrary<RingState> = fc.tuple(fc.uniqueArray(entryArb, { selector: (e) => e.start, maxLength: 6 }), fc.boolean())
  .map(([entries, seeds]) => Object.freeze({ ...BASE_RING, seeds: seeds ? BASE_RING.seeds : null, entries: new Map(entries.map((e) => [e.start, e])) }))

const ballotArb = fc.oneof(
  fc.constant({ round: 0, proposer: '' }),
  fc.record({ round: fc.integer({ min: 1, max: 3 }), proposer: fc.constantFrom(...OWNERS) }),
)

export const acceptorArb = (peer: string): fc.Arbitrary<AcceptorRecord> =>
  fc.tuple(ballotArb, ballotArb, fc.constantFrom([OWNERS[0]], OWNERS.slice(0, 3), OWNERS.slice(1)))
    .map(([a, b, value]) => {
      const cmp = a.round !== b.round ? a.round - b.round : a.proposer < b.proposer ? -1 : a.proposer > b.proposer ? 1 : 0
      const [lo, hi] = cmp <= 0 ? [a, b] : [b, a]
      return Object.freeze({ peer, promised: hi, accepted: lo.round === 0 ? null : Object.freeze({ ballot: lo, value }) })
    })

export const requestArb = (peer: string): fc.Arbitrary<SpaceRequest> =>
  fc.record({ seq: fc.integer({ min: 0, max: 3 }), donor: fc.constantFrom(null, ...OWNERS), start: fc.integer({ min: 0, max: 200 }), len: fc.integer({ min: 1, max: 56 }) })
    .map(({ seq, donor, start, len }) => Object.freeze({ peer, seq, donor, start: donor === null ? 0 : start, end: donor === null ? 0 : start + len }))

function recordsArb<R>(arb: (peer: string) => fc.Arbitrary<R>): fc.Arbitrary<Map<string, R>> {
  return fc.subarray(OWNERS).chain((peers) => fc.tuple(...peers.map(arb))).map((rs) => new Map(rs.map((r) => [(r as { peer: string }).peer, r])))
}

/** A whole channel state of BASE_RING's ring (or without a ring). */
export const stateArb: fc.Arbitrary<IpamState> = fc.record({
  ring: fc.option(ringArb, { nil: null }),
  paxos: recordsArb(acceptorArb),
  requests: recordsArb(requestArb),
}).map((s) => ipamState(s))
