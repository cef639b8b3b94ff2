/**
 * One stream connection, both ends. Segments of a direction leave in write order and arrive in
 * that order after the path's delay (per-hop delay + jitter, summed), never lost:
 *  1. connect: SYN to the server; the listener (looked up on arrival) gets an open end, the
 *     client gets SYN-ACK then `connect`; writes made while connecting wait for it. No listener
 *     means RST (`refused`); no route means the SYN never arrives (`timeout`).
 *  2. transmit: while any two nodes on the path are blocked, segments are held and a break timer
 *     runs; a heal flushes them in order; the timer firing closes both ends with `timeout`.
 *  3. arrive: data to `data` listeners, FIN closes the receiving end with `remote`.
 *  4. teardown when both ends are closed: NAT mappings and the client's port are released.
 */
import type { Endpoint } from './endpoint.js'
import { endpointKey } from './endpoint.js'
import type { FabricContext } from './fabric-context.js'
import { roundMs } from './fabric-context.js'
import type { Prng } from './prng.js'
import type { SimNode } from './realm.js'
import type { SimHost } from './sim-host.js'
import type { SimNat } from './sim-nat.js'
import type { StreamCarrier } from './sim-stream.js'
import { SimStream } from './sim-stream.js'
import { describePayload } from './trace-log.js'
import type { TimerHandle } from './virtual-clock.js'

/** How a connection's packets go, resolved when it is opened. @internal */
export interface StreamRoute {
  /** Client host first, server host last, NATs between. */
  readonly path: readonly SimNode[]
  readonly server: SimHost
  readonly serverPort: number
  /** The client as the server sees it (after NAT). */
  readonly seenAs: Endpoint
}

/** A NAT mapping a connection holds until it ends. @internal */
export interface HeldMapping {
  readonly nat: SimNat
  readonly port: number
}

type Segment =
  | { readonly kind: 'syn' | 'syn-ack' | 'rst' | 'fin' }
  | { readonly kind: 'data'; readonly data: Buffer }

/** @internal */
export interface StreamConnectionInit {
  readonly id: number
  readonly client: SimHost
  readonly localPort: number
  readonly to: Endpoint
  /** Undefined when the SYN cannot get through (no route, NAT without a forward). */
  readonly route: StreamRoute | undefined
  readonly mappings: readonly HeldMapping[]
  readonly prng: Prng
  readonly timeoutMs: number
  readonly onEnd: (c: StreamConnection) => void
}

/** @internal */
export class StreamConnection implements StreamCarrier {
  readonly client: SimStream
  private server: SimStream | undefined
  private established = false
  private finished = false
  private readonly names: readonly string[]
  /** Segments waiting for a broken path, per direction (0: client to server). */
  private readonly held: [Segment[], Segment[]] = [[], []]
  /** Segments on the wire, per direction; each arrival timer takes the head. */
  private readonly wire: [Segment[], Segment[]] = [[], []]
  private readonly lastArrival: [number, number] = [0, 0]
  private readonly preConnect: Segment[] = []
  private breakTimer: TimerHandle | undefined
  private readonly tag: string

  constructor(private readonly ctx: FabricContext, private readonly init: StreamConnectionInit) {
    const local = { address: init.client.address, port: init.localPort }
    this.client = new SimStream(this, 0, local, { address: init.to.address, port: init.to.port }, 'connecting')
    this.names = init.route?.path.map((n) => n.name) ?? []
    this.tag = `s${init.id}`
  }

  // 1. connect

  start(): void {
    const { client, localPort, to, route } = this.init
    this.ctx.log.record(`stream.connect ${this.tag} ${client.name} ${client.address}:${localPort}>${endpointKey(to)}${route ? '' : ' unroutable'}`)
    if (route) this.transmit(0, { kind: 'syn' })
    else this.armBreak()
  }

  write(side: 0 | 1, data: Buffer): void {
    if (side === 0 && !this.established) this.preConnect.push({ kind: 'data', data })
    else this.transmit(side, { kind: 'data', data })
  }

  close(side: 0 | 1): void {
    const end = side === 0 ? this.client : this.server
    if (!end) return
    this.ctx.log.record(`stream.close ${this.tag} ${side === 0 ? 'client' : 'server'} local`)
    this.ctx.clock.setTimeout(() => end.emitClose('local'), 0)
    if (side === 0 && !this.established) this.preConnect.push({ kind: 'fin' })
    else this.transmit(side, { kind: 'fin' })
    this.teardownIfDone()
  }

