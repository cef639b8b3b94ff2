import type { Prng } from '@weft/netsim'
import { SimMeshError } from './sim-mesh-error.js'

/**
 * Shapes a simulated mesh can start in:
 *
 *   random-sparse   a random recursive tree (router i dials a uniformly chosen older router, as
 *                   hosts joining one at a time would), plus random extra links up to a mean
 *                   degree; connected, diameter O(log n)
 *   line            0 - 1 - 2 - ... - n-1                  (diameter n-1)
 *   ring            the line plus n-1 - 0                  (diameter n/2)
 *   star            every router dials router 0           (diameter 2)
 */
export type SimMeshShape = 'random-sparse' | 'line' | 'ring' | 'star'

export const SIM_MESH_SHAPES: readonly SimMeshShape[] = Object.freeze(['random-sparse', 'line', 'ring', 'star'])

/** A link to open: router `from` dials router `to`. */
export interface SimMeshEdge {
  readonly from: number
  readonly to: number
}

/** The links of a mesh of `n` routers in `shape`, without duplicates; `degree` is for random-sparse. */
export function buildSimMeshEdges (shape: SimMeshShape, n: number, degree: number, prng: Prng): SimMeshEdge[] {
  const edges = new EdgeSet()
  switch (shape) {
    case 'random-sparse': {
      for (let i = 1; i < n; i++) edges.add(i, prng.int(0, i - 1))
      const wanted = Math.min(Math.round((n * degree) / 2), (n * (n - 1)) / 2)
      // bounded attempts: on a nearly complete graph most random pairs are taken
      for (let tries = 0; edges.size < wanted && tries < 20 * wanted; tries++) {
        const a = prng.int(0, n - 1)
        const b = prng.int(0, n - 1)
        if (a !== b) edges.add(Math.max(a, b), Math.min(a, b))
      }
      break
    }
    case 'line':
    case 'ring':
      for (let i = 1; i < n; i++) edges.add(i, i - 1)
      if (shape === 'ring' && n > 2) edges.add(n - 1, 0)
      break
    case 'star':
      for (let i = 1; i < n; i++) edges.add(i, 0)
      break
    default:
      throw new SimMeshError('ERR_SIM_MESH_ARGUMENT', `unknown mesh shape ${JSON.stringify(shape)}; use one of ${SIM_MESH_SHAPES.join(', ')}`)
  }
  return edges.list()
}

/** Undirected edge key: `min|max`. */
export function edgeKey (a: number, b: number): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`
}

class EdgeSet {
  private readonly byKey = new Map<string, SimMeshEdge>()

  get size (): number {
    return this.byKey.size
  }

  add (from: number, to: number): void {
    const key = edgeKey(from, to)
    if (from !== to && !this.byKey.has(key)) this.byKey.set(key, { from, to })
  }

  list (): SimMeshEdge[] {
    return [...this.byKey.values()]
  }
}
