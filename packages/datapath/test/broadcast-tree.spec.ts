import { describe, expect, it } from 'vitest'
import type { SimDatagram } from '@weft/udp'
import { PacketKind } from '@weft/wire'
import {
  BROADCAST_MAC, SimMesh, frame, recordDatagrams, routes, sealDatagram, settle, totalDrops,
} from './sim-mesh.js'

//   a ───── b ───── c      line: a-b, b-c direct; a-c relayed
//
//   a ───── b              triangle: every pair direct, but a's tree is a chain a -> b -> c
//    \     /
//      c

const hops = (mesh: SimMesh, seen: SimDatagram[]): string[] => seen.map((d) => {
  const name = (address: string) => mesh.nodes[Number(address.split('.')[3]) - 1].name
  return `${name(d.from.address)}>${name(d.to.address)}:${d.data[1]}`
})

describe('broadcast along spanning trees', () => {
  it('delivers a broadcast from a exactly once on b and c, learning MACs as the source\'s', async () => {
    const mesh = new SimMesh(['a', 'b', 'c'])
    const [a, b, c] = mesh.nodes
    mesh.link(0, 1)
    mesh.link(1, 2)
    mesh.relay(0, 2)
    mesh.routeByBfs()
    const seen = recordDatagrams(mesh)
    const sent = frame(BROADCAST_MAC, a.mac, 60, 7)
    a.tap.inject(sent)
    await settle()
    expect(b.tap.written).toEqual([sent])
    expect(c.tap.written).toEqual([sent])
    expect(a.tap.written).toEqual([])
    expect(hops(mesh, seen)).toEqual([`a>b:${PacketKind.Broadcast}`, `b>c:${PacketKind.Broadcast}`])
    expect(b.dp.macEntries()).toEqual([expect.objectContaining({ owner: a.id })])
    expect(c.dp.macEntries()).toEqual([expect.objectContaining({ owner: a.id })])
    expect(b.dp.traffic().relayedPackets).toBe(1)
    expect(a.dp.traffic().relayedPackets).toBe(0)
    expect(a.dp.traffic().floods).toBe(1)
  })

  it('follows the tree the control path gives, not every session', async () => {
    const mesh = new SimMesh(['a', 'b', 'c'])
    const [a, b, c] = mesh.nodes
    mesh.link(0, 1)
    mesh.link(1, 2)
    mesh.link(0, 2)
    const tree = new Map([[a.id, [b.id]]]) // at a
    a.dp.setRoutes(routes(new Map([[b.id, b.id], [c.id, c.id]]), tree))
    // b's list for a names a too (as a naive "all my neighbours" would): never back where it came from
    b.dp.setRoutes(routes(new Map([[a.id, a.id], [c.id, c.id]]), new Map([[a.id, [a.id, c.id]]])))
    c.dp.setRoutes(routes(new Map([[a.id, a.id], [b.id, b.id]]), new Map()))
    const seen = recordDatagrams(mesh)
    for (let i = 0; i < 3; i++) a.tap.inject(frame(BROADCAST_MAC, a.mac, 60, i))
    await settle()
    expect(hops(mesh, seen)).toEqual([`a>b:${PacketKind.Broadcast}`, `b>c:${PacketKind.Broadcast}`]) // one bundle
    expect(b.tap.written.map((f) => f[20])).toEqual([0, 1, 2])
    expect(c.tap.written.map((f) => f[20])).toEqual([0, 1, 2])
    expect(totalDrops(a.dp) + totalDrops(b.dp) + totalDrops(c.dp)).toBe(0)
    // a unicast to a MAC learnt from a broadcast goes straight to its owner (a neighbour here)
    c.tap.inject(frame(a.mac, c.mac))
    await settle()
    expect(hops(mesh, seen).at(-1)).toBe(`c>a:${PacketKind.Data}`)
    expect(a.tap.written).toHaveLength(1)
  })

  it('stops a broadcast going round a loop of trees by its ttl, and drops our own coming back', async () => {
    //   a ── b ── c        b's, c's and d's trees for a point round the cycle b -> c -> d -> b
    //        │    │
    //        └─ d ┘
    // synchronous delivery: a loop the ttl failed to stop would overflow the stack, not hang
    const mesh = new SimMesh(['a', 'b', 'c', 'd'], { hopLimit: 16, sync: true })
    const [a, b, c, d] = mesh.nodes
    mesh.link(0, 1)
    mesh.link(1, 2)
    mesh.link(2, 3)
    mesh.link(3, 1)
    a.dp.setRoutes(routes(new Map(), new Map([[a.id, [b.id]]])))
    b.dp.setRoutes(routes(new Map(), new Map([[a.id, [c.id]]])))
    c.dp.setRoutes(routes(new Map(), new Map([[a.id, [d.id]]])))
    d.dp.setRoutes(routes(new Map(), new Map([[a.id, [b.id, a.id]]]))) // a is not d's neighbour
    a.tap.inject(frame(BROADCAST_MAC, a.mac))
    await settle()
    // received with ttl 16, 15, ..., 1: sixteen deliveries, then no more
    expect(b.tap.written.length + c.tap.written.length + d.tap.written.length).toBe(16)
    expect(b.dp.drops().ttl_expired + c.dp.drops().ttl_expired + d.dp.drops().ttl_expired).toBe(1)
    expect(d.dp.drops().no_route).toBeGreaterThan(0)
    // a broadcast of a's own, handed back to it by a neighbour
    const ab = mesh.keys.get('b>a')!
    const own = Buffer.concat([Buffer.from(a.id, 'hex'), Buffer.of(3), Buffer.from([0, 14]), Buffer.alloc(14, 1)])
    a.bind.deliver(sealDatagram(ab.sendKey, PacketKind.Broadcast, ab.remoteIndex, 1_000n, own), b.bind.endpoint)
    expect(a.dp.drops().looped).toBe(1)
    expect(a.tap.written).toHaveLength(0)
  })

  it('survives routes whose broadcast function throws: the frames are dropped and counted', async () => {
    const mesh = new SimMesh(['a', 'b', 'c'], { sync: true })
    const [a, b, c] = mesh.nodes
    mesh.link(0, 1)
    mesh.link(1, 2)
    mesh.routeByBfs()
    const broken = { nextHop: new Map([[c.id, c.id]]), broadcast: (): string[] => { throw new Error('bug in the control path') } }
    a.dp.setRoutes(broken)
    b.dp.setRoutes(broken)
    a.tap.inject(frame(BROADCAST_MAC, a.mac))
    await settle()
    expect(a.dp.drops().no_route).toBe(1)
    const ab = mesh.keys.get('a>b')!
    const bundle = Buffer.concat([Buffer.from(a.id, 'hex'), Buffer.of(3), Buffer.from([0, 14]), Buffer.alloc(14, 4)])
    b.bind.deliver(sealDatagram(ab.sendKey, PacketKind.Broadcast, ab.remoteIndex, 900n, bundle), a.bind.endpoint)
    expect(b.tap.written).toHaveLength(1) // delivered here, forwarded nowhere
    expect(c.tap.written).toHaveLength(0)
  })

  it('bounds broadcast frames by the Broadcast overhead', async () => {
    const mesh = new SimMesh(['a', 'b'], { mtu: 1500, underlayMtu: 1500 })
    const [a, b] = mesh.nodes
    mesh.link(0, 1)
    mesh.routeByBfs()
    const seen = recordDatagrams(mesh)
    // budget 1472 - header, hop header, tag (65) - bundle prefix (2) - Ethernet (14) = 1391
    a.tap.inject(frame(BROADCAST_MAC, a.mac, 1391))
    a.tap.inject(frame(BROADCAST_MAC, a.mac, 1392))
    await settle()
    expect(b.tap.written.map((f) => f.length)).toEqual([14 + 1391])
    expect(seen.map((d) => d.data.length)).toEqual([1472])
    expect(a.dp.drops().too_big).toBe(1)
    expect(a.dp.mtuFor(b.id)).toBe(1424) // unicast to the neighbour keeps the direct MTU
  })

  it('until routes are set, floods Data to every neighbour, never to relayed peers', async () => {
    const mesh = new SimMesh(['a', 'b', 'c'])
    const [a, b, c] = mesh.nodes
    mesh.link(0, 1)
    mesh.link(1, 2)
    mesh.relay(0, 2)
    const seen = recordDatagrams(mesh)
    a.tap.inject(frame(BROADCAST_MAC, a.mac))
    await settle()
    expect(hops(mesh, seen)).toEqual([`a>b:${PacketKind.Data}`])
    expect(totalDrops(a.dp)).toBe(0) // c was not even tried
    expect(b.tap.written).toHaveLength(1)
    expect(c.tap.written).toHaveLength(0)
    // a Broadcast datagram is still understood: delivered, and forwarded nowhere without routes
    const ba = mesh.keys.get('a>b')!
    const bundle = Buffer.concat([Buffer.from(a.id, 'hex'), Buffer.of(3), Buffer.from([0, 14]), Buffer.alloc(14, 4)])
    b.bind.deliver(sealDatagram(ba.sendKey, PacketKind.Broadcast, ba.remoteIndex, 500n, bundle), a.bind.endpoint)
    await settle()
    expect(b.tap.written).toHaveLength(2)
    expect(seen).toHaveLength(1)
    expect(totalDrops(b.dp)).toBe(0)
  })
})
