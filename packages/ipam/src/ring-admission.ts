// What of a peer's ring the allocator lets in. A ring of another range, or another ring (other
// seeds) once this peer has one, is foreign: left out, counted and noted, never merged; in seed
// mode a first ring must be the one this peer's own seed list gives. A peer without a ring adopts
// one only whole (with its seed list); a delta that overtook the ring on another path is kept
// aside and merged when the ring arrives (or when this peer seeds the same ring itself).

import type { InitMode, IpamLogger } from './allocator-status.js'
import { cidrEquals, formatCidr, type Cidr } from './cidr.js'
import { ipamState, type IpamState } from './ipam-state.js'
import { mergeRing, ringIdOf, type RingState } from './ring.js'

export class RingAdmission {
  /** Messages that carried a foreign ring. */
  foreign = 0
  /** Why the last foreign ring was refused, for status. */
  note: string | null = null
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
    } else if (current !== null && current.ringId !== ring.ringId) {
      reason = `a peer holds another ring (${ring.ringId.slice(0, 8)}, ours ${current.ringId.slice(0, 8)}): its peers were initialised differently; check --ipalloc-init`
    } else if (current === null && ring.seeds === null) {
      this.early = this.early === null || this.early.ringId !== ring.ringId ? ring : mergeRing(this.early, ring).state
      return without()
    } else if (current === null && this.mode.kind === 'seed' && ring.ringId !== ringIdOf(this.range, this.mode.peers)) {
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

  /** The deltas kept aside for ring `ringId`, if any (and forgets them). */
  takeEarly(ringId: string): RingState | null {
    const early = this.early
    this.early = null
    return early !== null && early.ringId === ringId ? early : null
  }
}
