// What `status()` and `stats()` return, and the options and collaborators of an allocator.

import type { Clock } from '@weft/gossip'
import type { Allocation } from './allocation-table.js'
import type { IpamState } from './ipam-state.js'
import type { IpamStore } from './ipam-store.js'

/** How the ring comes to exist (`--ipalloc-init`). */
export type InitMode =
  /** Every peer computes the same ring from the same list of peer ids: no waiting. */
  | { readonly kind: 'seed'; readonly peers: readonly string[] }
  /** The ring is seeded from the N smallest ids of N peers agreeing by consensus. */
  | { readonly kind: 'consensus'; readonly quorum: number }
  /** Never claims space at initialisation; adopts the ring from peers and asks them for space. */
  | { readonly kind: 'observer' }

export interface AllocatorInit {
  /** This peer's id (64 lowercase hex). */
  selfId: string
  mode: InitMode
  /** The allocation range, IPv4 CIDR. Default `DEFAULT_RANGE` (10.32.0.0/12). */
  range?: string
  /** Subnet of `allocate` without a subnet; within the range. Default: the range itself. */
  defaultSubnet?: string
  /** How long an allocation or claim may wait (ring, consensus, donation), ms. Default 30 000. */
  allocateTimeoutMs?: number
  /** How long to wait for a donor before asking the next, ms. Default 2 000. */
  donationRetryMs?: number
  /** How long a consensus ballot may run before a new one, ms (plus 0-50 % jitter). Default 3 000. */
  consensusRetryMs?: number
  /**
   * Reclaim the wholly free space of peers unreachable (by `isReachable`) this long, ms. Default:
   * never (only `takeOver`). Needs `isReachable`.
   */
  reclaimAfterMs?: number
  /**
   * How long space gained by `takeOver` or reclamation waits before this peer allocates from it
   * or gives it away, ms (0: at once). Default 15 000.
   */
  takeoverSettleMs?: number
  /**
   * After a restart with a ring shared with other peers: how long to keep listening after the
   * first gossip heard before allocating, ms. Default 3 000.
   */
  resyncWindowMs?: number
}

/** The logging calls the allocator makes (pino's fit). */
export interface IpamLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface AllocatorComponents {
  /** All timers: timeouts, retries, reclamation checks. */
  clock: Clock
  /** Uniform in [0, 1): consensus retry jitter. */
  random: () => number
  store: IpamStore
  /** Hands a saved local change to the gossip engine: `(d) => engine.publish(IPAM_CHANNEL, d)`. */
  publish(delta: IpamState): void
  /** Whether a peer is reachable now (the topology's view); used by donor choice and reclamation. */
  isReachable?(peer: string): boolean
  logger?: IpamLogger
  /**
   * Told when allocations are revoked: the ring gave the space holding them to another peer (a
   * takeover of this peer, or a lost takeover race). Their containers must get new addresses.
   */
  onRevoked?(allocations: readonly Allocation[]): void
}

/** One peer's part of the ring. */
export interface PeerShare {
  readonly peer: string
  /** Addresses it owns. */
  readonly owned: number
  /** Addresses it reports free. */
  readonly free: number
}

export interface IpamStatus {
  readonly range: string
  readonly defaultSubnet: string
  readonly mode: InitMode['kind']
  /** N of `consensus=N`, else null. */
  readonly quorum: number | null
  /** The ring's id, null while there is no ring. */
  readonly ringId: string | null
  /** This peer's share: `used` is its allocations, `free` the rest of what it owns. */
  readonly self: { readonly peer: string; readonly owned: number; readonly used: number; readonly free: number }
  /** Every owner, by id. */
  readonly peers: readonly PeerShare[]
  /**
   * Restarted sharing the ring with other peers and not heard from any yet: what it remembers may
   * be stale (taken over meanwhile), so it allocates nothing until it has.
   */
  readonly syncing: boolean
  /** Why an allocation in the default subnet cannot complete right now, or null if it can. */
  readonly blocked: string | null
  /** Allocations and claims waiting. */
  readonly waiting: number
  /** The latest allocations revoked because the ring gave their space to another peer. */
  readonly revoked: readonly Allocation[]
  /** Things an operator should know: a discarded ring, a foreign ring, conflicts. */
  readonly notes: readonly string[]
}

export interface IpamStats {
  /** Addresses allocated here. */
  allocations: number
  /** Ring entries or records seen at one version with different content. */
  conflicts: number
  /** Messages carrying another ring (different seeds or range), ignored. */
  foreignRings: number
  /** Allocations revoked because their space went to another peer. */
  revoked: number
  /** Addresses given to other peers. */
  donationsGiven: number
  /** Addresses received from other peers (donations, transfers). */
  donationsReceived: number
  /** Space requests published. */
  requestsSent: number
  /** Addresses taken over from dead peers with `takeOver`. */
  takenOver: number
  /** Addresses reclaimed automatically. */
  reclaimed: number
  /** Failed saves. */
  saveFailures: number
}
