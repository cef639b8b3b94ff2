import { createHash, randomBytes } from 'node:crypto'
import { DataCipher } from '@weft/crypto'
import { ChannelTap } from '@weft/tap'
import { SimNetwork } from '@weft/udp'
import type { SimBind, SimDatagram } from '@weft/udp'
import { DATA_HEADER_BYTES, writeDataHeader } from '@weft/wire'
import type { PacketKind } from '@weft/wire'
import { Datapath } from '../src/index.js'
import type { DatapathRoutes, PeerSession, SessionKeys } from '../src/index.js'

// Routers on a simulated network with sessions installed by hand, as the control path would:
// direct sessions on the links of a graph, relayed sessions between the other pairs, and routes
// from a plain breadth-first search (the slow reference the control path's routing must match).

export interface MeshNode {
  index: number
  name: string
  /** 64 hex digits, as the control path names peers. */
  id: string
  /** A locally administered unicast MAC of a container behind this router. */
  mac: string
  tap: ChannelTap
  bind: SimBind
  dp: Datapath
}

export interface MeshInit {
  mtu?: number
  underlayMtu?: number
  hopLimit?: number
  /** Deliver datagrams synchronously (fuzzing) rather than on microtasks. */
  sync?: boolean
}

export const peerIdOf = (name: string): string => createHash('sha256').update(name).digest('hex')

export class SimMesh {
  readonly net: SimNetwork
  readonly nodes: MeshNode[]
  /** Adjacency by node index: the direct links. */
  readonly links: Array<Set<number>>
  /** Node `from`'s session keys for node `to`, by `${from}>${to}` (names). */
  readonly keys = new Map<string, SessionKeys>()
  /** Node `from`'s session for node `to`, by `${from}>${to}` (names). */
  readonly sessions = new Map<string, PeerSession>()
  private nextIndex = 1

  constructor(names: string[], init: MeshInit = {}) {
    this.net = new SimNetwork(init.sync ?? false)
    this.links = names.map(() => new Set<number>())
    this.nodes = names.map((name, i) => {
      const tap = new ChannelTap({ name })
      const bind = this.net.bind(`10.0.0.${i + 1}`, 6783)
      const id = peerIdOf(name)
      const dp = new Datapath({ mtu: init.mtu ?? 1376, underlayMtu: init.underlayMtu, selfId: id, hopLimit: init.hopLimit }, { tap, bind })
      return { index: i, name, id, mac: `02000000${(i + 1).toString(16).padStart(4, '0')}`, tap, bind, dp }
    })
  }

  node(name: string): MeshNode {
    return this.nodes.find((n) => n.name === name)!
  }

  /** Direct sessions both ways between nodes `i` and `j`. */
  link(i: number, j: number): void {
    const [ki, kj] = this.pairKeys(i, j)
    this.remember(i, j, this.nodes[i].dp.addSession(this.nodes[j].id, ki, this.nodes[j].bind.endpoint))
    this.remember(j, i, this.nodes[j].dp.addSession(this.nodes[i].id, kj, this.nodes[i].bind.endpoint))
    this.links[i].add(j)
    this.links[j].add(i)
  }

  /** End-to-end relayed sessions both ways between nodes `i` and `j`. */
  relay(i: number, j: number): void {
    const [ki, kj] = this.pairKeys(i, j)
    this.remember(i, j, this.nodes[i].dp.addRelayedSession(this.nodes[j].id, ki))
    this.remember(j, i, this.nodes[j].dp.addRelayedSession(this.nodes[i].id, kj))
  }

  /** Relayed sessions between every pair that has no link. */
  relayTheRest(): void {
    for (let i = 0; i < this.nodes.length; i++) {
      for (let j = i + 1; j < this.nodes.length; j++) if (!this.links[i].has(j)) this.relay(i, j)
    }
  }

  /** Sets every node's routes from breadth-first search over the links. */
  routeByBfs(): void {
    const parents = this.nodes.map((_, s) => bfsParents(this.links, s))
    for (const x of this.nodes) {
      const nextHop = new Map<string, string>()
      for (const d of this.nodes) {
        if (d === x) continue
        // walk back from d to x in the tree rooted at x: the node whose parent is x is the hop
        let at = d.index
        while (parents[x.index][at] !== x.index && parents[x.index][at] >= 0) at = parents[x.index][at]
        if (parents[x.index][at] === x.index) nextHop.set(d.id, this.nodes[at].id)
      }
      const children = new Map<string, string[]>()
      for (const s of this.nodes) {
        const kids = this.nodes.filter((c) => parents[s.index][c.index] === x.index && c.index !== s.index).map((c) => c.id)
        children.set(s.id, kids)
      }
      x.dp.setRoutes(routes(nextHop, children))
    }
  }

  private remember(i: number, j: number, s: PeerSession): void {
    this.sessions.set(`${this.nodes[i].name}>${this.nodes[j].name}`, s)
  }

