import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChannelTap } from '@weft/tap'
import { CarrierBind, SimNetwork, memoryChannelPair } from '@weft/udp'
import type { SimDatagram } from '@weft/udp'
import { PacketKind } from '@weft/wire'
import { Datapath } from '../src/index.js'
import { frame, peerIdOf, sealDatagram, settle } from './sim-mesh.js'

//   a (10.0.0.1:6783) ──── UDP: blocked by the test at will ──── b (10.0.0.2:6783)
//        └──────── carrier: an in-memory datagram channel (a swarm stream's) ────────┘
// Direct sessions a-b installed by hand; the control path's choice (setCarrier) made by hand.

const KEY_AB = Buffer.alloc(32, 1)
const KEY_BA = Buffer.alloc(32, 2)
const A_MAC = '020000000001'
const B_MAC = '020000000002'

function carrierPair(maxDatagram?: number) {
  const net = new SimNetwork()
  const udp: SimDatagram[] = []
  let blocked = false
  net.intercept = (d) => {
    udp.push(d)
    return !blocked
  }
  const [ca, cb] = memoryChannelPair()
  const make = (name: string, address: string) => {
    const tap = new ChannelTap({ name })
    const bind = new CarrierBind(net.bind(address, 6783))
    const dp = new Datapath({ mtu: 1376, selfId: peerIdOf(name) }, { tap, bind })
    return { tap, bind, dp, id: peerIdOf(name) }
  }
  const a = make('a', '10.0.0.1')
  const b = make('b', '10.0.0.2')
  a.dp.addSession(b.id, { localIndex: 11, remoteIndex: 22, sendKey: KEY_AB, receiveKey: KEY_BA }, { address: '10.0.0.2', port: 6783 })
  b.dp.addSession(a.id, { localIndex: 22, remoteIndex: 11, sendKey: KEY_BA, receiveKey: KEY_AB }, { address: '10.0.0.1', port: 6783 })
  const toB = a.bind.attach(b.id, ca)
  const toA = b.bind.attach(a.id, cb)
  const carry = () => {
    a.dp.setCarrier(b.id, toB, maxDatagram)
    b.dp.setCarrier(a.id, toA, maxDatagram)
  }
  return { a, b, ca, cb, toA, toB, udp, carry, block: (on: boolean) => { blocked = on } }
}