  /** The topology changed: stall or resume. */
  recheck(): void {
    if (this.finished || !this.init.route) return
    if (this.ctx.topology.anyBlocked(this.names)) return this.armBreak()
    if (this.breakTimer) {
      this.ctx.clock.clearTimeout(this.breakTimer)
      this.breakTimer = undefined
      this.ctx.log.record(`stream.resume ${this.tag}`)
    }
    for (const dir of [0, 1] as const) {
      for (const seg of this.held[dir].splice(0)) this.transmit(dir, seg)
    }
  }

  // 2. transmit

  private transmit(dir: 0 | 1, seg: Segment): void {
    if (this.finished || !this.init.route) return
    if (this.ctx.topology.anyBlocked(this.names)) {
      this.held[dir].push(seg)
      return this.armBreak()
    }
    const now = this.ctx.clock.now()
    const at = Math.max(now + this.sampleDelay(), this.lastArrival[dir])
    this.lastArrival[dir] = at
    this.wire[dir].push(seg)
    this.ctx.clock.setTimeout(() => this.arrive(dir), at - now)
  }

  /** Sum over the path's hops of delay plus jitter (a stream to its own host crosses one loop hop). */
  private sampleDelay(): number {
    const { topology } = this.ctx
    const names = this.names
    let delay = 0
    const hops = Math.max(1, names.length - 1)
    for (let i = 0; i < hops; i++) {
      const link = topology.link(names[i], names[Math.min(i + 1, names.length - 1)])
      delay += link.delayMs
      if (link.jitterMs > 0) delay += this.init.prng.next() * link.jitterMs
    }
    return roundMs(delay)
  }

  private armBreak(): void {
    if (this.breakTimer || this.finished) return
    this.ctx.log.record(`stream.stall ${this.tag}`)
    this.breakTimer = this.ctx.clock.setTimeout(() => this.timeout(), this.init.timeoutMs)
  }

  private timeout(): void {
    this.breakTimer = undefined
    this.ctx.log.record(`stream.timeout ${this.tag}`)
    for (const end of [this.client, this.server]) {
      if (end && end.state !== 'closed') {
        end.markClosed()
        end.emitClose('timeout')
      }
    }
    this.teardown()
  }

  // 3. arrive

  private arrive(dir: 0 | 1): void {
    const seg = this.wire[dir].shift()
    if (this.finished || !seg) return
    const receiver = dir === 0 ? this.server : this.client
    switch (seg.kind) {
      case 'syn':
        return this.accept()
      case 'syn-ack':
        return this.opened()
      case 'rst':
        this.ctx.log.record(`stream.refused ${this.tag}`)
        if (this.client.state !== 'closed') {
          this.client.markClosed()
          this.client.emitClose('refused')
        }
        return this.teardown()
      case 'data':
        if (receiver?.state !== 'open') return
        this.ctx.log.record(`stream.data ${this.tag} ${dir === 0 ? '>' : '<'} ${describePayload(seg.data)}`)
        return receiver.emitData(seg.data)
      case 'fin':
        if (!receiver || receiver.state === 'closed') return
        this.ctx.log.record(`stream.close ${this.tag} ${dir === 0 ? 'server' : 'client'} remote`)
        receiver.markClosed()
        receiver.emitClose('remote')
        return this.teardownIfDone()
    }
  }

  private accept(): void {
    const { server, serverPort, seenAs } = this.init.route!
    const listener = server.listener(serverPort)
    if (!listener) return this.transmit(1, { kind: 'rst' })
    const end = new SimStream(this, 1, { address: server.address, port: serverPort }, seenAs, 'open')
    this.server = end
    this.ctx.log.record(`stream.accept ${this.tag} ${server.name} ${server.address}:${serverPort}<${endpointKey(seenAs)}`)
    // SYN-ACK first, so whatever the listener writes arrives after it.
    this.transmit(1, { kind: 'syn-ack' })
    listener.onConnection(end)
  }

  private opened(): void {
    this.established = true
    this.ctx.log.record(`stream.open ${this.tag}`)
    for (const seg of this.preConnect.splice(0)) this.transmit(0, seg)
    if (this.client.state === 'connecting') {
      this.client.markOpen()
      this.client.emitConnect()
    }
  }

  // 4. teardown

  private teardownIfDone(): void {
    if (this.client.state === 'closed' && this.server?.state === 'closed') this.teardown()
  }

  private teardown(): void {
    if (this.finished) return
    this.finished = true
    if (this.breakTimer) this.ctx.clock.clearTimeout(this.breakTimer)
    this.breakTimer = undefined
    this.held[0].length = 0
    this.held[1].length = 0
    this.preConnect.length = 0
    for (const m of this.init.mappings) m.nat.releaseStream('tcp', m.port)
    this.init.client.releaseTcpPort(this.init.localPort)
    this.init.onEnd(this)
  }
}
