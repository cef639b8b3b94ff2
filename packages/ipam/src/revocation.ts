// The rule that keeps addresses unique across peers: an allocation must lie in this peer's own
// space. The ring decides who owns what; when it gives space holding allocations of this peer to
// another (this peer was taken over while away, or lost a takeover race, or a reclamation lost to
// the owner's own writes), those allocations are revoked: forgotten here, reported, and their
// containers need new addresses. They are never kept "just in case": the new owner may give the
// same addresses out. Space whose owner this peer does not know yet (a gap) revokes nothing.

import type { Allocation, AllocationTable } from './allocation-table.js'
import type { IpamLogger } from './allocator-status.js'
import { shortId } from './ring-entry.js'
import type { RingView } from './ring-view.js'

/** Removes from `table` every allocation `view` places in another peer's space; returns them. */
export function revokeOutside(table: AllocationTable, view: RingView, selfId: string, logger?: IpamLogger): Allocation[] {
  const gone: Allocation[] = []
  for (const h of table.all()) {
    const owner = view.at(h.offset)?.owner
    if (owner === undefined || owner === selfId) continue
    table.remove(h)
    gone.push(h.allocation)
    logger?.warn({ container: h.allocation.containerId, cidrs: [h.allocation.cidr], peer: shortId(owner) },
      'revoked an address: another peer owns its space now; the container needs a new one')
  }
  return gone
}
