import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChannelTap } from '@weft/tap'
import { SimNetwork } from '@weft/udp'
import type { SimBind } from '@weft/udp'
import { Datapath } from '../src/index.js'
import { ipv4Frame } from './sim-mesh.js'

// Three routers on a simulated network, sessions installed by hand as the control path would.
// locally administered unicast MACs (the I/G bit of the first byte is 0)
const MAC = { a1: '02000000a001', a2: '02000000a002', b1: '02000000b001', bcast: 'ffffffffffff' }

function frame(dst: string, src: string, payloadBytes = 46, fill = 0x42): Buffer {
  const f = Buffer.alloc(14 + payloadBytes, fill)
  Buffer.from(dst, 'hex').copy(f, 0)
  Buffer.from(src, 'hex').copy(f, 6)
  f.writeUInt16BE(0x88b5, 12) // local experimental ethertype
  return f
}

interface Node { name: string; tap: ChannelTap; bind: SimBind; dp: Datapath }

function mesh(names: string[], mtu = 1376) {
  const net = new SimNetwork()
  const nodes: Node[] = names.map((name, i) => {
    const tap = new ChannelTap({ name })
    const bind = net.bind(`10.0.0.${i + 1}`, 6783)
    return { name, tap, bind, dp: new Datapath({ mtu }, { tap, bind }) }
  })
  let index = 1
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const k1 = randomBytes(32)
      const k2 = randomBytes(32)
      const ia = index++
      const ib = index++
      nodes[i].dp.addSession(nodes[j].name, { localIndex: ia, remoteIndex: ib, sendKey: k1, receiveKey: k2 }, nodes[j].bind.endpoint)
      nodes[j].dp.addSession(nodes[i].name, { localIndex: ib, remoteIndex: ia, sendKey: k2, receiveKey: k1 }, nodes[i].bind.endpoint)
    }
  }
  return { net, nodes }
}

const settle = () => new Promise((r) => setTimeout(r, 5))