  private pairKeys(i: number, j: number): [SessionKeys, SessionKeys] {
    const kij = randomBytes(32)
    const kji = randomBytes(32)
    const li = this.nextIndex++
    const lj = this.nextIndex++
    const ki = { localIndex: li, remoteIndex: lj, sendKey: kij, receiveKey: kji }
    const kj = { localIndex: lj, remoteIndex: li, sendKey: kji, receiveKey: kij }
    this.keys.set(`${this.nodes[i].name}>${this.nodes[j].name}`, ki)
    this.keys.set(`${this.nodes[j].name}>${this.nodes[i].name}`, kj)
    return [ki, kj]
  }
}

/** Routes from plain maps, as the control path would hand them over. */
export function routes(nextHop: Map<string, string>, broadcast: Map<string, string[]>): DatapathRoutes {
  return { nextHop, broadcast: (source) => broadcast.get(source) ?? [] }
}

/** BFS from `root` over `links`, lowest index first: parent of each node (-1: root/unreached). */
export function bfsParents(links: ReadonlyArray<ReadonlySet<number>>, root: number): number[] {
  const parent = links.map(() => -1)
  const seen = new Set([root])
  const queue = [root]
  while (queue.length > 0) {
    const at = queue.shift()!
    for (const n of [...links[at]].sort((x, y) => x - y)) {
      if (seen.has(n)) continue
      seen.add(n)
      parent[n] = at
      queue.push(n)
    }
  }
  return parent
}

export function frame(dst: string, src: string, payload: Buffer | number = 46, fill = 0x42): Buffer {
  const body = typeof payload === 'number' ? Buffer.alloc(payload, fill) : payload
  const f = Buffer.alloc(14 + body.length)
  Buffer.from(dst, 'hex').copy(f, 0)
  Buffer.from(src, 'hex').copy(f, 6)
  f.writeUInt16BE(0x88b5, 12) // local experimental ethertype
  body.copy(f, 14)
  return f
}

export const BROADCAST_MAC = 'ffffffffffff'

/** A datagram sealed by hand with `key`, as a peer holding it would send. */
export function sealDatagram(key: Uint8Array, kind: PacketKind, receiverIndex: number, counter: bigint, plain: Buffer): Buffer {
  const buf = Buffer.alloc(DATA_HEADER_BYTES + plain.length + 16)
  writeDataHeader(buf, 0, kind, receiverIndex, counter)
  plain.copy(buf, DATA_HEADER_BYTES)
  new DataCipher(key).seal(buf, DATA_HEADER_BYTES, plain.length, buf, 0, DATA_HEADER_BYTES, counter)
  return buf
}

/** The plaintext of a datagram sealed with `key`, or undefined if it does not open. */
export function openDatagram(key: Uint8Array, datagram: Buffer): Buffer | undefined {
  const buf = Buffer.from(datagram)
  const counter = buf.readBigUInt64LE(8)
  const n = new DataCipher(key).open(buf, DATA_HEADER_BYTES, buf.length - DATA_HEADER_BYTES, buf, 0, DATA_HEADER_BYTES, counter)
  return n < 0 ? undefined : buf.subarray(DATA_HEADER_BYTES, DATA_HEADER_BYTES + n)
}

export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5))

export function totalDrops(dp: Datapath): number {
  return Object.values(dp.drops()).reduce((x, y) => x + y, 0)
}

/** An IPv4/UDP frame of `ipBytes` bytes of IP packet; DF set unless told otherwise. */
export function ipv4Frame(dst: string, src: string, ipBytes: number, df = true): Buffer {
  const f = frame(dst, src, ipBytes, 0x5a)
  f.writeUInt16BE(0x0800, 12)
  const ip = f.subarray(14, 34)
  ip.fill(0)
  ip[0] = 0x45
  ip.writeUInt16BE(ipBytes, 2)
  ip.writeUInt16BE(0x1234, 4)
  ip.writeUInt16BE(df ? 0x4000 : 0, 6)
  ip[8] = 64
  ip[9] = 17
  Buffer.from([10, 40, 1, 1]).copy(ip, 12)
  Buffer.from([10, 40, 2, 1]).copy(ip, 16)
  let sum = 0
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  ip.writeUInt16BE(~sum & 0xffff, 10)
  return f
}

/** a ── b ── c: direct sessions a-b and b-c, an end-to-end session a-c relayed through b, BFS routes. */
export function relayLine(init: MeshInit = {}): { mesh: SimMesh; a: MeshNode; b: MeshNode; c: MeshNode } {
  const mesh = new SimMesh(['a', 'b', 'c'], init)
  mesh.link(0, 1)
  mesh.link(1, 2)
  mesh.relay(0, 2)
  mesh.routeByBfs()
  const [a, b, c] = mesh.nodes
  return { mesh, a, b, c }
}

/** Records (copies of) every datagram the network carries from now on; those `drop` picks are lost. */
export function recordDatagrams(mesh: SimMesh, drop: (d: SimDatagram) => boolean = () => false): SimDatagram[] {
  const seen: SimDatagram[] = []
  mesh.net.intercept = (d) => {
    seen.push({ from: d.from, to: d.to, data: Buffer.from(d.data) })
    return !drop(d)
  }
  return seen
}

/** Lets `from` announce its container's MAC with a broadcast, so the others learn where it lives. */
export async function learnMac(from: { tap: { inject(f: Buffer): boolean }; mac: string }): Promise<void> {
  from.tap.inject(frame(BROADCAST_MAC, from.mac))
  await settle()
}
