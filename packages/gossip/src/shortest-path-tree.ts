// Dijkstra over a LinkGraph, deterministic: a node's parent is the smallest-id node among all
// those on a shortest path to it. Weights are whole milliseconds >= 1, so every predecessor on a
// shortest path is settled before the node, distances are exact, and the tree depends only on
// the graph, not on the order anything was inserted: every peer builds the same tree.

import type { LinkGraph } from './link-graph.js'

export interface ShortestPathTree {
  /** Distance from the root per node; Infinity if unreachable. */
  readonly dist: Float64Array
  /** Parent per node; -1 for the root and unreachable nodes. */
  readonly parent: Int32Array
  /** Reachable nodes in the order they were settled (root first; parents before children). */
  readonly order: readonly number[]
}

/** The shortest-path tree of `graph` rooted at node `root`. */
export function shortestPathTree(graph: LinkGraph, root: number): ShortestPathTree {
  const n = graph.ids.length
  const dist = new Float64Array(n).fill(Infinity)
  const parent = new Int32Array(n).fill(-1)
  const settled = new Uint8Array(n)
  const order: number[] = []
  const heap = new NodeHeap()
  dist[root] = 0
  heap.push(0, root)
  while (heap.size > 0) {
    const [d, u] = heap.pop()
    if (settled[u] === 1 || d > dist[u]) continue
    settled[u] = 1
    order.push(u)
    for (const { to, weight } of graph.adjacency[u]) {
      if (settled[to] === 1) continue
      const nd = d + weight
      if (nd < dist[to]) {
        dist[to] = nd
        parent[to] = u
        heap.push(nd, to)
      } else if (nd === dist[to] && u < parent[to]) {
        parent[to] = u
      }
    }
  }
  return { dist, parent, order }
}

/** A binary min-heap of (distance, node), ties by node. Stale entries are skipped by the caller. */
class NodeHeap {
  private readonly keys: number[] = []
  private readonly nodes: number[] = []

  get size(): number {
    return this.nodes.length
  }

  push(key: number, node: number): void {
    this.keys.push(key)
    this.nodes.push(node)
    let i = this.nodes.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(i, p)) break
      this.swap(i, p)
      i = p
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.keys[0], this.nodes[0]]
    const lastKey = this.keys.pop()!
    const lastNode = this.nodes.pop()!
    if (this.nodes.length > 0) {
      this.keys[0] = lastKey
      this.nodes[0] = lastNode
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < this.nodes.length && this.less(l, m)) m = l
        if (r < this.nodes.length && this.less(r, m)) m = r
        if (m === i) break
        this.swap(i, m)
        i = m
      }
    }
    return top
  }

  private less(a: number, b: number): boolean {
    return this.keys[a] < this.keys[b] || (this.keys[a] === this.keys[b] && this.nodes[a] < this.nodes[b])
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a]
    this.keys[a] = this.keys[b]
    this.keys[b] = k
    const n = this.nodes[a]
    this.nodes[a] = this.nodes[b]
    this.nodes[b] = n
  }
}
