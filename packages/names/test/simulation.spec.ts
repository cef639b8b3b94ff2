// The name CRDT on the real gossip engine, 100 peers on random sparse connected graphs, one
// virtual clock (1-5 ms per message, reordering), anti-entropy every ~10 s:
//
//     A---o---o       a name registered anywhere reaches every peer by deltas alone; a peer
//     |    \   \      restarting after its container died does not let a cut-off third peer
//     o     B---o     (C) bring the stale name back; a removed peer's names go everywhere.
//           |
//           C
import fc from 'fast-check'
import { DEFAULT_ANTI_ENTROPY_INTERVAL_MS } from '@weft/gossip'
import { describe, expect, it } from 'vitest'
import { NameMesh } from './helpers/name-mesh.js'

const SECOND = 1000
const MINUTE = 60 * SECOND
const INTERVAL = DEFAULT_ANTI_ENTROPY_INTERVAL_MS
const N = 100

function build(seed: number, compactThreshold?: number) {
  const mesh = new NameMesh(seed, compactThreshold === undefined ? {} : { compactThreshold })
  const ids = mesh.addPeers(N)
  mesh.connectRandomly(ids, N / 2)
  return { mesh, ids }
}

describe('names simulation', () => {
  it('spreads every peer\'s names to all 100 peers by deltas alone, and a new name within milliseconds', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      const { mesh, ids } = build(seed)
      ids.forEach((id, i) => mesh.peer(id).names.register(`c${i}`, `10.32.${i >> 8}.${i & 0xff}`, `cid${i}`))
      // quiet well before the first anti-entropy round: deltas alone did it
      expect(mesh.runUntilQuiet(0.8 * INTERVAL - 1)).toBe(true)
      expect(mesh.converged()).toBe(true)
      for (const id of ids) expect(mesh.peer(id).names.stats().entries).toBe(N)

      // one new name: time until every peer resolves it, and what it cost
      const at = ids[mesh.prng.int(0, N - 1)]
      const start = mesh.clock.now()
      const messages = mesh.messages
      const bytes = mesh.bytes
      mesh.peer(at).names.register('NewName', '10.32.9.9', 'fresh')
      expect(mesh.runUntil(() => ids.every((id) => mesh.peer(id).names.lookup('newname').length === 1), SECOND)).toBe(true)
      const elapsed = mesh.clock.now() - start
      expect(mesh.runUntilQuiet(SECOND)).toBe(true)
      const cost = { messages: mesh.messages - messages, bytes: mesh.bytes - bytes }
      // each directed link carries the delta at most once
      const links = ids.reduce((sum, id) => sum + mesh.neighbours(id).length, 0)
      expect(cost.messages).toBeLessThanOrEqual(links)
      expect(mesh.converged()).toBe(true)
      for (const id of ids) expect(mesh.peer(id).names.reverse('10.32.9.9')).toEqual(['NewName'])
      console.info(`names sim seed=${seed}: new name on all ${N} peers after ${elapsed} ms simulated, ${cost.messages} messages, ${cost.bytes} bytes (${links} directed links)`)
    }), { numRuns: 3 })
  })

  it('a peer restarting after its container died does not resurrect the stale name on a cut-off third peer', () => {
    for (const compactThreshold of [undefined, 0]) {
      fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const { mesh, ids } = build(seed, compactThreshold)
        // the last peer is a leaf of the spanning tree: cutting it off leaves the rest connected
        const [a, b, c] = [ids[0], ids[1], ids[N - 1]]
        mesh.peer(a).names.register('web', '10.32.0.5', 'c1')
        mesh.peer(a).names.register('db', '10.32.0.6', 'c2')
        expect(mesh.runUntilQuiet(SECOND)).toBe(true)
        expect(mesh.peer(c).names.lookup('web')).toEqual(['10.32.0.5'])

        // C is cut off, still holding web -> 10.32.0.5 live
        const cLinks = mesh.neighbours(c)
        for (const other of cLinks) mesh.disconnect(c, other)
        // A's container `web` dies while A is down; A comes back with only `db` running
        const a2 = mesh.restart(a)
        a2.names.register('db', '10.32.0.6', 'c2')
        // B's new container gets the freed address
        mesh.peer(b).names.register('api', '10.32.0.5', 'c7')
        expect(mesh.runUntil(() => mesh.quiet() && mesh.converged(ids.filter((id) => id !== c)), 5 * MINUTE)).toBe(true)
        expect(mesh.peer(c).names.lookup('web')).toEqual(['10.32.0.5'])

        // C comes back with its stale copy: the name stays dead everywhere, C included
        for (const other of cLinks) mesh.connect(c, other)
        expect(mesh.runUntil(() => mesh.quiet() && mesh.converged(), 5 * MINUTE)).toBe(true)
        // and still after anti-entropy has run a while
        mesh.clock.advance(3 * INTERVAL)
        expect(mesh.runUntil(() => mesh.quiet() && mesh.converged(), 5 * MINUTE)).toBe(true)
        for (const id of ids) {
          const names = mesh.peer(id).names
          expect(names.lookup('web')).toEqual([])
          expect(names.reverse('10.32.0.5')).toEqual(['api'])
          expect(names.lookup('db')).toEqual(['10.32.0.6'])
        }
        expect(a2.names.stats().reassertions).toBeGreaterThan(0)
      }), { numRuns: 3 })
    }
  })

  it('removes a departed peer\'s names everywhere, whoever runs removePeer, even with its copies still travelling', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 6 }), (seed, delayMs) => {
      const { mesh, ids } = build(seed)
      // the last peer is a leaf of the spanning tree: its leaving leaves the rest connected
      const gone = ids[N - 1]
      mesh.peer(ids[6]).names.register('stays', '10.32.2.1')
      expect(mesh.runUntilQuiet(SECOND)).toBe(true)
      for (let i = 0; i < 5; i++) mesh.peer(gone).names.register(`g${i}`, `10.32.1.${i}`)
      // a few milliseconds: its names are on their way, some peers have them, most not yet
      mesh.clock.advance(delayMs)
      const others = ids.filter((id) => id !== gone)
      const before = others.filter((id) => mesh.peer(id).names.lookup('g0').length > 0).length
      // it leaves (its links drop) and two peers run removePeer at once
      for (const other of mesh.neighbours(gone)) mesh.disconnect(gone, other)
      mesh.peer(others[10]).names.removePeer(gone)
      mesh.peer(others[50]).names.removePeer(gone)
      expect(mesh.runUntil(() => mesh.quiet() && mesh.converged(others), 5 * MINUTE)).toBe(true)
      for (const id of others) {
        expect(mesh.peer(id).names.entries().map((e) => e.name)).toEqual(['stays'])
        expect(mesh.peer(id).names.stats().floors).toBe(1)
      }
      expect(before).toBeLessThan(others.length)
    }), { numRuns: 5 })
  })
})
