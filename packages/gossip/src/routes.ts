// Routes from one peer's point of view, computed from the topology alone so that every peer
// holding the same records computes consistent routes:
//
//   unicast    destination -> next hop, along the shortest path from self;
//   broadcast  for a broadcast that started at `source`: the neighbours to forward it to, i.e.
//              self's children in the shortest-path tree rooted at `source`. Every peer builds
//              that tree identically, so a broadcast reaches every peer reachable from its
//              source exactly once, without duplicates or loops.
//
// Links, weights and tie-breaks: link-graph.ts and shortest-path-tree.ts.

import { buildLinkGraph, type LinkGraph } from './link-graph.js'
import type { PeerRecord } from './peer-record.js'
import { shortestPathTree, type ShortestPathTree } from './shortest-path-tree.js'

/** An immutable routing table. */
export interface Routes {
  /** Next hop (a neighbour) per reachable destination, self excluded. */
  readonly unicast: ReadonlyMap<string, string>
  /**
   * The neighbours to forward a broadcast from `source` to (self's children in the source's
   * shortest-path tree), sorted by id; empty if the source or self is not in the topology or
   * they cannot reach each other. `broadcast(selfId)` is where self's own broadcasts go.
   */
  broadcast(source: string): readonly string[]
  /** Increases with every recomputation by a `RouteTable`; 0 from `computeRoutes`. */
  readonly version: number
}

/** Computes routes for `selfId` from the peer records (the topology's state or `peers()`). */
export function computeRoutes(
  selfId: string,
  topology: ReadonlyMap<string, PeerRecord> | Iterable<PeerRecord>,
  version = 0,
): Routes {
  const graph = buildLinkGraph(topology)
  const self = graph.index.get(selfId)
  if (self === undefined) return Object.freeze({ unicast: new Map(), broadcast: () => [], version })
  const own = shortestPathTree(graph, self)
  const nextHop = new Int32Array(graph.ids.length).fill(-1)
  for (const v of own.order) {
    if (v === self) continue
    const p = own.parent[v]
    nextHop[v] = p === self ? v : nextHop[p]
  }
  const unicast = new Map<string, string>()
  for (let v = 0; v < graph.ids.length; v++) if (nextHop[v] >= 0) unicast.set(graph.ids[v], graph.ids[nextHop[v]])
  const children = new Map<string, readonly string[]>()
  const broadcast = (source: string): readonly string[] => {
    let result = children.get(source)
    if (result === undefined) {
      const root = graph.index.get(source)
      result = root === undefined ? [] : childrenOf(graph, root === self ? own : shortestPathTree(graph, root), self)
      children.set(source, result)
    }
    return result
  }
  return Object.freeze({ unicast, broadcast, version })
}

function childrenOf(graph: LinkGraph, tree: ShortestPathTree, self: number): readonly string[] {
  if (tree.dist[self] === Infinity) return Object.freeze([])
  const out: string[] = []
  for (const { to } of graph.adjacency[self]) if (tree.parent[to] === self) out.push(graph.ids[to])
  return Object.freeze(out)
}
