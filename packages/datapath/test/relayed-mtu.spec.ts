import { describe, expect, it } from 'vitest'
import { PacketKind } from '@weft/wire'
import { HOP_HEADER_BYTES, HOP_OVERHEAD_BYTES, PATH_OVERHEAD_BYTES } from '../src/index.js'
import { BROADCAST_MAC, frame, ipv4Frame, learnMac, recordDatagrams, relayLine, settle } from './sim-mesh.js'

//   a ───── b ───── c      direct sessions a-b and b-c, an end-to-end session a-c through b,
//                          routes by BFS; underlay MTU 1500 (datagrams of at most 1472 bytes)

describe('path MTU through relays', () => {
  it('probes end to end over the relay: the Probe crosses every hop inside a Relay and is acked with its size', async () => {
    const { mesh, a, c } = relayLine()
    expect(a.dp.maxRelayedProbeSize).toBe(1472 - HOP_OVERHEAD_BYTES)
    const acks: Array<[string, number, number]> = []
    a.dp.onProbeAck((peer, id, size) => acks.push([peer, id, size]))
    // the b-c hop carries at most 1200-byte datagrams
    const cEndpoint = c.bind.endpoint
    const seen = recordDatagrams(mesh, (d) => d.to.address === cEndpoint.address && d.data.length > 1200)
    expect(a.dp.sendProbe(c.id, 1, 1200 - HOP_OVERHEAD_BYTES, true)).toBe(true)
    expect(a.dp.sendProbe(c.id, 2, 1201 - HOP_OVERHEAD_BYTES, true)).toBe(true)
    expect(a.dp.sendProbe(c.id, 3, a.dp.maxRelayedProbeSize + 1, true)).toBe(false)
    await settle()
    expect(acks).toEqual([[c.id, 1, 1200 - HOP_OVERHEAD_BYTES]])
    expect(seen.filter((d) => d.data[1] === PacketKind.Relay).length).toBeGreaterThanOrEqual(5) // 2 probes x 2 hops (one lost) + the ack's hops
  })

  it('fits a relayed session to the end-to-end MTU and to its first hop, and no relayed datagram outgrows them', async () => {
    const { mesh, a, b, c } = relayLine()
    await learnMac(c)
    expect(a.dp.mtuFor(c.id)).toBe(1472 - PATH_OVERHEAD_BYTES - HOP_OVERHEAD_BYTES)
    expect(a.dp.nextHopOf(c.id)).toBe(b.id)
    expect(a.dp.setRelayedPeerMtu(c.id, 1100)).toBe(1100)
    expect(a.dp.relayedPeerMtu(c.id)).toBe(1100)
    // the first hop's path MTU bounds it too, less the Relay's overhead
    a.dp.setPeerMtu(b.id, 1000)
    expect(a.dp.mtuFor(c.id)).toBe(1000 - HOP_OVERHEAD_BYTES)
    a.dp.setPeerMtu(b.id, 1400)
    expect(a.dp.mtuFor(c.id)).toBe(1100)
    const seen = recordDatagrams(mesh)
    a.tap.inject(ipv4Frame(c.mac, a.mac, 1101))
    await settle()
    expect(a.dp.drops().too_big).toBe(1)
    const reply = a.tap.written.at(-1)!
    expect(reply.readUInt16BE(40)).toBe(1100) // ICMP "too big" with the relayed path's MTU
    for (let i = 0; i < 10; i++) a.tap.inject(ipv4Frame(c.mac, a.mac, 400))
    a.tap.inject(ipv4Frame(c.mac, a.mac, 1100))
    await settle()
    expect(c.tap.written.slice(-11).map((f) => f.length - 14)).toEqual([...Array(10).fill(400), 1100])
    const relays = seen.filter((d) => d.data[1] === PacketKind.Relay)
    expect(relays.length).toBeGreaterThan(0)
    expect(Math.max(...relays.map((d) => d.data.length))).toBeLessThanOrEqual(1100 + PATH_OVERHEAD_BYTES + HOP_OVERHEAD_BYTES)
    a.dp.removePeer(c.id)
    expect(a.dp.relayedPeerMtu(c.id)).toBeUndefined()
  })

  it('fits our broadcasts to the smallest path MTU of the neighbours our tree sends them to', async () => {
    const { a, b } = relayLine()
    const full = a.dp.broadcastMtu
    expect(full).toBe(1376)
    a.dp.setPeerMtu(b.id, 900)
    expect(a.dp.broadcastMtu).toBe(900 - HOP_HEADER_BYTES)
    const before = b.tap.written.length
    a.tap.inject(ipv4Frame(BROADCAST_MAC, a.mac, 900 - HOP_HEADER_BYTES + 1))
    await settle()
    expect(a.dp.drops().too_big).toBe(1) // (no ICMP for a frame to a broadcast MAC)
    a.tap.inject(ipv4Frame(BROADCAST_MAC, a.mac, 900 - HOP_HEADER_BYTES))
    await settle()
    expect(b.tap.written.slice(before).map((f) => f.length - 14)).toEqual([900 - HOP_HEADER_BYTES])
    a.dp.removePeer(b.id)
    expect(a.dp.broadcastMtu).toBe(full)
  })
})
