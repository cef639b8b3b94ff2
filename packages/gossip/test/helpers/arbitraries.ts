// fast-check arbitraries for peer records and topology states, drawn from small pools of ids and
// versions so that merges meet the same ids, equal versions and conflicts often.
import fc from 'fast-check'
import type { PeerConnection, PeerRecord, TopologyState } from '../../src/index.js'

/** A peer id made of one repeated hex digit pair, `n` in 0..255. */
export const peerId = (n: number): string => n.toString(16).padStart(2, '0').repeat(32)

/** Ids 1..8; `SELF` (0) is kept out of generated states. */
export const ID_POOL = Array.from({ length: 8 }, (_, i) => peerId(i + 1))
export const SELF = peerId(0)

const restartIdArb = fc.constantFrom('0000000000000001', '00000000000000ff', 'abcdef0123456789')
const addressArb = fc.constantFrom('192.0.2.1', '198.51.100.7', '2001:db8::1', '::ffff:10.0.0.1', '10.32.0.1')
const endpointArb = fc.constantFrom('192.0.2.1:6783', '[2001:db8::1]:6783', '10.0.0.9:40000')
const rttArb = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 500, noNaN: true }))

export function connectionArb(peers: readonly string[]): fc.Arbitrary<PeerConnection> {
  return fc.record({
    peer: fc.constantFrom(...peers),
    address: endpointArb,
    outbound: fc.boolean(),
    established: fc.boolean(),
    rttMs: rttArb,
  })
}

/** A valid record of `id` (connections to other ids of `pool`). */
export function recordArb(id: string, pool: readonly string[] = ID_POOL, maxVersion = 3): fc.Arbitrary<PeerRecord> {
  const others = pool.filter((p) => p !== id)
  return fc.record({
    id: fc.constant(id),
    nickname: fc.constantFrom('a', 'host-1', 'ünïcode', 'x'.repeat(64)),
    restartId: restartIdArb,
    version: fc.integer({ min: 0, max: maxVersion }),
    addresses: fc.uniqueArray(addressArb, { maxLength: 3 }),
    udpPort: fc.constantFrom(1, 6783, 65535),
    connections: fc.uniqueArray(connectionArb(others), { maxLength: 4, selector: (c) => c.peer }),
  }).map((r) => Object.freeze({ ...r, addresses: Object.freeze(r.addresses), connections: Object.freeze(r.connections.map((c) => Object.freeze(c))) }))
}

/** A topology state: at most one record per id of `pool`. */
export function stateArb(pool: readonly string[] = ID_POOL): fc.Arbitrary<TopologyState> {
  return fc.subarray([...pool]).chain((ids) => fc.tuple(...ids.map((id) => recordArb(id, pool))))
    .map((records) => new Map(records.map((r) => [r.id, r])))
}
