// Many allocators, each on its own gossip engine, over a fake transport on one virtual clock:
//
//     a ---- b ---- c        links carry gossip after 1-5 ms (so messages reorder); a partition
//      \    /        \       puts peers in groups and drops every message between groups; a
//        d            e      killed peer drops everything; `restart` brings a peer back from its
//                            store (what a kill -9 leaves). `isReachable` is the oracle's truth.
import { createGossipEngine, type GossipEngine } from '@weft/gossip'
import {
  createAllocator, createMemoryIpamStore, IPAM_CHANNEL, viewOf,
  type Allocation, type Allocator, type AllocatorInit, type InitMode, type MemoryIpamStore,
} from '../../src/index.js'
import { VirtualClock, runUntil, seededRandom } from './sim-clock.js'

export interface MeshPeer {
  readonly id: string
  engine: GossipEngine
  ipam: Allocator
  readonly store: MemoryIpamStore
  readonly mode: InitMode
  incarnation: number
  alive: boolean
}

export interface MeshOptions {
  seed: number
  /** Extra allocator options for every peer. */
  init?: Partial<AllocatorInit>
  antiEntropyIntervalMs?: number
}

/** The outcome of an allocation started with `allocate`. */
export interface Outcome {
  readonly peer: string
  readonly containerId: string
  result?: Allocation
  error?: Error
}

export class IpamMesh {
  readonly clock = new VirtualClock()
  readonly random: () => number
  readonly peers = new Map<string, MeshPeer>()
  private readonly links = new Set<string>()
  private group = new Map<string, number>()
  messages = 0

  constructor(private readonly options: MeshOptions) {
    this.random = seededRandom(options.seed)
  }

  add(id: string, mode: InitMode, init: Partial<AllocatorInit> = {}): MeshPeer {
    const peer: MeshPeer = { id, mode, store: createMemoryIpamStore(), incarnation: 0, alive: true } as MeshPeer
    this.peers.set(id, peer)
    this.start(peer, init)
    return peer
  }

  peer(id: string): MeshPeer {
    return this.peers.get(id)!
  }

  connect(a: string, b: string): void {
    this.links.add(key(a, b))
    if (this.peer(a).alive && this.peer(b).alive) {
      this.peer(a).engine.addNeighbour(b)
      this.peer(b).engine.addNeighbour(a)
    }
  }

  /** Splits the peers into groups (unlisted peers form one more group); null heals. */
  partition(groups: readonly (readonly string[])[] | null): void {
    const before = this.group
    this.group = new Map()
    if (groups !== null) groups.forEach((g, i) => g.forEach((id) => this.group.set(id, i + 1)))
    // a healed link comes back as a reconnect: both ends send their full state
    for (const link of this.links) {
      const [a, b] = link.split('|')
      const was = (before.get(a) ?? 0) === (before.get(b) ?? 0)
      if (!was && this.reachable(a, b)) this.connect(a, b)
    }
  }

  reachable(a: string, b: string): boolean {
    return this.peer(a).alive && this.peer(b).alive && (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0)
  }

  /** kill -9: the process is gone; its store keeps what was saved. */
  kill(id: string): void {
    const p = this.peer(id)
    p.alive = false
    p.incarnation++
    p.engine.close()
    p.ipam.close()
  }

  /** Starts a killed peer again from its store and reconnects its links. */
  restart(id: string, init: Partial<AllocatorInit> = {}): MeshPeer {
    const p = this.peer(id)
    p.alive = true
    p.incarnation++
    this.start(p, init)
    for (const link of this.links) {
      const [a, b] = link.split('|')
      if ((a === id || b === id) && this.reachable(a, b)) this.connect(a, b)
    }
    return p
  }

  /** Starts an allocation on `peer` and records how it ends. */
  allocate(peer: string, containerId: string, subnet?: string): Outcome {
    const o: Outcome = { peer, containerId }
    this.peer(peer).ipam.allocate(containerId, subnet).then((r) => { o.result = r }, (e: Error) => { o.error = e })
    return o
  }

  runUntil(done: () => boolean, maxMs: number): Promise<boolean> {
    return runUntil(this.clock, done, maxMs)
  }

