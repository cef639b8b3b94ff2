// The current routes, recomputed lazily: topology changes only mark the table dirty, and the
// next `current()` recomputes once however many changes came in between. Readers get an
// immutable `Routes` they may keep; a recomputation swaps in a new one.

import type { PeerRecord } from './peer-record.js'
import { computeRoutes, type Routes } from './routes.js'

export interface RouteTableInit {
  /** This peer's id. */
  selfId: string
}

export interface RouteTableComponents {
  /** The records to route over, read at each recomputation (e.g. `() => topology.full()`). */
  records(): ReadonlyMap<string, PeerRecord> | Iterable<PeerRecord>
}

export class RouteTable {
  private routes: Routes | null = null
  private version = 0

  constructor(private readonly init: RouteTableInit, private readonly c: RouteTableComponents) {}

  /** The topology changed: the next `current()` recomputes. Cheap; call it on every change. */
  markDirty(): void {
    this.routes = null
  }

  /** The routes for the latest records, recomputed now if anything changed since the last call. */
  current(): Routes {
    if (this.routes === null) this.routes = computeRoutes(this.init.selfId, this.c.records(), ++this.version)
    return this.routes
  }
}

/**
 * Creates a route table. Wire it to the topology:
 * `topology.onChange(() => table.markDirty())`.
 */
export function createRouteTable(init: RouteTableInit, components: RouteTableComponents): RouteTable {
  return new RouteTable(init, components)
}
