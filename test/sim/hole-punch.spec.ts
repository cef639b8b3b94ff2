/*
 * Hole punching over every pair of RFC 4787 NAT behaviours, on the simulated network: the real
 * data path (sessions, AEAD, Relay) and the real HolePuncher, driven by the virtual clock.
 *
 *   a (192.168.1.2) -- NAT na --+                       +-- NAT nb -- b (192.168.2.2)
 *                               +-- internet: c (public) +
 *   direct sessions a-c, b-c (heartbeats every second, as the link monitor sends them);
 *   a-b end to end through c; c's record lists a and b where their datagrams come from.
 *
 * Checked for every pair: the frame a sends b arrives exactly once, on the punched path or through
 * c, never into a one-way hole; both ends agree on the path. Both NATs mapping endpoint-
 * independently ("easy") must punch; both mapping and filtering by address and port ("symmetric")
 * must stay relayed. The whole matrix is printed.
 */
import { createHash, randomBytes } from 'node:crypto'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Datapath as DatapathType } from '@weft/datapath'
import { Datapath } from '@weft/datapath'
import type { PeerRecord } from '@weft/gossip'
import type { NatBehavior } from '@weft/netsim'
import { NAT_BEHAVIORS, createSimNetwork } from '@weft/netsim'
import { ChannelTap } from '@weft/tap'
import { PacketKind } from '@weft/wire'
import { HolePuncher } from '../../packages/daemon/src/mesh/hole-puncher.js'

const PORT = 6783
const ROUNDS = 8
const idOf = (name: string): string => createHash('sha256').update(name).digest('hex')
const EI = 'endpoint-independent'
const APD = 'address-and-port-dependent'
const short: Record<NatBehavior, string> = { 'endpoint-independent': 'EI', 'address-dependent': 'AD', 'address-and-port-dependent': 'APD' }

interface Node { name: string; id: string; mac: string; tap: ChannelTap; dp: DatapathType }