  /** Every live peer holds the same ring (entries and all). */
  converged(): boolean {
    let first: string | null = null
    for (const p of this.peers.values()) {
      if (!p.alive) continue
      const ring = p.ipam.full().ring
      const text = ring === null ? 'none' : [...ring.entries.values()].sort((a, b) => a.start - b.start).map((e) => `${e.start}:${e.end}:${e.owner}:${e.version}:${e.free}`).join(',')
      if (first === null) first = text
      else if (text !== first) return false
    }
    return true
  }

  /** Live peers that act on what they hold (not restarted and still waiting to hear the ring). */
  private acting(): MeshPeer[] {
    // only a restarted peer can be syncing; status() is not cheap enough to ask everyone each step
    return [...this.peers.values()].filter((p) => p.alive && (p.incarnation === 0 || !p.ipam.status().syncing))
  }

  /** Addresses held by more than one container across all acting peers. */
  duplicates(): string[] {
    const seen = new Map<string, string>()
    const dup: string[] = []
    for (const p of this.acting()) {
      for (const a of p.ipam.list()) {
        const other = seen.get(a.address)
        if (other !== undefined) dup.push(`${a.address}: ${other} and ${p.id.slice(0, 6)}/${a.containerId}`)
        seen.set(a.address, `${p.id.slice(0, 6)}/${a.containerId}`)
      }
    }
    return dup
  }

  /**
   * Space two acting peers each believe is their own (each in its own view): must never happen.
   * Returns descriptions of overlaps.
   */
  ownershipOverlaps(): string[] {
    const owned: Array<{ id: string; start: number; end: number }> = []
    for (const p of this.acting()) {
      const ring = p.ipam.full().ring
      if (ring === null) continue
      for (const x of viewOf(ring).ownedBy(p.id)) owned.push({ id: p.id, start: x.start, end: x.end })
    }
    owned.sort((a, b) => a.start - b.start)
    const out: string[] = []
    for (let i = 1; i < owned.length; i++) {
      if (owned[i].start < owned[i - 1].end) out.push(`${owned[i - 1].id.slice(0, 6)} [${owned[i - 1].start},${owned[i - 1].end}) vs ${owned[i].id.slice(0, 6)} [${owned[i].start},${owned[i].end})`)
    }
    return out
  }

  private start(peer: MeshPeer, init: Partial<AllocatorInit>): void {
    const incarnation = peer.incarnation
    peer.engine = createGossipEngine({ selfId: peer.id, antiEntropyIntervalMs: this.options.antiEntropyIntervalMs }, {
      clock: this.clock,
      random: this.random,
      send: (to, channel, payload) => this.send(peer.id, incarnation, to, channel, payload),
    })
    peer.ipam = createAllocator({ selfId: peer.id, mode: peer.mode, ...this.options.init, ...init }, {
      clock: this.clock,
      random: this.random,
      store: peer.store,
      publish: (delta) => peer.engine.publish(IPAM_CHANNEL, delta),
      isReachable: (other) => this.reachable(peer.id, other),
    })
    peer.engine.registerChannel(peer.ipam)
  }

  private send(from: string, incarnation: number, to: string, channel: string, payload: Uint8Array): void {
    this.messages++
    const target = this.peer(to)
    const toIncarnation = target.incarnation
    if (!this.reachable(from, to) || !this.links.has(key(from, to))) return
    this.clock.setTimeout(() => {
      const f = this.peer(from)
      if (f.incarnation !== incarnation || target.incarnation !== toIncarnation || !this.reachable(from, to)) return
      target.engine.receive(from, channel, payload)
    }, 1 + Math.floor(this.random() * 5))
  }
}

function key(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`
}

/** A random connected graph: a random spanning tree plus `extra` random edges. */
export function randomGraph(ids: readonly string[], random: () => number, extra: number): Array<[string, string]> {
  const edges: Array<[string, string]> = []
  for (let i = 1; i < ids.length; i++) edges.push([ids[i], ids[Math.floor(random() * i)]])
  for (let k = 0; k < extra; k++) {
    const a = ids[Math.floor(random() * ids.length)]
    const b = ids[Math.floor(random() * ids.length)]
    if (a !== b) edges.push([a, b])
  }
  return edges
}
