// What is saved, and what a restart finds: the snapshot the store loads, checked, and turned back into channel state
// and allocations. A snapshot of another range is discarded whole (its addresses mean nothing in
// the new range); a snapshot saved under another peer id keeps the ring (it is the network's, and
// the old id's space can be taken over) but not the allocations. Each such decision is a note the
// status shows and the log records.

import type { AllocationTable } from './allocation-table.js'
import { cidrContains, cidrEquals, formatCidr, parseAddress, parseCidr, type Cidr } from './cidr.js'
import { decodeIpam, encodeIpam } from './ipam-codec.js'
import { EMPTY_IPAM_STATE, ipamState, type IpamState } from './ipam-state.js'
import type { IpamSnapshot } from './ipam-store.js'
import { shortId } from './ring-entry.js'
import { checkSnapshot } from './snapshot-codec.js'

export interface Restored {
  readonly state: IpamState
  readonly allocations: ReadonlyArray<{ readonly containerId: string; readonly subnet: Cidr; readonly offset: number }>
  readonly notes: readonly string[]
}

/** Turns a loaded snapshot (or none) into the starting state; throws `ERR_BAD_SNAPSHOT`. */
export function restoreSnapshot(loaded: IpamSnapshot | undefined, selfId: string, range: Cidr): Restored {
  if (loaded === undefined) return { state: EMPTY_IPAM_STATE, allocations: [], notes: [] }
  const snapshot = checkSnapshot(loaded)
  const rangeText = formatCidr(range)
  const savedRange = parseCidr(snapshot.range)
  if (!cidrEquals(savedRange, range)) {
    return {
      state: EMPTY_IPAM_STATE,
      allocations: [],
      notes: [`the stored ring was for range ${snapshot.range}, the range is now ${rangeText}: the old ring and its ${snapshot.allocations.length} allocations were discarded`],
    }
  }
  const notes: string[] = []
  let state = decodeIpam(snapshot.state)
  if (state.ring !== null && !cidrEquals(state.ring.range, range)) {
    notes.push(`the stored ring covered ${formatCidr(state.ring.range)}, not ${rangeText}: it was discarded`)
    state = ipamState({ paxos: state.paxos, requests: state.requests })
  }
  if (snapshot.selfId !== selfId) {
    notes.push(`the stored state was saved by peer ${shortId(snapshot.selfId)}, not this one: its ring is kept, its ${snapshot.allocations.length} allocations dropped (take its space over if it is gone)`)
    return { state, allocations: [], notes }
  }
  const allocations = snapshot.allocations.map((a) => {
    const subnet = parseCidr(a.subnet)
    return { containerId: a.containerId, subnet, offset: parseAddress(a.address) - range.base }
  }).filter((a) => {
    const ok = cidrContains(range, a.subnet)
    if (!ok) notes.push(`a stored allocation of ${a.containerId} lies outside ${rangeText}: dropped`)
    return ok
  })
  return { state, allocations, notes }
}

/**
 * The snapshot to save: the working channel state and every allocation of this peer. `state` (the
 * bytes) is encoded only if a store asks for it; a store that writes incrementally reads
 * `working` (immutable) and `allocationChanges` (what changed since the previous snapshot).
 */
export function snapshotOf(selfId: string, range: Cidr, working: IpamState, table: AllocationTable): IpamSnapshot {
  let bytes: Uint8Array | null = null
  return {
    selfId,
    range: formatCidr(range),
    get state(): Uint8Array {
      bytes ??= encodeIpam(working)
      return bytes
    },
    allocations: table.records(),
    working,
    allocationChanges: table.drainChanges(),
  }
}
