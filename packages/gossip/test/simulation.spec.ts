// Many engines on one virtual clock, wired by a fake transport (1-5 ms per message, reordering),
// over random sparse connected graphs:
//
//     o---o---o       every node publishes its own record (its connections), relays what is new,
//     |    \   \      and runs anti-entropy every ~10 s. Checks: identical state everywhere,
//     o     o---o     relaying stops by itself, anti-entropy repairs a lost message, queues stay
//           |         bounded under a flood, a restarted node is re-learnt everywhere.
//           o
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_ANTI_ENTROPY_INTERVAL_MS, DIGEST_CHANNEL_SUFFIX, TOPOLOGY_CHANNEL, TOPOLOGY_DIGEST_HASH_BYTES, computeRoutes,
} from '../src/index.js'
import { Mesh, randomGraph } from './helpers/mesh.js'
import { seededRandom } from './helpers/virtual-clock.js'

const SECOND = 1000
const MINUTE = 60 * SECOND
const INTERVAL = DEFAULT_ANTI_ENTROPY_INTERVAL_MS
const DIGEST = TOPOLOGY_CHANNEL + DIGEST_CHANNEL_SUFFIX
/** kind, count, hash (topology-digest.ts) */
const SUMMARY_BYTES = 1 + 4 + TOPOLOGY_DIGEST_HASH_BYTES

/** Builds a mesh of `n` nodes on a random connected graph, every node reporting its links. */
function build(seed: number, n: number, extra: number,
  options: { maxQueueBytesPerNeighbour?: number, fullStateOnly?: boolean, selfPublishDelayMs?: number } = {}) {
  const mesh = new Mesh({ seed, ...options })
  const ids = mesh.addNodes(n)
  const edges = randomGraph(ids, mesh.random, extra)
  for (const [a, b] of edges) mesh.connect(a, b)
  for (const id of ids) mesh.reportConnections(id)
  return { mesh, ids, edges }
}