describe('Datapath', () => {
  it('floods an unknown destination to every peer, then sends to the learnt peer only', async () => {
    const { nodes: [a, b, c] } = mesh(['a', 'b', 'c'])
    a.tap.inject(frame(MAC.b1, MAC.a1))
    await settle()
    expect(b.tap.written).toHaveLength(1)
    expect(c.tap.written).toHaveLength(1)
    expect(b.tap.written[0].equals(frame(MAC.b1, MAC.a1))).toBe(true)
    // b answers: a learns b1 lives behind b
    b.tap.inject(frame(MAC.a1, MAC.b1))
    await settle()
    expect(a.tap.written).toHaveLength(1)
    expect(c.tap.written).toHaveLength(1) // a1 was learnt by b from the first flood: unicast
    a.tap.inject(frame(MAC.b1, MAC.a1, 100, 7))
    await settle()
    expect(b.tap.written).toHaveLength(2)
    expect(c.tap.written).toHaveLength(1)
  })

  it('drops frames for local MACs and runts, counting them', async () => {
    const { nodes: [a, b] } = mesh(['a', 'b'])
    a.tap.inject(frame(MAC.a2, MAC.a1))
    await settle()
    a.tap.inject(frame(MAC.a1, MAC.a2))
    await settle()
    expect(a.dp.drops().local_destination).toBe(1)
    expect(b.tap.written).toHaveLength(1)
  })

  it('bundles several small frames of one batch into one datagram', async () => {
    const { net, nodes: [a, b] } = mesh(['a', 'b'])
    const before = net.delivered
    for (let i = 0; i < 5; i++) a.tap.inject(frame(MAC.bcast, MAC.a1, 60, i))
    await settle()
    expect(b.tap.written).toHaveLength(5)
    expect(net.delivered - before).toBe(1)
    expect(b.tap.written.map((f) => f[20])).toEqual([0, 1, 2, 3, 4])
  })

  it('answers a too-big IPv4 DF frame with ICMP fragmentation-needed into the TAP', async () => {
    const { nodes: [a, b] } = mesh(['a', 'b'], 1376)
    const f = ipv4Frame(MAC.b1, MAC.a1, 1400) // unknown unicast, DF: flooded, answered once
    a.tap.inject(f)
    await settle()
    expect(b.tap.written).toHaveLength(0)
    expect(a.dp.drops().too_big).toBe(1)
    expect(a.tap.written).toHaveLength(1)
    const reply = a.tap.written[0]
    expect(reply.readUInt16BE(12)).toBe(0x0800)
    expect(reply[14 + 9]).toBe(1) // ICMP
    expect(reply[14 + 20]).toBe(3) // destination unreachable
    expect(reply[14 + 21]).toBe(4) // fragmentation needed
    expect(reply.readUInt16BE(14 + 26)).toBe(1376)
  })

  it('drops a replayed datagram and a forged one, and counts each', async () => {
    const { net, nodes: [a, b] } = mesh(['a', 'b'])
    const seen: Buffer[] = []
    net.intercept = (d) => {
      seen.push(Buffer.from(d.data))
      return true
    }
    a.tap.inject(frame(MAC.b1, MAC.a1))
    await settle()
    expect(b.tap.written).toHaveLength(1)
    b.bind.deliver(Buffer.from(seen[0]), a.bind.endpoint)
    const forged = Buffer.from(seen[0])
    forged.writeUInt32LE(99, 8)
    forged[20] ^= 1
    b.bind.deliver(forged, a.bind.endpoint)
    expect(b.tap.written).toHaveLength(1)
    expect(b.dp.drops().replay).toBe(1)
    expect(b.dp.drops().bad_tag).toBe(1)
  })

  it('survives arbitrary datagrams: every one is dropped and counted, state intact', async () => {
    const { nodes: [a, b] } = mesh(['a', 'b'])
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, validPrefix) => {
        const d = Buffer.from(bytes)
        if (validPrefix && d.length >= 16) {
          d[0] = 1
          d[1] = 1
          d[2] = d[3] = 0
          d.writeUInt32LE(2, 4) // a's index for b (see mesh): only the tag can reject it now
        }
        b.bind.deliver(d, a.bind.endpoint)
      }),
      { numRuns: 3000 },
    )
    expect(b.tap.written).toHaveLength(0)
    const drops = Object.values(b.dp.drops()).reduce((x, y) => x + y, 0)
    expect(drops).toBe(3000)
    a.tap.inject(frame(MAC.b1, MAC.a1))
    await settle()
    expect(b.tap.written).toHaveLength(1)
  })

  it('follows a peer to a new address after an authenticated datagram (roaming)', async () => {
    const { net, nodes: [a, b] } = mesh(['a', 'b'])
    const moved = net.bind('10.0.0.99', 4000)
    let captured: Buffer | undefined
    net.intercept = (d) => {
      captured = Buffer.from(d.data)
      return false
    }
    a.tap.inject(frame(MAC.b1, MAC.a1))
    await settle()
    net.intercept = () => true
    b.bind.deliver(captured!, moved.endpoint)
    expect(b.dp.sessionStats().find((s) => s.peer === 'a')!.endpoint).toEqual(moved.endpoint)
  })

  it('removes a peer: its MACs are forgotten and traffic to it floods nowhere', async () => {
    const { nodes: [a, b] } = mesh(['a', 'b'])
    b.tap.inject(frame(MAC.a1, MAC.b1))
    await settle()
    expect(a.dp.macEntries().some((e) => e.owner === 'b')).toBe(true)
    a.dp.removePeer('b')
    expect(a.dp.macEntries().some((e) => e.owner === 'b')).toBe(false)
    a.tap.inject(frame(MAC.b1, MAC.a1))
    await settle()
    expect(a.dp.drops().no_route).toBe(1)
  })
})

describe('Datapath rekey', () => {
  it('sends on a receive-only session only after the peer used it, and keeps the old one receiving', async () => {
    const { nodes: [a, b] } = mesh(['a', 'b'])
    const k1 = randomBytes(32)
    const k2 = randomBytes(32)
    // b answers a rekey: new session receive-only; a initiated it: new session sends at once
    b.dp.addSession('a', { localIndex: 100, remoteIndex: 200, sendKey: k2, receiveKey: k1 }, a.bind.endpoint, 1376, false)
    expect(b.dp.sendingIndex('a')).toBe(2)
    b.tap.inject(frame(MAC.a1, MAC.b1)) // still on the old session: a receives it
    await settle()
    expect(a.tap.written).toHaveLength(1)
    a.dp.addSession('b', { localIndex: 200, remoteIndex: 100, sendKey: k1, receiveKey: k2 }, b.bind.endpoint)
    a.tap.inject(frame(MAC.b1, MAC.a1))
    await settle()
    expect(b.tap.written).toHaveLength(1)
    expect(b.dp.sendingIndex('a')).toBe(100)
    b.tap.inject(frame(MAC.a1, MAC.b1))
    await settle()
    expect(a.tap.written).toHaveLength(2)
    expect(a.dp.sessionStats()[0].packetsReceived).toBe(1) // arrived on the new session
    b.dp.removeSession(2)
    expect(b.dp.sendingIndex('a')).toBe(100)
  })
})
