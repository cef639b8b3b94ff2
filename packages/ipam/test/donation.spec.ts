// Donations between live peers, over gossip:
//
//     a (owns the range) --- c (owns nothing) --- d (owns nothing)
//
// A peer with no space asks the peer reporting the most free space; the donor gives the largest
// aligned block it has wholly free, and never more than half of its free space.
import { describe, expect, it } from 'vitest'
import { IpamMesh } from './helpers/ipam-mesh.js'
import { randomIds } from './helpers/sim-clock.js'

const SECOND = 1000

describe('donation', () => {
  it('gives the largest aligned wholly free block, at most half of the donor\'s free space', async () => {
    const mesh = new IpamMesh({ seed: 3, init: { range: '10.32.0.0/24' } })
    const [a, c, d] = randomIds(mesh.random, 3)
    for (const id of [a, c, d]) mesh.add(id, { kind: 'seed', peers: [a] })
    mesh.connect(a, c)
    mesh.connect(c, d)
    const first = mesh.allocate(c, 'c1')
    expect(await mesh.runUntil(() => first.result !== undefined, 10 * SECOND)).toBe(true)
    // a had 256 free: c gets 128, aligned, the upper half (a keeps its low addresses together)
    expect(first.result!.address).toBe('10.32.0.128')
    expect(mesh.peer(c).ipam.status().self).toMatchObject({ owned: 128, used: 1 })
    const mine = [mesh.allocate(a, 'a1'), mesh.allocate(a, 'a2'), mesh.allocate(a, 'a3')]
    expect(await mesh.runUntil(() => mine.every((o) => o.result !== undefined) && mesh.converged(), 10 * SECOND)).toBe(true)
    // a reports 125 free of 128 (more than c's 127? no: c reports 127), so d asks c: at most 63
    // of c's 127 free, the largest aligned wholly free block under that is 32
    const second = mesh.allocate(d, 'd1')
    expect(await mesh.runUntil(() => second.result !== undefined && mesh.converged(), 10 * SECOND)).toBe(true)
    expect(mesh.peer(d).ipam.status().self.owned).toBe(32)
    expect(mesh.peer(c).ipam.stats().donationsGiven).toBe(32)
    expect(mesh.peer(d).ipam.stats().donationsReceived).toBe(32)
    expect(second.result!.address).toBe('10.32.0.224') // [224, 256): its lowest address
    expect(mesh.duplicates()).toEqual([])
  })

  it('never gives away a donor\'s last free address', async () => {
    const mesh = new IpamMesh({ seed: 4, init: { range: '10.32.0.0/30', allocateTimeoutMs: 5 * SECOND } })
    const [a, c] = randomIds(mesh.random, 2)
    for (const id of [a, c]) mesh.add(id, { kind: 'seed', peers: [a] })
    mesh.connect(a, c)
    const x = mesh.allocate(a, 'only') // 10.32.0.1: a keeps 3 free of 4 (0, 2, 3), half is 1
    expect(await mesh.runUntil(() => x.result !== undefined, SECOND)).toBe(true)
    const y = mesh.allocate(c, 'wants')
    expect(await mesh.runUntil(() => y.result !== undefined || y.error !== undefined, 10 * SECOND)).toBe(true)
    expect(mesh.peer(c).ipam.status().self.owned).toBe(1)
    expect(mesh.peer(a).ipam.status().self.owned).toBe(3)
  })
})
