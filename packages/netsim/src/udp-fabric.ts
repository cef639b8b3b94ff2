/**
 * Datagrams through the simulated network, hop by hop (a hop joins two nodes of one realm):
 *  1. send: count, offer to the intercept hook, trace.
 *  2. route: the next node is whoever owns the address in the sender's realm, else its NAT.
 *  3. depart: the hop's link decides partition, MTU, loss, duplication, then delay
 *     (jitter, reorder) from the link's own PRNG stream; arrival is a clock timer.
 *  4. arrive at a NAT: from inside, map and rewrite the source and route on (or hairpin);
 *     from outside, find the mapping, apply filtering, rewrite the destination, route inward.
 *  5. arrive at a host: hand a fresh copy to the bind on the port, or drop `no-listener`.
 * Decisions are made when a datagram leaves a node: one already on a link when a partition
 * starts still arrives. Nothing here throws: drops are counted by reason.
 */
import { MAX_HOPS } from './constants.js'
import type { Endpoint } from './endpoint.js'
import { endpointKey, isPort, udpOverheadBytes } from './endpoint.js'
import type { FabricContext } from './fabric-context.js'
import { roundMs } from './fabric-context.js'
import type { Prng } from './prng.js'
import type { SimNode } from './realm.js'
import { nextHop } from './realm.js'
import type { DropReason } from './sim-counters.js'
import type { SimHost } from './sim-host.js'
import type { SimNat } from './sim-nat.js'
import { describePayload } from './trace-log.js'

interface Flight {
  data: Buffer
  src: Endpoint
  dst: Endpoint
  /** Names of the nodes reached so far, sender first. */
  path: string[]
  hops: number
}

/** @internal */
export class UdpFabric {
  private readonly linkPrngs = new Map<string, Prng>()

  constructor(private readonly ctx: FabricContext) {}

  // 1. send

  /** `data` is owned by the network from here on. */
  send(host: SimHost, port: number, data: Buffer, to: Endpoint): void {
    const { counters, clock, log } = this.ctx
    counters.sent++
    const fl: Flight = {
      data,
      src: { address: host.address, port },
      dst: { address: to.address, port: to.port },
      path: [host.name],
      hops: 0,
    }
    const intercept = this.ctx.intercept()
    if (intercept) {
      const verdict = intercept({ kind: 'udp', from: fl.src, to: fl.dst, data, host: host.name, at: clock.now() })
      if (verdict === 'drop') return this.drop(fl, 'intercept', host.name)
      if (typeof verdict === 'object') fl.data = Buffer.from(verdict.data)
    }
    log.record(`udp.send ${host.name} ${endpointKey(fl.src)}>${endpointKey(fl.dst)} ${describePayload(fl.data)}`)
    if (!isPort(fl.dst.port)) return this.drop(fl, 'no-route', host.name)
    // 2. route
    const next = nextHop(host.realm, fl.dst.address)
    if (!next) return this.drop(fl, 'no-route', host.name)
    this.depart(fl, host, next)
  }

  // 3. depart

  private depart(fl: Flight, from: SimNode, to: SimNode): void {
    const { topology, counters, clock } = this.ctx
    const where = `${from.name}>${to.name}`
    if (++fl.hops > MAX_HOPS) return this.drop(fl, 'no-route', where)
    if (topology.blockedFrom(fl.path, to.name)) return this.drop(fl, 'partition', where)
    const link = topology.link(from.name, to.name)
    if (fl.data.length + udpOverheadBytes(fl.dst.address) > link.mtu) return this.drop(fl, 'mtu', where)
    const prng = this.linkPrng(from.name, to.name)
    if (prng.chance(link.loss)) return this.drop(fl, 'loss', where)
    const duplicate = prng.chance(link.duplicate)
    fl.path.push(to.name)
    const flights = [fl]
    if (duplicate) {
      counters.duplicated++
      flights.push({ ...fl, path: fl.path.slice() })
    }
    for (const f of flights) {
      let delay = link.delayMs
      if (link.jitterMs > 0) delay += prng.next() * link.jitterMs
      if (prng.chance(link.reorder)) delay += link.reorderDelayMs
      clock.setTimeout(() => this.arrive(f, from, to), roundMs(delay))
    }
  }

  private arrive(fl: Flight, from: SimNode, at: SimNode): void {
    if (at.kind === 'host') return this.deliver(fl, at)
    if (from !== at && from.realm === at.inside) return this.outbound(fl, at)
    return this.inbound(fl, at)
  }

  // 4. NATs

  private outbound(fl: Flight, nat: SimNat): void {
    const port = nat.outbound('udp', fl.src, fl.dst)
    if (port === undefined) return this.drop(fl, 'nat-no-mapping', nat.name)
    fl.src = { address: nat.publicAddress, port }
    const next = nextHop(nat.realm, fl.dst.address)
    if (next === nat) {
      if (!nat.hairpin) return this.drop(fl, 'no-route', `${nat.name} (no hairpin)`)
      return this.inbound(fl, nat)
    }
    if (!next) return this.drop(fl, 'no-route', nat.name)
    this.depart(fl, nat, next)
  }

  private inbound(fl: Flight, nat: SimNat): void {
    const internal = nat.inbound('udp', fl.dst.port, fl.src)
    if (typeof internal === 'string') return this.drop(fl, internal, nat.name)
    fl.dst = internal
    const next = nat.inside.byAddress.get(internal.address)
    if (!next) return this.drop(fl, 'no-route', nat.name)
    this.depart(fl, nat, next)
  }

  // 5. deliver

  private deliver(fl: Flight, host: SimHost): void {
    const bind = host.udpBind(fl.dst.port)
    if (!bind) return this.drop(fl, 'no-listener', host.name)
    this.ctx.counters.delivered++
    this.ctx.log.record(`udp.deliver ${host.name} ${endpointKey(fl.src)}>${endpointKey(fl.dst)} ${describePayload(fl.data)}`)
    bind.deliver(Buffer.from(fl.data), { address: fl.src.address, port: fl.src.port })
  }

  private drop(fl: Flight, reason: DropReason, where: string): void {
    this.ctx.counters.dropped[reason]++
    this.ctx.log.record(`udp.drop ${reason} ${where} ${endpointKey(fl.src)}>${endpointKey(fl.dst)}`)
  }

  private linkPrng(from: string, to: string): Prng {
    const key = `${from}>${to}`
    let prng = this.linkPrngs.get(key)
    if (!prng) {
      prng = this.ctx.prng.fork(`link:${key}`)
      this.linkPrngs.set(key, prng)
    }
    return prng
  }
}
