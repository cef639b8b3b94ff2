/**
 * @weft/ipam: IP address management for weft (docs/IPAM.md). The allocation range is a ring CRDT
 * of entries, each owned by one peer; only the owner allocates from its entries, so containers
 * get addresses locally and at once, and no two containers anywhere share one. The ring is
 * created lazily (from a seed list, or by a consensus among N peers), replicated on the `ipam`
 * gossip channel, and space moves between peers by donation, transfer and takeover. Pure logic:
 * no sockets and no time or randomness but the injected clock and `random`; persistence through
 * the injected `IpamStore`.
 *
 * @example
 * ```ts
 * import { createAllocator, IPAM_CHANNEL } from '@weft/ipam'
 *
 * const ipam = createAllocator(
 *   { selfId, mode: { kind: 'consensus', quorum: 3 } },           // or { kind: 'seed', peers }, { kind: 'observer' }
 *   { clock, random: Math.random, store,                             // store: an IpamStore (LMDB in the router)
 *     publish: (delta) => engine.publish(IPAM_CHANNEL, delta),
 *     isReachable: (peer) => routes.current().unicast.has(peer) },
 * )
 * engine.registerChannel(ipam)                                       // the allocator is the `ipam` channel
 *
 * const a = await ipam.allocate('web')                               // { address: '10.32.0.1', cidr: '10.32.0.1/12', ... }
 * await ipam.allocate('db', 'net:10.33.0.0/16')                      // another subnet within the range
 * await ipam.claim('legacy', '10.32.0.9')                            // a given address
 * await ipam.release('web')
 * ipam.status().blocked                                              // e.g. "waiting for 1 of 3 peers for consensus: ..."
 * await ipam.takeOver(deadPeer)                                      // rmpeer
 * ```
 */

export * from './constants.js'
export { IpamError, type IpamErrorCode, type BadPayloadReason } from './errors.js'
export { parseCidr, formatCidr, parseAddress, formatAddress, parseSubnet, cidrContains, type Cidr } from './cidr.js'
export { isPeerId, type RingEntry } from './ring-entry.js'
export { seedRing, mergeRing, outranks, ringIdOf, normalizeSeeds, type RingState, type RingMerge } from './ring.js'
export { RingView, viewOf, ringProblems, type Extent, type Share } from './ring-view.js'
export type { AcceptorRecord, Ballot } from './paxos.js'
export type { SpaceRequest } from './space-request.js'
export { EMPTY_IPAM_STATE, ipamState, joinIpam, combineIpam, type IpamState, type IpamJoin } from './ipam-state.js'
export { encodeIpam, decodeIpam } from './ipam-codec.js'
export { MemoryIpamStore, createMemoryIpamStore, type IpamStore, type IpamSnapshot, type SnapshotAllocation } from './ipam-store.js'
export { encodeSnapshot, decodeSnapshot, checkSnapshot } from './snapshot-codec.js'
export type { Allocation } from './allocation-table.js'
export type {
  AllocatorInit, AllocatorComponents, InitMode, IpamLogger, IpamStatus, IpamStats, PeerShare,
} from './allocator-status.js'
export { Allocator, createAllocator } from './allocator.js'
