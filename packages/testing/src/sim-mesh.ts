import type { Prng, RunUntilResult, SimNetwork, VirtualClock } from '@weft/netsim'
import { createSimNetwork, runUntil } from '@weft/netsim'
import { SimAgreement } from './sim-mesh-agreement.js'
import { DEFAULT_SIM_DEGREE, DEFAULT_SIM_LINK_DELAY_MS, SIM_CONTROL_PORT } from './sim-mesh-constants.js'
import { SimMeshError } from './sim-mesh-error.js'
import type { SimMeshEdge, SimMeshShape } from './sim-mesh-graphs.js'
import { buildSimMeshEdges, edgeKey } from './sim-mesh-graphs.js'
import type { SimTrafficCounters } from './sim-mesh-link.js'
import { SimRouter } from './sim-mesh-router.js'

export interface SimMeshInit {
  /** Seeds everything: ids, restartIds, the graph, link delays, every router's randomness. */
  readonly seed: number
  /** Number of routers, at least 1. */
  readonly peers: number
  /** Mean degree of a `random-sparse` mesh. Default `DEFAULT_SIM_DEGREE` (4). */
  readonly degree?: number
  /** The links the mesh starts with. Default `random-sparse`. */
  readonly topology?: SimMeshShape
  /** Range the one-way delay of each link is drawn from, whole ms. Default `[1, 20]`. */
  readonly linkDelayMs?: readonly [number, number]
  /** Every router's anti-entropy period (ms). Default the engine's (10 000). */
  readonly antiEntropyIntervalMs?: number
}

export interface RunUntilConvergedInit {
  /** Give up after this much virtual time (ms). */
  readonly maxMs: number
  /** Wait for each of these groups (e.g. both sides of a partition) instead of the whole mesh. */
  readonly groups?: ReadonlyArray<readonly number[]>
  /** Also wait until `rttsKnown` (routes weighted by measured RTTs everywhere). Default false. */
  readonly rtts?: boolean
}

/** Where following next hops from one router towards another led (router indices). */
export interface SimRoute {
  readonly reached: boolean
  /** The routers visited, `from` first. */
  readonly hops: readonly number[]
  /** A router came up twice: the next hops form a loop. */
  readonly loop: boolean
}

/**
 * N simulated weft routers (`SimRouter`: the real gossip engine, topology and route table) on one
 * netsim network and its virtual clock, joined by control streams over netsim links: gossip
 * travels as length-prefixed frames on `SimStream`s, so it feels each link's delay, stalls in a
 * partition, and is cut when a link's heartbeats stop. Router i is host `r<i>` at 10.x.y.z;
 * everything random derives from `seed`.
 *
 * @example
 * const mesh = createSimMesh({ seed: 7, peers: 200 })
 * const { met, elapsedMs } = mesh.runUntilConverged({ maxMs: 60_000 })
 * mesh.partition(range(0, 100), range(100, 200))
 * mesh.runUntilConverged({ maxMs: 60_000, groups: [range(0, 100), range(100, 200)] })
 */
export class SimMesh {
  readonly net: SimNetwork
  readonly clock: VirtualClock
  /** Router i's peer id; ids survive restarts. */
  readonly ids: readonly string[]
  private readonly slots: SimRouter[] = []
  private readonly counters: SimTrafficCounters[] = []
  private readonly restarts: number[] = []
  private readonly slotById = new Map<string, number>()
  private readonly wanted = new Map<string, SimMeshEdge>()
  private readonly delays = new Map<string, number>()
  private readonly agreement: SimAgreement
  private readonly prng: Prng
  private readonly delayPrng: Prng
  private linkChanges = 0

