import { describe, expect, it } from 'vitest'
import { PacketKind } from '@weft/wire'
import { RELAYED_ENDPOINT } from '../src/index.js'
import {
  frame, ipv4Frame, learnMac, openDatagram, recordDatagrams, relayLine, routes, sealDatagram, settle, totalDrops,
} from './sim-mesh.js'

//   a ───────── b ───────── c        direct sessions: a-b, b-c (UDP)
//   └──── end to end, via b ────┘    relayed sessions: a-c (Relay datagrams through b)

const SECRET = Buffer.from('the relay must never see this payload in clear: 0123456789abcdef')

describe('relaying through a neighbour', () => {
  it('carries a unicast end to end through b, which can neither read it nor show it on its TAP', async () => {
    const { mesh, a, b, c } = relayLine()
    await learnMac(c)
    expect(a.dp.macEntries()).toContainEqual(expect.objectContaining({ owner: c.id }))
    b.tap.written.length = 0
    const relayedBefore = b.dp.traffic().relayedPackets // b forwarded c's announcement to a
    const seen = recordDatagrams(mesh)
    const sent = frame(c.mac, a.mac, SECRET)
    a.tap.inject(sent)
    await settle()

    expect(c.tap.written).toHaveLength(1)
    expect(c.tap.written[0].equals(sent)).toBe(true)
    expect(b.tap.written).toHaveLength(0)
    expect(seen.map((d) => `${d.from.address}>${d.to.address}`)).toEqual(['10.0.0.1>10.0.0.2', '10.0.0.2>10.0.0.3'])
    for (const d of seen) expect(d.data.includes(SECRET)).toBe(false)
    // what b sees once it removed its own layer: c's id, a ttl, and an opaque inner datagram
    const atB = openDatagram(mesh.keys.get('b>a')!.receiveKey, seen[0].data)!
    expect(seen[0].data[1]).toBe(PacketKind.Relay)
    expect(atB.subarray(0, 32).toString('hex')).toBe(c.id)
    expect(atB[32]).toBe(16)
    expect(atB.includes(SECRET)).toBe(false)
    expect(atB.readUInt32LE(33 + 4)).toBe(mesh.keys.get('c>a')!.localIndex) // the inner names c's session
    const forwarded = openDatagram(mesh.keys.get('c>b')!.receiveKey, seen[1].data)!
    expect(forwarded[32]).toBe(15)
    expect(forwarded.subarray(33).equals(atB.subarray(33))).toBe(true) // b forwards the inner untouched
    expect(openDatagram(mesh.keys.get('c>a')!.receiveKey, forwarded.subarray(33))!.includes(SECRET)).toBe(true)
    expect(b.dp.traffic().relayedPackets).toBe(relayedBefore + 1)
    expect(b.dp.sessionStats().find((s) => s.peer === c.id)).toMatchObject({ relayedPackets: 1, relayedBytes: seen[1].data.length })

    // c learnt a's MAC as a's (not b's), answers end to end, and never took b's address for a's
    expect(c.dp.macEntries()).toContainEqual(expect.objectContaining({ owner: a.id }))
    c.tap.inject(frame(a.mac, c.mac, 64, 9))
    await settle()
    expect(a.tap.written.at(-1)!.equals(frame(a.mac, c.mac, 64, 9))).toBe(true)
    expect(b.tap.written).toHaveLength(0)
    const cToA = c.dp.sessionStats().find((s) => s.peer === a.id)!
    expect(cToA).toMatchObject({ relayed: true, endpoint: RELAYED_ENDPOINT, packetsReceived: 1, packetsSent: 1 })
    expect(b.dp.traffic().relayedPackets).toBe(relayedBefore + 2)
  })

  it('carries control packets to a relayed peer with its session endpoint', async () => {
    const { a, c } = relayLine()
    const got: Array<[string, number, string]> = []
    c.dp.onControlPacket((peer, kind, payload, from) => got.push([peer, kind, `${payload.toString()}@${from.address}:${from.port}`]))
    expect(a.dp.sendControlPacket(c.id, PacketKind.Heartbeat, Buffer.from('hi'))).toBe(true)
    expect(a.dp.sendControlPacket(c.id, PacketKind.Relay, Buffer.from('no'))).toBe(false)
    await settle()
    expect(got).toEqual([[a.id, PacketKind.Heartbeat, 'hi@:0']])
  })

  it('gives a relayed peer a smaller MTU and answers frames over it with ICMP too-big', async () => {
    const { mesh, a, b, c } = relayLine({ mtu: 1400, underlayMtu: 1500 })
    // budget 1472: direct 1472 - 16 - 16 - 2 - 14 = 1424 (capped by the 1400 MTU); relayed 65 less
    expect(a.dp.mtuFor(b.id)).toBe(1400)
    expect(a.dp.mtuFor(c.id)).toBe(1359)
    await learnMac(c)
    const seen = recordDatagrams(mesh)
    a.tap.inject(ipv4Frame(c.mac, a.mac, 1359))
    await settle()
    expect(c.tap.written.at(-1)!.length).toBe(14 + 1359)
    expect(Math.max(...seen.map((d) => d.data.length))).toBe(1472) // exactly the underlay budget
    a.tap.inject(ipv4Frame(c.mac, a.mac, 1360))
    await settle()
    expect(a.dp.drops().too_big).toBe(1)
    const reply = a.tap.written.at(-1)!
    expect(reply[14 + 20]).toBe(3) // destination unreachable
    expect(reply[14 + 21]).toBe(4) // fragmentation needed
    expect(reply.readUInt16BE(14 + 26)).toBe(1359)
    expect(c.tap.written.at(-1)!.length).toBe(14 + 1359)
  })

  it('drops a relayed datagram replayed by anyone, even re-wrapped by a relay', async () => {
    const { mesh, a, b, c } = relayLine()
    await learnMac(c)
    const seen = recordDatagrams(mesh)
    a.tap.inject(frame(c.mac, a.mac, SECRET))
    await settle()
    const toC = seen.find((d) => d.to.address === '10.0.0.3')!.data
    const before = c.tap.written.length
    c.bind.deliver(Buffer.from(toC), b.bind.endpoint) // the same datagram again
    expect(c.dp.drops().replay).toBe(1)
    // a relay that keeps old inner datagrams and wraps one in a fresh outer layer
    const bc = mesh.keys.get('b>c')!
    const plain = openDatagram(bc.sendKey, toC)!
    c.bind.deliver(sealDatagram(bc.sendKey, PacketKind.Relay, bc.remoteIndex, 1000n, plain), b.bind.endpoint)
    expect(c.dp.drops().replay).toBe(2)
    expect(c.tap.written).toHaveLength(before)
  })

  it('drops forged and unauthenticated Relay datagrams without forwarding them', async () => {
    const { mesh, a, b, c } = relayLine()
    await learnMac(c)
    const seen = recordDatagrams(mesh)
    a.tap.inject(frame(c.mac, a.mac, SECRET))
    await settle()
    const toB = seen[0].data
    const stranger = mesh.net.bind('192.0.2.66', 4000)
    const delivered = mesh.net.delivered
    const forged = Buffer.from(toB)
    forged.writeBigUInt64LE(999n, 8) // a counter b has not seen: only the tag can reject it
    b.bind.deliver(forged, a.bind.endpoint)
    b.bind.deliver(Buffer.from(toB), stranger.endpoint) // a replay from an address no neighbour uses
    const guessed = Buffer.from(toB)
    guessed.writeUInt32LE(0x7777, 4) // no such session
    b.bind.deliver(guessed, stranger.endpoint)
    await settle()
    expect(b.dp.drops()).toMatchObject({ bad_tag: 1, replay: 1, unknown_session: 1 })
    expect(mesh.net.delivered).toBe(delivered)
    expect(b.dp.sessionStats().find((s) => s.peer === c.id)!.relayedPackets).toBe(1)
    expect(b.dp.sessionStats().find((s) => s.peer === a.id)!.endpoint).toEqual(a.bind.endpoint) // no roaming
  })

  it('refuses to relay for a peer that is not a neighbour, and datagrams on the wrong path', async () => {
    const { mesh, a, b, c } = relayLine()
    const ca = mesh.keys.get('c>a')!
    const cb = mesh.keys.get('c>b')!
    // c asks a, through its end-to-end session, to relay something on to b: a never does
    const innerRelay = Buffer.concat([Buffer.from(b.id, 'hex'), Buffer.of(5), Buffer.alloc(40, 1)])
    const inner = sealDatagram(ca.sendKey, PacketKind.Relay, ca.remoteIndex, 0n, innerRelay)
    const wrapped = Buffer.concat([Buffer.from(a.id, 'hex'), Buffer.of(16), inner])
    b.bind.deliver(sealDatagram(cb.sendKey, PacketKind.Relay, cb.remoteIndex, 0n, wrapped), c.bind.endpoint)
    await settle()
    expect(b.dp.traffic().relayedPackets).toBe(1) // b forwards c's Relay (c is b's neighbour)
    expect(a.dp.drops().not_direct).toBe(1)
    // the same with a Broadcast inside the end-to-end session
    const innerBroadcast = Buffer.concat([Buffer.from(c.id, 'hex'), Buffer.of(5), Buffer.from([0, 14]), Buffer.alloc(14, 2)])
    const wrapped2 = Buffer.concat([Buffer.from(a.id, 'hex'), Buffer.of(16), sealDatagram(ca.sendKey, PacketKind.Broadcast, ca.remoteIndex, 1n, innerBroadcast)])
    b.bind.deliver(sealDatagram(cb.sendKey, PacketKind.Relay, cb.remoteIndex, 1n, wrapped2), c.bind.endpoint)
    await settle()
    expect(a.dp.drops().not_direct).toBe(2)
    expect(a.tap.written).toHaveLength(0)
    // an end-to-end datagram sent straight to a (not through a relay: a hole-punched path) is
    // taken, its address only noted for the control path (punched-path.spec.ts): no roaming
    a.bind.deliver(sealDatagram(ca.sendKey, PacketKind.Data, ca.remoteIndex, 2n, Buffer.concat([Buffer.from([0, 14]), Buffer.alloc(14, 3)])), c.bind.endpoint)
    expect(a.dp.drops().wrong_path ?? 0).toBe(0)
    expect(a.dp.punchedFrom(c.id)?.endpoint).toEqual(c.bind.endpoint)
    expect(a.dp.sessionStats().find((s) => s.peer === c.id)!.endpoint).toEqual(RELAYED_ENDPOINT)
    a.tap.written.length = 0
    // a direct session's datagram handed over inside a Relay is on the wrong path
    const ba = mesh.keys.get('b>a')!
    const direct = sealDatagram(ba.sendKey, PacketKind.Data, ba.remoteIndex, 7n, Buffer.concat([Buffer.from([0, 14]), Buffer.alloc(14, 3)]))
    const wrapped3 = Buffer.concat([Buffer.from(a.id, 'hex'), Buffer.of(16), direct])
    a.bind.deliver(sealDatagram(ba.sendKey, PacketKind.Relay, ba.remoteIndex, 8n, wrapped3), b.bind.endpoint)
    expect(a.dp.drops().wrong_path).toBe(1)
    expect(a.tap.written).toHaveLength(0)
  })

  it('drops a relayed datagram whose ttl runs out on a routing loop', async () => {
    // synchronous delivery: a loop the ttl failed to stop would overflow the stack, not hang
    const { a, b, c } = relayLine({ hopLimit: 16, sync: true })
    await learnMac(c)
    // a sends c's traffic to b, and b sends it back to a
    b.dp.setRoutes(routes(new Map([[c.id, a.id], [a.id, a.id]]), new Map()))
    const relayed = () => a.dp.traffic().relayedPackets + b.dp.traffic().relayedPackets
    const before = relayed()
    a.tap.inject(frame(c.mac, a.mac))
    await settle()
    expect(c.tap.written).toHaveLength(0)
    expect(a.dp.drops().ttl_expired + b.dp.drops().ttl_expired).toBe(1)
    // a originates with ttl 16; forwarders send it on with 15 .. 1, then it is dropped
    expect(relayed() - before).toBe(15)
  })

  it('relays to a neighbour the routes do not name yet (a link newer than the routes)', async () => {
    const { a, b, c } = relayLine()
    await learnMac(c)
    b.dp.setRoutes(routes(new Map(), new Map()))
    a.tap.inject(frame(c.mac, a.mac))
    await settle()
    expect(c.tap.written).toHaveLength(1)
    expect(totalDrops(b.dp)).toBe(0)
  })

  it('drops unicast to a relayed peer as no_route while there is no next hop', async () => {
    const { mesh, a, c } = relayLine()
    await learnMac(c)
    a.dp.setRoutes(routes(new Map(), new Map()))
    a.tap.inject(frame(c.mac, a.mac))
    await settle()
    expect(a.dp.drops().no_route).toBe(1)
    expect(a.dp.sendControlPacket(c.id, PacketKind.Heartbeat, Buffer.alloc(0))).toBe(false)
    expect(totalDrops(c.dp)).toBe(0)
  })
})