describe('gossip simulation', () => {
  it('converges to identical state everywhere, and relaying stops by itself', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      const n = 50
      const { mesh, ids, edges } = build(seed, n, n / 2)
      // quiet well before the first anti-entropy round: deltas alone did it
      expect(mesh.runUntilQuiet(0.8 * INTERVAL - 1)).toBe(true)
      expect(mesh.converged()).toBe(true)
      for (const id of ids) {
        expect(mesh.node(id).topology.peers()).toHaveLength(n)
        expect(mesh.node(ids[0]).topology.get(id)?.connections).toHaveLength(mesh.neighbours(id).length)
      }
      // each of the 2n record versions crosses each link direction at most once, plus the
      // full states sent when the links opened
      const directed = 2 * edges.length
      expect(mesh.messages).toBeLessThanOrEqual(2 * n * directed + directed)
      // from now on only anti-entropy talks: per round, a summary digest over each link direction
      // (equal summaries: no answer), and no record at all
      const data = { ...mesh.byChannel.get(TOPOLOGY_CHANNEL)! }
      const digests = { ...mesh.byChannel.get(DIGEST)! }
      mesh.clock.advance(10 * INTERVAL)
      expect(mesh.byChannel.get(TOPOLOGY_CHANNEL)).toEqual(data)
      const rounds = directed * Math.ceil(10 / 0.8 + 1)
      expect(mesh.byChannel.get(DIGEST)!.messages - digests.messages).toBeLessThanOrEqual(rounds)
      expect(mesh.byChannel.get(DIGEST)!.bytes - digests.bytes).toBeLessThanOrEqual(rounds * SUMMARY_BYTES)
      expect(mesh.converged()).toBe(true)
      // every node's own routes deliver along loop-free paths
      const routes = new Map(ids.map((id) => [id, computeRoutes(id, mesh.node(id).topology.full())]))
      for (let k = 0; k < 50; k++) {
        const from = ids[Math.floor(mesh.random() * n)]
        const to = ids[Math.floor(mesh.random() * n)]
        let at = from
        for (let hops = 0; at !== to; hops++) {
          expect(hops).toBeLessThan(n)
          at = routes.get(at)!.unicast.get(to)!
          expect(at).toBeDefined()
        }
      }
    }), { numRuns: 4 })
  })

  it('repairs a lost message with anti-entropy', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      // a tree: the far side of a link learns of a change only over that link
      const { mesh, ids } = build(seed, 30, 0)
      expect(mesh.runUntilQuiet(0.8 * INTERVAL - 1)).toBe(true)
      const a = ids[0]
      const b = mesh.neighbours(a)[0]
      let lost = 0
      mesh.intercept = (m) => !(m.from === a && m.to === b && lost++ === 0)
      mesh.node(a).topology.updateSelf({ addresses: ['192.0.2.77'] })
      const changedAt = mesh.clock.now()
      expect(mesh.runUntilQuiet(SECOND)).toBe(true)
      expect(lost).toBe(1)
      expect(mesh.converged()).toBe(false)
      expect(mesh.node(b).topology.get(a)?.addresses).toEqual([])
      mesh.intercept = null
      expect(mesh.clock.runUntil(() => mesh.quiet() && mesh.converged(), 30 * MINUTE)).toBe(true)
      expect(mesh.clock.now() - changedAt).toBeGreaterThan(0.8 * INTERVAL - SECOND)
      for (const id of ids) expect(mesh.node(id).topology.get(a)?.addresses).toEqual(['192.0.2.77'])
    }), { numRuns: 4 })
  })

  it('keeps queues within their bound under a flood, and still converges', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      const bound = 600 // a few records: the flood below overflows it
      const n = 40
      // every change published at once: coalescing them would leave no flood
      const { mesh, ids } = build(seed, n, n / 2, { maxQueueBytesPerNeighbour: bound, selfPublishDelayMs: 0 })
      const overBound: string[] = []
      const check = (): void => {
        for (const id of ids) {
          const queued = mesh.node(id).engine.stats().queuedBytes
          if (queued > bound * mesh.neighbours(id).length) overBound.push(`${id.slice(0, 8)}: ${queued} bytes at ${mesh.clock.now()} ms`)
        }
      }
      expect(mesh.runUntilQuiet(0.8 * INTERVAL - 1)).toBe(true)
      // the flood: every node changes its record 20 times at once
      for (let round = 0; round < 20; round++) {
        for (const id of ids) mesh.node(id).topology.updateSelf({ nickname: `flood-${round}` })
        check()
      }
      expect(mesh.clock.runUntil(() => { check(); return mesh.quiet() && mesh.converged() }, 30 * MINUTE)).toBe(true)
      expect(overBound).toEqual([])
      const dropped = ids.reduce((sum, id) => sum + mesh.node(id).engine.stats().drops['queue-overflow'], 0)
      expect(dropped).toBeGreaterThan(0)
      for (const id of ids) expect(mesh.node(ids[0]).topology.get(id)?.nickname).toBe('flood-19')
    }), { numRuns: 3 })
  })

  it('re-learns a restarted node everywhere, with its new restartId', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      const { mesh, ids } = build(seed, 30, 15)
      expect(mesh.runUntilQuiet(0.8 * INTERVAL - 1)).toBe(true)
      const p = ids[Math.floor(mesh.random() * ids.length)]
      // a few more versions, so that the old record is well ahead of a fresh start
      for (let i = 0; i < 3; i++) mesh.node(p).topology.updateSelf({ udpPort: 7000 + i })
      expect(mesh.runUntilQuiet(SECOND)).toBe(true)
      const oldVersion = mesh.node(p).topology.self().version
      const fresh = mesh.restart(p)
      expect(fresh.topology.self().version).toBe(0)
      mesh.reportConnections(p)
      expect(mesh.runUntilQuiet(SECOND)).toBe(true)
      expect(mesh.converged()).toBe(true)
      for (const id of ids) {
        const seen = mesh.node(id).topology.get(p)!
        expect(seen.restartId).toBe(fresh.restartId)
        expect(seen.version).toBeGreaterThan(oldVersion)
        expect(seen.udpPort).toBe(6783)
      }
      expect(fresh.topology.stats().selfBumps).toBeGreaterThan(0)
    }), { numRuns: 4 })
  })

  it('with digests, converges under loss to the same state as with full-state anti-entropy', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.double({ min: 0.05, max: 0.5, noNaN: true }),
      fc.integer({ min: 0, max: 8 }), (seed, loss, extra) => {
        const n = 25
        const run = (fullStateOnly: boolean) => {
          // same graph, same changes in both runs (drawn before any message moves, or from their own streams)
          const { mesh, ids } = build(seed, n, extra, { fullStateOnly })
          const lossRandom = seededRandom(seed ^ 0x5a5a5a)
          mesh.intercept = () => lossRandom() >= loss // lost all along, digests and their answers too
          const changes = seededRandom(seed + 1)
          for (let k = 0; k < 30; k++) {
            mesh.node(ids[Math.floor(changes() * n)]).topology.updateSelf({ nickname: `change-${k}` })
            mesh.clock.advance(Math.floor(changes() * 500))
          }
          const met = mesh.clock.runUntil(() => mesh.quiet() && mesh.converged(), 30 * MINUTE)
          const digestBytes = mesh.byChannel.get(DIGEST)?.bytes ?? 0
          return { met, state: Buffer.from(mesh.node(ids[0]).topology.encode(mesh.node(ids[0]).topology.full())).toString('hex'), digestBytes }
        }
        const withDigests = run(false)
        const fullState = run(true)
        expect(withDigests.met).toBe(true)
        expect(fullState.met).toBe(true)
        expect(withDigests.state).toBe(fullState.state)
        expect(withDigests.digestBytes).toBeGreaterThan(0)
        expect(fullState.digestBytes).toBe(0)
      }), { numRuns: 8 })
  })
})
