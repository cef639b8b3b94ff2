import type { SimMeshEdge } from './sim-mesh-graphs.js'

/**
 * Slow, obvious references to check a simulated mesh against, computed from the links the test
 * asked for rather than from anything a router learnt: connected pieces of a group, shortest
 * path weights (O(n²) Dijkstra on an adjacency list, no heap, no tie-breaks), and a split of the
 * mesh into two halves that each stay connected (to partition it).
 */

/** The connected pieces of `members` over `edges` whose ends are both members; each sorted. */
export function linkComponents (edges: readonly SimMeshEdge[], members: readonly number[]): number[][] {
  const inGroup = new Set(members)
  const adjacent = new Map<number, number[]>(members.map((m) => [m, []]))
  for (const e of edges) {
    if (!inGroup.has(e.from) || !inGroup.has(e.to)) continue
    adjacent.get(e.from)!.push(e.to)
    adjacent.get(e.to)!.push(e.from)
  }
  const seen = new Set<number>()
  const pieces: number[][] = []
  for (const start of members) {
    if (seen.has(start)) continue
    const piece = [start]
    seen.add(start)
    for (let k = 0; k < piece.length; k++) {
      for (const next of adjacent.get(piece[k])!) {
        if (!seen.has(next)) {
          seen.add(next)
          piece.push(next)
        }
      }
    }
    pieces.push(piece.sort((a, b) => a - b))
  }
  return pieces
}

/**
 * Shortest path weights from `from` to every router 0..n-1 over `edges` (undirected), with
 * `weight(edge)` per link; Infinity where unreachable.
 */
export function referenceDistances (
  n: number,
  edges: readonly SimMeshEdge[],
  weight: (e: SimMeshEdge) => number,
  from: number,
): number[] {
  const adjacent: Array<Array<[number, number]>> = Array.from({ length: n }, () => [])
  for (const e of edges) {
    const w = weight(e)
    adjacent[e.from].push([e.to, w])
    adjacent[e.to].push([e.from, w])
  }
  const dist = new Array<number>(n).fill(Infinity)
  const done = new Array<boolean>(n).fill(false)
  dist[from] = 0
  for (;;) {
    let u = -1
    for (let v = 0; v < n; v++) if (!done[v] && dist[v] < Infinity && (u < 0 || dist[v] < dist[u])) u = v
    if (u < 0) return dist
    done[u] = true
    for (const [v, w] of adjacent[u]) if (dist[u] + w < dist[v]) dist[v] = dist[u] + w
  }
}

/**
 * Splits routers 0..n-1 into two halves that each stay connected over `edges`: a breadth-first
 * spanning tree from router 0 is cut above the subtree whose size is closest to n/2, so one half
 * is that subtree and the other is the rest of the tree. Both halves sorted.
 */
export function treeBisection (n: number, edges: readonly SimMeshEdge[]): [number[], number[]] {
  const adjacent: number[][] = Array.from({ length: n }, () => [])
  for (const e of edges) {
    adjacent[e.from].push(e.to)
    adjacent[e.to].push(e.from)
  }
  const parent = new Array<number>(n).fill(-1)
  const order = [0]
  parent[0] = 0
  for (let k = 0; k < order.length; k++) {
    for (const v of adjacent[order[k]]) {
      if (parent[v] < 0) {
        parent[v] = order[k]
        order.push(v)
      }
    }
  }
  const size = new Array<number>(n).fill(1)
  for (let k = order.length - 1; k > 0; k--) size[parent[order[k]]] += size[order[k]]
  let cut = order.length > 1 ? order[1] : 0
  for (const v of order.slice(1)) if (Math.abs(2 * size[v] - n) < Math.abs(2 * size[cut] - n)) cut = v
  const inSubtree = new Array<boolean>(n).fill(false)
  for (const v of order) inSubtree[v] = v === cut || (v !== 0 && inSubtree[parent[v]])
  const half: number[] = []
  const rest: number[] = []
  for (let v = 0; v < n; v++) (inSubtree[v] ? half : rest).push(v)
  return [half, rest]
}
