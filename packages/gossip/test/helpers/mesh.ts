// A mesh of gossip engines with the topology channel, over a fake transport on a virtual clock:
// each message is delivered after 1-5 ms (so they reorder), and dropped if either end restarted
// or the link went away meanwhile. `intercept` can drop chosen messages.
import {
  createGossipEngine, createTopology, encodeTopology, TOPOLOGY_CHANNEL, type GossipEngine, type Topology,
} from '../../src/index.js'
import { MAX_GOSSIP_PAYLOAD_BYTES } from '@weft/wire'
import { VirtualClock, randomHex, seededRandom } from './virtual-clock.js'

export interface MeshNode {
  readonly id: string
  engine: GossipEngine
  topology: Topology
  restartId: string
  incarnation: number
}

export interface MeshMessage {
  from: string
  to: string
  channel: string
  payload: Uint8Array
}

export interface MeshOptions {
  seed: number
  maxQueueBytesPerNeighbour?: number
  antiEntropyIntervalMs?: number
  /** Passed to every topology; default the topology's (a short delay). */
  selfPublishDelayMs?: number
  /** Register the topology without its digest methods: full-state anti-entropy, as before digests. */
  fullStateOnly?: boolean
}

export class Mesh {
  readonly clock = new VirtualClock()
  readonly random: () => number
  readonly nodes = new Map<string, MeshNode>()
  /** Messages handed to the transport, delivered or not. */
  messages = 0
  /** Messages and bytes handed to the transport, by channel name. */
  readonly byChannel = new Map<string, { messages: number, bytes: number }>()
  inFlight = 0
  /** Largest payload handed to the transport. */
  largestPayload = 0
  /** Return false to drop a message. */
  intercept: ((m: MeshMessage) => boolean) | null = null
  private readonly links = new Map<string, Set<string>>()

  constructor(private readonly options: MeshOptions) {
    this.random = seededRandom(options.seed)
  }

  /** Adds `n` nodes with random ids; returns their ids. */
  addNodes(n: number): string[] {
    return Array.from({ length: n }, () => {
      const id = randomHex(this.random, 32)
      this.nodes.set(id, this.start(id, 0))
      this.links.set(id, new Set())
      return id
    })
  }

  /** Opens a link: both engines add each other (each sends its full state). */
  connect(a: string, b: string): void {
    this.links.get(a)!.add(b)
    this.links.get(b)!.add(a)
    this.node(a).engine.addNeighbour(b)
    this.node(b).engine.addNeighbour(a)
  }

  neighbours(id: string): string[] {
    return [...this.links.get(id)!]
  }

  /** The node reports its links as established connections, with a random RTT. */
  reportConnections(id: string): void {
    this.node(id).topology.updateSelf({
      connections: this.neighbours(id).sort().map((peer) => ({
        peer, address: '192.0.2.1:6783', outbound: id < peer, established: true, rttMs: 1 + Math.floor(this.random() * 20),
      })),
    })
  }

  /** Restarts a node: a new engine and topology (new restartId, version 0), reconnected to its neighbours. */
  restart(id: string): MeshNode {
    const old = this.node(id)
    old.engine.close()
    const fresh = this.start(id, old.incarnation + 1)
    this.nodes.set(id, fresh)
    for (const peer of this.neighbours(id)) {
      this.node(peer).engine.removeNeighbour(id)
      this.node(peer).engine.addNeighbour(id)
      fresh.engine.addNeighbour(peer)
    }
    return fresh
  }

  node(id: string): MeshNode {
    return this.nodes.get(id)!
  }

  /** No message in flight, nothing queued anywhere and no own record waiting to be published. */
  quiet(): boolean {
    if (this.inFlight > 0) return false
    for (const n of this.nodes.values()) if (n.engine.stats().queued > 0 || n.topology.publishPending) return false
    return true
  }

  /** Whether every node holds byte-identical topology state. */
  converged(): boolean {
    let first: Buffer | null = null
    for (const n of this.nodes.values()) {
      const bytes = Buffer.from(encodeTopology(n.topology.full()))
      if (first === null) first = bytes
      else if (!first.equals(bytes)) return false
    }
    return true
  }

  runUntilQuiet(maxMs: number): boolean {
    return this.clock.runUntil(() => this.quiet(), maxMs)
  }

  private start(id: string, incarnation: number): MeshNode {
    const restartId = randomHex(this.random, 8)
    const node = { id, restartId, incarnation } as MeshNode
    node.engine = createGossipEngine({
      selfId: id,
      antiEntropyIntervalMs: this.options.antiEntropyIntervalMs,
      maxQueueBytesPerNeighbour: this.options.maxQueueBytesPerNeighbour,
    }, {
      clock: this.clock,
      random: this.random,
      send: (to, channel, payload) => this.send({ from: id, to, channel, payload }, incarnation),
    })
    node.topology = createTopology({
      selfId: id, nickname: `n${id.slice(0, 6)}`, restartId, udpPort: 6783, selfPublishDelayMs: this.options.selfPublishDelayMs,
    },
      { clock: this.clock, publish: (delta) => node.engine.publish(TOPOLOGY_CHANNEL, delta) })
    const t = node.topology
    node.engine.registerChannel(this.options.fullStateOnly === true
      ? {
          name: t.name, encode: (d) => t.encode(d), decode: (b) => t.decode(b), full: () => t.full(),
          merge: (d, from) => t.merge(d, from), combine: (a, b) => t.combine(a, b), split: (d) => t.split(d),
        }
      : t)
    return node
  }

  private send(m: MeshMessage, fromIncarnation: number): void {
    // as the router's control connection: a payload over one frame cannot be sent
    if (m.payload.length > MAX_GOSSIP_PAYLOAD_BYTES) throw new Error(`payload of ${m.payload.length} bytes is over the frame limit`)
    this.largestPayload = Math.max(this.largestPayload, m.payload.length)
    this.messages++
    const counted = this.byChannel.get(m.channel) ?? { messages: 0, bytes: 0 }
    counted.messages++
    counted.bytes += m.payload.length
    this.byChannel.set(m.channel, counted)
    if (this.intercept !== null && !this.intercept(m)) return
    const toIncarnation = this.node(m.to).incarnation
    this.inFlight++
    this.clock.setTimeout(() => {
      this.inFlight--
      const to = this.node(m.to)
      if (to.incarnation !== toIncarnation || this.node(m.from).incarnation !== fromIncarnation) return
      if (!this.links.get(m.from)!.has(m.to)) return
      to.engine.receive(m.from, m.channel, m.payload)
    }, 1 + Math.floor(this.random() * 5))
  }
}

/** A random connected sparse graph: a random spanning tree plus `extra` random edges. */
export function randomGraph(ids: readonly string[], random: () => number, extra: number): Array<[string, string]> {
  const edges = new Map<string, [string, string]>()
  const add = (a: string, b: string): void => {
    if (a !== b) edges.set(a < b ? `${a}|${b}` : `${b}|${a}`, [a, b])
  }
  for (let i = 1; i < ids.length; i++) add(ids[i], ids[Math.floor(random() * i)])
  for (let k = 0; k < extra; k++) add(ids[Math.floor(random() * ids.length)], ids[Math.floor(random() * ids.length)])
  return [...edges.values()]
}
