// The graph routing and garbage collection see: peers, and a link between two peers only when
// BOTH of their records report the connection established. A one-sided report (a half-open
// connection, a record not yet updated) is no link.
//
// Weight of a link, in whole milliseconds: the larger RTT either end reports, else
// DEFAULT_LINK_WEIGHT_MS; at least MIN_LINK_WEIGHT_MS; plus HOP_COST_MS. Whole numbers keep path
// sums exact, so every peer computes bit-identical distances and trees from the same records.

import { DEFAULT_LINK_WEIGHT_MS, HOP_COST_MS, MIN_LINK_WEIGHT_MS } from './constants.js'
import type { PeerConnection, PeerRecord } from './peer-record.js'

/** Peers by index (sorted by id, so index order is id order) and weighted adjacency. */
export interface LinkGraph {
  /** Peer ids, sorted. */
  readonly ids: readonly string[]
  readonly index: ReadonlyMap<string, number>
  /** For each peer, its neighbours (indices, ascending) and link weights. */
  readonly adjacency: ReadonlyArray<ReadonlyArray<{ readonly to: number; readonly weight: number }>>
}

/** The weight of a link from the two ends' reports (see the file comment). */
export function linkWeight(a: number | null, b: number | null): number {
  const rtt = a === null ? b : b === null ? a : Math.max(a, b)
  return (rtt === null ? DEFAULT_LINK_WEIGHT_MS : Math.max(MIN_LINK_WEIGHT_MS, Math.round(rtt))) + HOP_COST_MS
}

/** Builds the link graph of a set of records (records with duplicate ids: the last one counts). */
export function buildLinkGraph(records: ReadonlyMap<string, PeerRecord> | Iterable<PeerRecord>): LinkGraph {
  const byId = new Map<string, PeerRecord>()
  for (const r of isMap(records) ? records.values() : records) byId.set(r.id, r)
  const ids = [...byId.keys()].sort()
  const index = new Map(ids.map((id, i) => [id, i]))
  const established = ids.map((id) => {
    const m = new Map<string, PeerConnection>()
    for (const c of byId.get(id)!.connections) if (c.established) m.set(c.peer, c)
    return m
  })
  const adjacency = ids.map((id, i) => {
    const out: Array<{ to: number; weight: number }> = []
    for (const [peer, mine] of established[i]) {
      const j = index.get(peer)
      if (j === undefined) continue
      const theirs = established[j].get(id)
      if (theirs !== undefined) out.push({ to: j, weight: linkWeight(mine.rttMs, theirs.rttMs) })
    }
    return out.sort((x, y) => x.to - y.to)
  })
  return { ids, index, adjacency }
}

/** Ids of the peers reachable from `from` over links (including `from` if it is in the graph). */
export function reachableFrom(graph: LinkGraph, from: string): Set<string> {
  const start = graph.index.get(from)
  const seen = new Set<string>()
  if (start === undefined) return seen
  const visited = new Uint8Array(graph.ids.length)
  const stack = [start]
  visited[start] = 1
  while (stack.length > 0) {
    const i = stack.pop()!
    seen.add(graph.ids[i])
    for (const { to } of graph.adjacency[i]) {
      if (visited[to] === 0) {
        visited[to] = 1
        stack.push(to)
      }
    }
  }
  return seen
}

function isMap(x: ReadonlyMap<string, PeerRecord> | Iterable<PeerRecord>): x is ReadonlyMap<string, PeerRecord> {
  return x instanceof Map
}