async function run(ma: NatBehavior, fa: NatBehavior, mb: NatBehavior, fb: NatBehavior) {
  const net = createSimNetwork({ seed: 7, link: { delayMs: 5 } })
  net.addNat('na', { publicAddress: '203.0.113.1', mapping: ma, filtering: fa })
  net.addNat('nb', { publicAddress: '203.0.113.2', mapping: mb, filtering: fb })
  const hosts = { a: net.addHost('a', { address: '192.168.1.2', behind: 'na' }), b: net.addHost('b', { address: '192.168.2.2', behind: 'nb' }), c: net.addHost('c', { address: '198.51.100.7' }) }
  const now = () => net.clock.now()
  const nodes = Object.fromEntries(Object.entries(hosts).map(([name, h], i) => {
    const tap = new ChannelTap({ name })
    const id = idOf(name)
    const dp = new Datapath({ mtu: 1376, selfId: id }, { tap, bind: h.bind(PORT), now })
    return [name, { name, id, mac: `0200000000${(i + 1).toString(16).padStart(2, '0')}`, tap, dp }]
  })) as Record<'a' | 'b' | 'c', Node>
  const { a, b, c } = nodes
  let index = 1
  const pair = (x: Node, y: Node, install: (n: Node, peer: Node, keys: { localIndex: number; remoteIndex: number; sendKey: Buffer; receiveKey: Buffer }) => void) => {
    const kxy = randomBytes(32)
    const kyx = randomBytes(32)
    const ix = index++
    const iy = index++
    install(x, y, { localIndex: ix, remoteIndex: iy, sendKey: kxy, receiveKey: kyx })
    install(y, x, { localIndex: iy, remoteIndex: ix, sendKey: kyx, receiveKey: kxy })
  }
  // c learns a's and b's endpoints from their datagrams (roaming); it starts with a guess
  const guess = { address: '0.0.0.0', port: 1 }
  pair(a, c, (n, p, k) => n.dp.addSession(p.id, k, n === a ? { address: '198.51.100.7', port: PORT } : guess))
  pair(b, c, (n, p, k) => n.dp.addSession(p.id, k, n === b ? { address: '198.51.100.7', port: PORT } : guess))
  pair(a, b, (n, p, k) => n.dp.addRelayedSession(p.id, k))
  // broadcasts along the tree through c (how a learns b's MAC)
  const routes = (m: Record<string, string>, tree: Record<string, string[]>) => ({ nextHop: new Map(Object.entries(m)), broadcast: (s: string) => tree[s] ?? [] })
  a.dp.setRoutes(routes({ [c.id]: c.id, [b.id]: c.id }, { [a.id]: [c.id] }))
  b.dp.setRoutes(routes({ [c.id]: c.id, [a.id]: c.id }, { [b.id]: [c.id] }))
  c.dp.setRoutes(routes({ [a.id]: a.id, [b.id]: b.id }, { [a.id]: [b.id], [b.id]: [a.id] }))

  const fmt = (e: { address: string; port: number } | undefined) => (e ? `${e.address}:${e.port}` : '0.0.0.0:1')
  const records = (): PeerRecord[] => [{
    id: c.id, nickname: 'c', restartId: '0'.repeat(16), version: 1, addresses: [], udpPort: PORT,
    connections: [a, b].map((n) => ({ peer: n.id, address: fmt(c.dp.directEndpoint(n.id)), outbound: false, established: true, rttMs: null })),
  }]
  const puncher = (self: Node, peer: Node) => {
    const p = new HolePuncher({ datapath: self.dp, logger: pino({ level: 'silent' }), selfId: self.id, port: PORT, relayedPeers: () => [peer.id], records, now })
    p.close() // ticked by hand, on the virtual clock
    return p
  }
  const pa = puncher(a, b)
  const pb = puncher(b, a)
  for (let i = 0; i < ROUNDS; i++) {
    for (const [x, y] of [[a, c], [c, a], [b, c], [c, b]]) x.dp.sendControlPacket(y.id, PacketKind.Heartbeat, new Uint8Array(0), true)
    net.clock.advance(100)
    pa.tick()
    pb.tick()
    net.clock.advance(900)
  }
  // one frame a -> b: which way does it go?
  b.tap.inject(Buffer.concat([Buffer.from('ffffffffffff' + b.mac, 'hex'), Buffer.alloc(50)])) // a learns b's MAC
  await new Promise((r) => setImmediate(r))
  net.clock.advance(100)
  const relayedBefore = c.dp.traffic().relayedPackets
  b.tap.written.length = 0
  a.tap.inject(Buffer.concat([Buffer.from(b.mac + a.mac, 'hex'), Buffer.alloc(50, 7)]))
  await new Promise((r) => setImmediate(r))
  net.clock.advance(100)
  return {
    punchedA: pa.punched(b.id) !== undefined,
    punchedB: pb.punched(a.id) !== undefined,
    delivered: b.tap.written.length,
    viaRelay: c.dp.traffic().relayedPackets - relayedBefore,
    reasonA: pa.reason(b.id),
  }
}

describe('hole punching across simulated NAT types', () => {
  const combos = NAT_BEHAVIORS.flatMap((ma) => NAT_BEHAVIORS.flatMap((fa) => NAT_BEHAVIORS.flatMap((mb) => NAT_BEHAVIORS.map((fb) => [ma, fa, mb, fb] as const))))
  it(`delivers once, punched or relayed, never into a one-way hole (${combos.length} NAT pairs); easy pairs punch, symmetric ones relay`, async () => {
    const rows: string[] = []
    for (const [ma, fa, mb, fb] of combos) {
      const r = await run(ma, fa, mb, fb)
      const label = `a ${short[ma]}/${short[fa]}  b ${short[mb]}/${short[fb]}`
      const punched = r.punchedA && r.punchedB
      rows.push(`${label.padEnd(24)} ${punched ? 'punched' : `relay (${r.reasonA})`}`)
      expect({ label, agree: r.punchedA === r.punchedB, delivered: r.delivered, viaRelay: r.viaRelay })
        .toEqual({ label, agree: true, delivered: 1, viaRelay: punched ? 0 : 1 })
      if (ma === EI && mb === EI) expect({ label, punched }).toEqual({ label, punched: true })
      if ([ma, fa, mb, fb].every((x) => x === APD)) expect({ label, punched }).toEqual({ label, punched: false })
    }
    console.log(`mapping/filtering of each NAT -> path a to b\n${rows.join('\n')}`)
  })
})
