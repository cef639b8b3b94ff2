// The consensus in isolation: real `Consensus` drivers whose records travel through an adversarial
// network (any order, duplicates, drops) and whose retry timers fire whenever the scheduler likes.
// With fewer than 2N participants at most one value is ever chosen; with 2N split in two halves,
// two can be, which is why the docs bound the number of `consensus=N` peers.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Consensus } from '../src/consensus.js'
import { compareAcceptors, type AcceptorRecord } from '../src/paxos.js'
import { peerId } from './helpers/sim-clock.js'

// one fixed seed: every run explores the same cases (a failure prints its counterexample)
fc.configureGlobal({ seed: 20_261_124 })

interface Node {
  readonly id: string
  readonly records: Map<string, AcceptorRecord>
  consensus: Consensus
  timers: Array<() => void>
  chosen: string | null
}

/** Builds `n` participants of quorum `quorum`; every write goes to `outbox`. */
function cluster(n: number, quorum: number, outbox: Array<{ to: string; r: AcceptorRecord }>, ownValues = false) {
  const ids = Array.from({ length: n }, (_, i) => peerId(i + 1))
  const nodes = ids.map((id): Node => {
    const node = { id, records: new Map(), timers: [], chosen: null } as unknown as Node
    node.consensus = new Consensus(quorum, 1000, {
      selfId: id,
      random: () => 0.5,
      clock: { now: () => 0, setTimeout: (fn) => node.timers.push(fn), clearTimeout: () => { node.timers.length = 0 } },
      records: () => node.records,
      write: (r) => {
        node.records.set(r.peer, r)
        for (const to of ids) if (to !== id) outbox.push({ to, r })
      },
      wake: () => step(node),
    }, ownValues ? (records, q) => [id, ...[...records.keys()].filter((k) => k !== id).sort().slice(0, q - 1)] : undefined)
    return node
  })
  const step = (node: Node): void => {
    const v = node.consensus.step()
    if (v !== null) node.chosen ??= v.join(',')
  }
  const deliver = (to: Node, r: AcceptorRecord): void => {
    const had = to.records.get(r.peer)
    if (had === undefined || compareAcceptors(r, had) > 0) to.records.set(r.peer, r)
    step(to)
  }
  return { nodes, step, deliver, byId: new Map(nodes.map((x) => [x.id, x])) }
}

describe('consensus safety', () => {
  it('chooses at most one value among up to 2N - 1 participants, whatever the network does', () => {
    let decided = 0
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.array(fc.nat(), { minLength: 50, maxLength: 400 }), (quorum, fewer, script) => {
      const n = Math.max(1, 2 * quorum - 1 - fewer)
      const outbox: Array<{ to: string; r: AcceptorRecord }> = []
      // every proposer proposes its own value (itself first), so a safety bug shows as two decisions
      const { nodes, step, deliver, byId } = cluster(n, quorum, outbox, true)
      for (const k of script) {
        const action = k % 12
        const x = nodes[Math.floor(k / 12) % nodes.length]
        if (action < 6 && outbox.length > 0) {
          const i = Math.floor(k / 12) % outbox.length
          const m = outbox[i]
          if (action !== 0) outbox.splice(i, 1) // action 0: duplicate (deliver, keep it queued)
          const to = byId.get(m.to)!
          if (!to.consensus.joined() && action % 2 === 1) to.consensus.join(false) // woken by gossip
          deliver(to, m.r)
        } else if (action < 7 && outbox.length > 0) {
          outbox.splice(Math.floor(k / 12) % outbox.length, 1) // lost
        } else if (action < 9) {
          x.consensus.join(true) // it wants addresses
          step(x)
        } else {
          const t = x.timers.shift() // a retry timer fires: a new, higher ballot
          if (t !== undefined) t()
        }
      }
      const chosen = new Set(nodes.map((x) => x.chosen).filter((c) => c !== null))
      expect(chosen.size).toBeLessThanOrEqual(1)
      decided += chosen.size
    }), { numRuns: 2000 })
    expect(decided).toBeGreaterThan(100) // most runs reach a decision: the check is not vacuous
  })

  it('decides once every record is delivered, with all participants present', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), (quorum) => {
      const outbox: Array<{ to: string; r: AcceptorRecord }> = []
      const { nodes, step, deliver, byId } = cluster(quorum, quorum, outbox)
      for (const x of nodes) {
        x.consensus.join(true)
        step(x)
      }
      for (let i = 0; i < 10_000 && outbox.length > 0; i++) {
        const m = outbox.shift()!
        deliver(byId.get(m.to)!, m.r)
      }
      expect(new Set(nodes.map((x) => x.chosen)).size).toBe(1)
      expect(nodes[0].chosen).not.toBeNull()
    }))
  })

  it('makes a later proposer adopt a value a quorum accepted, even when its own proposal differs', () => {
    // N = 2 of a, b, c. a's ballot 1 is accepted by a and b (chosen: b sees it). c, not knowing,
    // starts ballot 2; a promises it. c must propose a's value, not its own.
    const outbox: Array<{ to: string; r: AcceptorRecord }> = []
    const { nodes, step, deliver, byId } = cluster(3, 2, outbox, true)
    const [a, b, c] = nodes
    const take = (pick: (m: { to: string; r: AcceptorRecord }) => boolean): void => {
      for (const m of outbox.filter(pick)) {
        outbox.splice(outbox.indexOf(m), 1)
        deliver(byId.get(m.to)!, m.r)
      }
    }
    a.consensus.join(true)
    b.consensus.join(false)
    c.consensus.join(false)
    take((m) => m.r.promised.round === 0) // everyone knows everyone; a proposes ballot 1
    step(a)
    take((m) => m.to === b.id && m.r.peer === a.id) // b promises ballot 1
    take((m) => m.to === a.id && m.r.peer === b.id) // a has its quorum: accepts its value
    take((m) => m.to === b.id && m.r.peer === a.id) // b accepts: chosen, as b sees
    take((m) => m.to === a.id && m.r.peer === b.id && m.r.accepted === null) // (nothing: stale copies)
    expect(b.chosen).toBe([a.id, b.id].join(','))
    outbox.splice(0, outbox.length, ...outbox.filter((m) => m.to !== c.id)) // c heard nothing of it
    c.timers.shift()!() // c's retry: ballot 2
    take((m) => m.to === a.id && m.r.peer === c.id) // a promises ballot 2, reporting its accepted value
    take((m) => m.to === c.id && m.r.peer === a.id)
    take((m) => m.to === a.id && m.r.peer === c.id)
    take((m) => m.to === c.id && m.r.peer === a.id)
    expect(a.chosen).toBe(b.chosen)
    expect(c.chosen).toBe(b.chosen)
  })

  it('can choose two values with 2N participants split in two halves: the bound is tight', () => {
    const quorum = 2
    const outbox: Array<{ to: string; r: AcceptorRecord }> = []
    const { nodes, step, deliver, byId } = cluster(4, quorum, outbox)
    const half = (id: string): number => nodes.findIndex((x) => x.id === id) < 2 ? 0 : 1
    for (const x of nodes) {
      x.consensus.join(true)
      step(x)
    }
    for (let i = 0; i < 10_000 && outbox.length > 0; i++) {
      const m = outbox.shift()!
      if (half(m.to) === half(m.r.peer)) deliver(byId.get(m.to)!, m.r)
    }
    expect(new Set(nodes.map((x) => x.chosen)).size).toBe(2)
  })
})
