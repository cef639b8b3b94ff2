// Many peers, each with the real gossip engine carrying the name CRDT on the `dns` channel, on
// one virtual clock, wired by a fake transport: each message arrives 1-5 ms later (so they
// reorder) unless either end restarted or the link went away meanwhile. One seeded PRNG.
import { createGossipEngine, type GossipEngine } from '@weft/gossip'
import { VirtualClock, createPrng, type Prng } from '@weft/netsim'
import { createNames, encodeNames, NAMES_CHANNEL, type Names, type NamesInit } from '../../src/index.js'

export interface MeshPeer {
  readonly id: string
  engine: GossipEngine
  names: Names
  incarnation: number
}

export class NameMesh {
  readonly clock = new VirtualClock()
  readonly prng: Prng
  readonly peers = new Map<string, MeshPeer>()
  /** Messages handed to the transport, and their payload bytes. */
  messages = 0
  bytes = 0
  private inFlight = 0
  private readonly links = new Map<string, Set<string>>()

  constructor(seed: number, private readonly init: Partial<NamesInit> = {}) {
    this.prng = createPrng(seed)
  }

  /** Adds `n` peers with random ids; returns their ids. */
  addPeers(n: number): string[] {
    return Array.from({ length: n }, () => {
      let id = ''
      for (let i = 0; i < 8; i++) id += this.prng.uint32().toString(16).padStart(8, '0')
      this.links.set(id, new Set())
      this.peers.set(id, this.start(id, 0))
      return id
    })
  }

  /** A random connected graph: a random spanning tree plus `extra` random links. */
  connectRandomly(ids: readonly string[], extra: number): void {
    for (let i = 1; i < ids.length; i++) this.connect(ids[i], ids[this.prng.int(0, i - 1)])
    for (let k = 0; k < extra; k++) this.connect(ids[this.prng.int(0, ids.length - 1)], ids[this.prng.int(0, ids.length - 1)])
  }

  connect(a: string, b: string): void {
    if (a === b || this.links.get(a)!.has(b)) return
    this.links.get(a)!.add(b)
    this.links.get(b)!.add(a)
    this.peer(a).engine.addNeighbour(b)
    this.peer(b).engine.addNeighbour(a)
  }

  disconnect(a: string, b: string): void {
    if (!this.links.get(a)!.has(b)) return
    this.links.get(a)!.delete(b)
    this.links.get(b)!.delete(a)
    this.peer(a).engine.removeNeighbour(b)
    this.peer(b).engine.removeNeighbour(a)
  }

  neighbours(id: string): string[] {
    return [...this.links.get(id)!]
  }

  /** Restarts a peer with an empty name CRDT and engine, reconnected to its neighbours. */
  restart(id: string): MeshPeer {
    const old = this.peer(id)
    old.engine.close()
    const fresh = this.start(id, old.incarnation + 1)
    this.peers.set(id, fresh)
    for (const other of this.neighbours(id)) {
      this.peer(other).engine.removeNeighbour(id)
      this.peer(other).engine.addNeighbour(id)
      fresh.engine.addNeighbour(other)
    }
    return fresh
  }

  peer(id: string): MeshPeer {
    return this.peers.get(id)!
  }

  /** No message in flight and nothing queued anywhere. */
  quiet(): boolean {
    if (this.inFlight > 0) return false
    for (const p of this.peers.values()) if (p.engine.stats().queued > 0) return false
    return true
  }

  /** Whether every peer in `ids` (default all) holds byte-identical name state. */
  converged(ids: Iterable<string> = this.peers.keys()): boolean {
    let first: Buffer | null = null
    for (const id of ids) {
      const bytes = Buffer.from(encodeNames(this.peer(id).names.full()))
      if (first === null) first = bytes
      else if (!first.equals(bytes)) return false
    }
    return true
  }

  /** Runs timers until `done()` holds (checked before each), at most `maxMs`; whether it held. */
  runUntil(done: () => boolean, maxMs: number): boolean {
    const limit = this.clock.now() + maxMs
    for (;;) {
      if (done()) return true
      const next = this.clock.nextAt()
      if (next === undefined || next > limit) return false
      this.clock.runNext()
    }
  }

  runUntilQuiet(maxMs: number): boolean {
    return this.runUntil(() => this.quiet(), maxMs)
  }

  private start(id: string, incarnation: number): MeshPeer {
    const peer = { id, incarnation } as MeshPeer
    peer.engine = createGossipEngine({ selfId: id }, {
      clock: this.clock,
      random: () => this.prng.next(),
      send: (to, channel, payload) => this.send(id, to, channel, payload, incarnation),
    })
    peer.names = createNames({ selfId: id, ...this.init }, {
      clock: this.clock,
      publish: (delta) => peer.engine.publish(NAMES_CHANNEL, delta),
    })
    peer.engine.registerChannel(peer.names)
    return peer
  }

  private send(from: string, to: string, channel: string, payload: Uint8Array, fromIncarnation: number): void {
    this.messages++
    this.bytes += payload.length
    const toIncarnation = this.peer(to).incarnation
    this.inFlight++
    this.clock.setTimeout(() => {
      this.inFlight--
      if (this.peer(to).incarnation !== toIncarnation || this.peer(from).incarnation !== fromIncarnation) return
      if (!this.links.get(from)!.has(to)) return
      this.peer(to).engine.receive(from, channel, payload)
    }, this.prng.int(1, 5))
  }
}