  constructor (private readonly init: SimMeshInit) {
    const n = init.peers
    if (!Number.isSafeInteger(n) || n < 1 || n > 0xfffffe) throw argument(`peers must be an integer 1..${0xfffffe}, got ${n}`)
    const [lo, hi] = init.linkDelayMs ?? DEFAULT_SIM_LINK_DELAY_MS
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo) throw argument(`linkDelayMs must be whole ms [min, max], got [${lo}, ${hi}]`)
    const degree = init.degree ?? DEFAULT_SIM_DEGREE
    if (!(degree >= 1)) throw argument(`degree must be at least 1, got ${degree}`)
    this.net = createSimNetwork({ seed: init.seed })
    this.clock = this.net.clock
    this.prng = this.net.prng.fork('sim-mesh')
    this.delayPrng = this.prng.fork('delays')
    const idPrng = this.prng.fork('ids')
    this.ids = Array.from({ length: n }, () => hex(idPrng, 8))
    this.ids.forEach((id, i) => this.slotById.set(id, i))
    this.agreement = new SimAgreement(n, (i) => this.slots[i], (id) => this.slotById.get(id))
    for (let i = 0; i < n; i++) {
      this.net.addHost(hostName(i), { address: addressOf(i) })
      this.counters.push({ bytesSent: 0, messagesSent: 0, gossipBytesSent: 0, gossipMessagesSent: 0 })
      this.restarts.push(0)
      this.slots.push(this.startRouter(i))
    }
    for (const e of buildSimMeshEdges(init.topology ?? 'random-sparse', n, degree, this.prng.fork('graph'))) this.connect(e.from, e.to)
  }

  /** The current router of every slot (a restart replaces one). */
  get routers (): readonly SimRouter[] {
    return this.slots
  }

  /** The links the mesh wants: each `from` keeps dialling its `to`. */
  edges (): SimMeshEdge[] {
    return [...this.wanted.values()]
  }

  /** The one-way delay of the link between `a` and `b` (ms), if they are linked. */
  delayMs (a: number, b: number): number | undefined {
    return this.wanted.has(edgeKey(a, b)) ? this.delays.get(edgeKey(a, b)) : undefined
  }

  /** Router `a` starts dialling router `b` (and keeps redialling) over a link with a random delay. */
  connect (a: number, b: number): void {
    this.check(a)
    this.check(b)
    const key = edgeKey(a, b)
    if (a === b || this.wanted.has(key)) return
    if (!this.delays.has(key)) {
      const [lo, hi] = this.init.linkDelayMs ?? DEFAULT_SIM_LINK_DELAY_MS
      const delay = this.delayPrng.int(lo, hi)
      this.delays.set(key, delay)
      this.net.setLink(hostName(a), hostName(b), { delayMs: delay })
    }
    this.wanted.set(key, { from: a, to: b })
    this.slots[a].addTarget(targetOf(b))
  }

  /** Closes the link between `a` and `b` for good (its dialler stops redialling). */
  disconnect (a: number, b: number): void {
    const e = this.wanted.get(edgeKey(a, b))
    if (e === undefined) return
    this.wanted.delete(edgeKey(a, b))
    this.slots[e.from].removeTarget(targetOf(e.to))
  }

  /** Nothing passes between the two groups of routers until `heal`. */
  partition (groupA: readonly number[], groupB: readonly number[]): void {
    for (const i of [...groupA, ...groupB]) this.check(i)
    this.net.partition(groupA.map(hostName), groupB.map(hostName))
  }

  heal (): void {
    this.net.heal()
  }

  /** Stops router `i` and starts a fresh one in its place: same id, new restartId, version 0, empty state. */
  restart (i: number): SimRouter {
    this.check(i)
    this.slots[i].stop()
    this.restarts[i]++
    this.slots[i] = this.startRouter(i)
    this.agreement.routerReplaced(i)
    for (const e of this.wanted.values()) if (e.from === i) this.slots[i].addTarget(targetOf(e.to))
    return this.slots[i]
  }

  /**
   * Whether the routers of `group` (default: all; give a partition side to check one side) have
   * settled: every wanted link between two members is established at both ends, every member
   * holds every member's current record (the owner's restartId and version), and every member's
   * routes reach exactly the other members.
   */
  converged (group?: readonly number[]): boolean {
    if (!this.agreement.agreed(group)) return false
    const members = group ?? this.slots.map((_, i) => i)
    const inGroup = group === undefined ? null : new Set(group)
    for (const e of this.wanted.values()) {
      if (inGroup !== null && !(inGroup.has(e.from) && inGroup.has(e.to))) continue
      if (!this.slots[e.from].isNeighbour(this.ids[e.to]) || !this.slots[e.to].isNeighbour(this.ids[e.from])) return false
    }
    for (const r of members) {
      const unicast = this.slots[r].routes.current().unicast
      if (unicast.size !== members.length - 1) return false
      for (const s of members) if (s !== r && !unicast.has(this.ids[s])) return false
    }
    return true
  }

  /**
   * Whether every router of `group` (default: all) reports a measured RTT for each of its links in
   * its own record. Routers publish RTTs at their periodic refresh, so a mesh first converges on
   * records without them and converges again, RTT-weighted, within about one refresh period.
   */
  rttsKnown (group?: readonly number[]): boolean {
    for (const r of group ?? this.slots.map((_, i) => i)) {
      for (const c of this.slots[r].topology.self().connections) if (c.rttMs === null) return false
    }
    return true
  }

  /** Runs the clock until `converged()` (or every group in `groups`) holds, checked after every timer. */
  runUntilConverged (init: RunUntilConvergedInit): RunUntilResult {
    let seen = -1
    const settled = (): boolean => {
      const stamp = this.agreement.generation + this.linkChanges
      if (stamp === seen) return false // nothing changed since the last check said no
      seen = stamp
      const groups = init.groups ?? [undefined]
      return groups.every((g) => this.converged(g) && (init.rtts !== true || this.rttsKnown(g)))
    }
    return runUntil(this.net, settled, { maxMs: init.maxMs })
  }

  /** Follows next hops from `from` towards `to`; each hop must be an established neighbour. */
  route (from: number, to: number): SimRoute {
    this.check(from)
    this.check(to)
    const hops = [from]
    const seen = new Set(hops)
    for (let at = from; at !== to;) {
      const next = this.slots[at].routes.current().unicast.get(this.ids[to])
      const j = next === undefined ? undefined : this.slotById.get(next)
      if (j === undefined || !this.slots[at].isNeighbour(next!)) return { reached: false, hops, loop: false }
      hops.push(j)
      if (seen.has(j)) return { reached: false, hops, loop: true }
      seen.add(j)
      at = j
    }
    return { reached: true, hops, loop: false }
  }

  /** Bytes router slot `i` has written to its control streams, over all its restarts. */
  bytesSent (i: number): number {
    this.check(i)
    return this.counters[i].bytesSent
  }

  /** Bytes and frames router slot `i` has written, in total and for gossip, over all its restarts. */
  traffic (i: number): Readonly<SimTrafficCounters> {
    this.check(i)
    return { ...this.counters[i] }
  }

  /** Ordered pairs of routers where the first lacks the second's current record (0 when all agree). */
  lagging (): number {
    return this.agreement.lagging()
  }

  /** Stops every router (timers, links); the mesh is dead after. */
  stop (): void {
    for (const r of this.slots) r.stop()
  }

  private startRouter (i: number): SimRouter {
    const prng = this.prng.fork(`router:${i}:${this.restarts[i]}`)
    const router: SimRouter = new SimRouter({
      selfId: this.ids[i], nickname: hostName(i), restartId: hex(prng, 2), antiEntropyIntervalMs: this.init.antiEntropyIntervalMs,
    }, {
      host: this.net.host(hostName(i)),
      clock: this.clock,
      prng,
      counters: this.counters[i],
      topologyChanged: (ids) => { if (this.slots[i] === router) this.agreement.topologyChanged(i, ids) },
      linksChanged: () => { this.linkChanges++ },
    })
    return router
  }

  private check (i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.slots.length) throw argument(`no router ${i}; routers are 0..${this.slots.length - 1}`)
  }
}

/** A mesh of `init.peers` simulated routers; see `SimMesh`. */
export function createSimMesh (init: SimMeshInit): SimMesh {
  return new SimMesh(init)
}

function hostName (i: number): string {
  return `r${i}`
}

function addressOf (i: number): string {
  const v = i + 1
  return `10.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
}

function targetOf (i: number): string {
  return `${addressOf(i)}:${SIM_CONTROL_PORT}`
}

/** `words` uint32s of `prng` as lowercase hex. */
function hex (prng: Prng, words: number): string {
  let s = ''
  for (let k = 0; k < words; k++) s += prng.uint32().toString(16).padStart(8, '0')
  return s
}

function argument (message: string): SimMeshError {
  return new SimMeshError('ERR_SIM_MESH_ARGUMENT', message)
}
