// What of a peer's ring the allocator lets in. A ring of another range, or another ring (other
// seeds) that does not outrank this peer's (ring.ts `outranks`), is foreign: left out, counted and
// noted, never merged; a whole ring that outranks it replaces it (the allocator then revokes what
// it allocated in the old one). In seed mode a first ring must be the one this peer's own seed
// list gives, or one that outranks it. A peer without a ring adopts
// one only whole (with its seed list); a delta that overtook the ring on another path is kept
// aside and merged when the ring arrives (or when this peer seeds the same ring itself).

import type { InitMode, IpamLogger } from './allocator-status.js'
import { cidrEquals, formatCidr, type Cidr } from './cidr.js'
import { ipamState, type IpamState } from './ipam-state.js'
import { mergeRing, outranks, seedRing, type RingState } from './ring.js'

export class RingAdmission {
  /** Messages that carried a foreign ring. */
  foreign = 0
  /** Times this peer's ring was replaced by one that outranks it. */
  switched = 0
  /** Why the last foreign ring was refused, for status. */
  note: string | null = null
  /** The last time this peer's ring was replaced, for status. */
  switchNote: string | null = null
  private early: RingState | null = null

  constructor(private readonly range: Cidr, private readonly mode: InitMode, private readonly logger: IpamLogger | undefined) {}

  /** `incoming` with its ring left out if it may not come in (or completed by early deltas). */
  admit(incoming: IpamState, current: RingState | null): IpamState {
    const ring = incoming.ring
    if (ring === null) return incoming
    const without = (): IpamState => ipamState({ paxos: incoming.paxos, requests: incoming.requests })
    let reason: string | null = null
    if (!cidrEquals(ring.range, this.range)) {
      reason = `a peer uses the range ${formatCidr(ring.range)}, not ${formatCidr(this.range)}: check --ipalloc-range everywhere`
    } else if (current !== null && current.ringId !== ring.ringId && outranks(ring, current)) {
      this.switched++
      this.switchNote = `switched to ring ${ring.ringId.slice(0, 8)} (${ring.seeds!.length} seeds) from ring ${current.ringId.slice(0, 8)} ` +
        `(${current.seeds?.length ?? 0}): two groups initialised apart met; the allocations of the old ring were revoked`
      this.logger?.warn({ reason: this.switchNote }, 'ipam ring replaced by one that outranks it')
      return incoming
    } else if (current !== null && current.ringId !== ring.ringId) {
      reason = `a peer holds another ring (${ring.ringId.slice(0, 8)}, ours ${current.ringId.slice(0, 8)}): its peers were initialised differently; check --ipalloc-init`
    } else if (current === null && ring.seeds === null) {
      this.early = this.early === null || this.early.ringId !== ring.ringId ? ring : mergeRing(this.early, ring).state
      return without()
    } else if (current === null && this.mode.kind === 'seed' && !this.ownSeedOrBetter(ring, this.mode.peers)) {
      reason = 'a peer holds a ring seeded from another peer list: check --ipalloc-init seed=... everywhere'
    }
    if (reason !== null) {
      this.foreign++
      if (this.note !== reason) this.logger?.warn({ reason }, 'ignored a foreign ipam ring')
      this.note = reason
      return without()
    }
    if (current !== null) return incoming
    const early = this.takeEarly(ring.ringId)
    return early === null ? incoming : ipamState({ ring: mergeRing(ring, early).state, paxos: incoming.paxos, requests: incoming.requests })
  }

  /** What status shows. */
  notes(): string[] {
    return [this.switchNote, this.note].filter((n): n is string => n !== null)
  }

  private ownSeedOrBetter(ring: RingState, peers: readonly string[]): boolean {
    const own = seedRing(this.range, peers)
    return ring.ringId === own.ringId || outranks(ring, own)
  }

  /** The deltas kept aside for ring `ringId`, if any (and forgets them). */
  takeEarly(ringId: string): RingState | null {
    const early = this.early
    this.early = null
    return early !== null && early.ringId === ringId ? early : null
  }
}