describe('a direct session over a carrier', () => {
  it('carries frames over the carrier while UDP is blocked, and over UDP again once cleared', async () => {
    const { a, b, ca, udp, carry, block } = carrierPair()
    block(true)
    carry()
    a.tap.inject(frame(B_MAC, A_MAC, 100, 7))
    await settle()
    expect(b.tap.written).toHaveLength(1)
    expect(b.tap.written[0].equals(frame(B_MAC, A_MAC, 100, 7))).toBe(true)
    expect(ca.sent).toBe(1)
    expect(udp).toHaveLength(0)
    // answered over the carrier too; b never took the carrier for a's UDP endpoint
    b.tap.inject(frame(A_MAC, B_MAC, 60, 8))
    await settle()
    expect(a.tap.written).toHaveLength(1)
    expect(b.dp.sessionStats()[0].endpoint).toEqual({ address: '10.0.0.1', port: 6783 })
    expect(b.dp.directLiveness(a.id)).toMatchObject({ lastReceivedAt: 0 })
    expect(b.dp.directLiveness(a.id)!.carrierReceivedAt).toBeGreaterThan(0)

    block(false)
    a.dp.setCarrier(b.id, undefined)
    a.tap.inject(frame(B_MAC, A_MAC, 100, 9))
    await settle()
    expect(b.tap.written).toHaveLength(2)
    expect(udp).toHaveLength(1)
    expect(ca.sent).toBe(1)
    expect(b.dp.directLiveness(a.id)!.lastReceivedAt).toBeGreaterThan(0)
  })

  it('shrinks the MTU to what the carrier takes and gives it back after', () => {
    const { a, b } = carrierPair(1128)
    expect(a.dp.mtuFor(b.id)).toBe(1376)
    a.dp.setCarrier(b.id, a.bind.endpointOf(b.id), 1128)
    expect(a.dp.mtuFor(b.id)).toBe(1128 - 48)
    a.dp.setCarrier(b.id, undefined)
    expect(a.dp.mtuFor(b.id)).toBe(1376)
  })

  it('drops a replayed datagram and a forged one that come over the carrier, and counts them', async () => {
    const { a, b, ca, carry, block } = carrierPair()
    block(true)
    carry()
    const d = sealDatagram(KEY_AB, PacketKind.Heartbeat, 22, 5n, Buffer.from([1]))
    ca.send(d)
    ca.send(d)
    const forged = Buffer.from(d)
    forged[forged.length - 1] ^= 1
    forged.writeBigUInt64LE(6n, 8)
    ca.send(forged)
    await settle()
    expect(b.dp.drops()).toMatchObject({ replay: 1, bad_tag: 1 })
    expect(b.dp.directLiveness(a.id)!.peerHearsUdp).toBe(1)
  })

  it('records what the peer says of our UDP from its Heartbeat, over either path', async () => {
    const { a, b, ca } = carrierPair()
    expect(b.dp.directLiveness(a.id)!.peerHearsUdp).toBe(-1)
    a.dp.sendControlPacket(b.id, PacketKind.Heartbeat, Buffer.from([0]), true)
    await settle()
    expect(b.dp.directLiveness(a.id)!.peerHearsUdp).toBe(0)
    a.dp.sendControlPacket(b.id, PacketKind.Heartbeat, Buffer.from([1]), true, a.bind.endpointOf(b.id))
    await settle()
    expect(ca.sent).toBe(1)
    expect(b.dp.directLiveness(a.id)!.peerHearsUdp).toBe(1)
  })

  it('drops a relayed session datagram that arrives over a carrier', async () => {
    const { a, b, ca } = carrierPair()
    const c = peerIdOf('c')
    b.dp.addRelayedSession(c, { localIndex: 33, remoteIndex: 44, sendKey: KEY_AB, receiveKey: KEY_BA })
    ca.send(sealDatagram(KEY_BA, PacketKind.Heartbeat, 33, 1n, Buffer.from([1])))
    await settle()
    expect(b.dp.drops()).toMatchObject({ wrong_path: 1 })
    expect(b.dp.punchedFrom(c)).toBeUndefined()
    void a
  })

  it('drops and counts arbitrary bytes from a carrier, and still carries frames after', async () => {
    const { a, b, ca, carry, block } = carrierPair()
    block(true)
    carry()
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 1600 }), async (bytes) => {
      const before = Object.values(b.dp.drops()).reduce((x, y) => x + y, 0)
      ca.send(bytes)
      await Promise.resolve()
      await Promise.resolve()
      expect(Object.values(b.dp.drops()).reduce((x, y) => x + y, 0)).toBe(before + 1)
    }), { numRuns: 300 })
    expect(b.tap.written).toHaveLength(0)
    a.tap.inject(frame(B_MAC, A_MAC, 100, 7))
    await settle()
    expect(b.tap.written).toHaveLength(1)
  })
})

describe('path-MTU probes on a carried session', () => {
  it('go over UDP: they measure UDP, not the carrier', async () => {
    const { a, b, ca, udp, carry } = carrierPair()
    carry()
    const acks: number[] = []
    a.dp.onProbeAck((_, id) => acks.push(id))
    expect(a.dp.sendProbe(b.id, 7, 1400)).toBe(true)
    await settle()
    expect(ca.sent).toBe(0)
    expect(udp.map((d) => d.data.length)).toEqual([1400, 40])  // the Probe, and b's ProbeAck over UDP too
    expect(acks).toEqual([7])
  })
})
