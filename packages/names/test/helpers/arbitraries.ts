// fast-check arbitraries for name entries and states, drawn from small pools of peers, names,
// addresses and versions so that merges meet the same keys, equal versions and floors often.
import fc from 'fast-check'
import type { NameEntry, NamesState, PeerNames } from '../../src/index.js'

/** A peer id made of one repeated hex digit pair, `n` in 0..255. */
export const peerId = (n: number): string => n.toString(16).padStart(2, '0').repeat(32)

/** Peers 1..5; `SELF` (0) is kept out of generated states. */
export const PEER_POOL = Array.from({ length: 5 }, (_, i) => peerId(i + 1))
export const SELF = peerId(0)

const NAMES = ['web', 'Web', 'db', 'api.v2', 'x_1']
const ADDRESSES = ['10.32.0.1', '10.32.0.2', 'fd00::1', '::ffff:10.0.0.1']
const CONTAINERS = ['', 'c1', 'c2']

export function entryArb(owner: string, maxVersion = 8): fc.Arbitrary<NameEntry> {
  return fc.record({
    name: fc.constantFrom(...NAMES),
    address: fc.constantFrom(...ADDRESSES),
    containerId: fc.constantFrom(...CONTAINERS),
    version: fc.integer({ min: 1, max: maxVersion }),
    tombstone: fc.boolean(),
  }).map((e) => Object.freeze(e.tombstone
    ? { owner, name: e.name.toLowerCase(), address: e.address, containerId: '', version: e.version, tombstone: true }
    : { owner, ...e }))
}

/** One peer's part: a floor and entries above it, unique by key. */
export function partArb(owner: string): fc.Arbitrary<PeerNames> {
  return fc.tuple(fc.constantFrom(0, 0, 1, 3), fc.array(entryArb(owner), { maxLength: 6 })).map(([floor, list]) => {
    const byKey = new Map<string, NameEntry>()
    for (const e of list) if (e.version > floor) byKey.set(`${e.name.toLowerCase()} ${e.address}`, e)
    return Object.freeze({ floor, entries: Object.freeze([...byKey.values()]) })
  })
}

/** A state: at most one part per peer of `pool`. */
export function stateArb(pool: readonly string[] = PEER_POOL): fc.Arbitrary<NamesState> {
  return fc.subarray([...pool]).chain((peers) => fc.tuple(...peers.map((p) => partArb(p))).map((parts) =>
    new Map(parts.map((part, i) => [peers[i], part]))))
}
