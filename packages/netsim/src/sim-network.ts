import { DEFAULT_STREAM_TIMEOUT_MS } from './constants.js'
import type { Endpoint } from './endpoint.js'
import { NetsimError } from './errors.js'
import type { FabricContext } from './fabric-context.js'
import type { Intercept } from './intercept.js'
import type { LinkProps } from './link-props.js'
import type { Prng } from './prng.js'
import { createPrng } from './prng.js'
import type { SimCounters } from './sim-counters.js'
import { createCounters, snapshotCounters } from './sim-counters.js'
import type { SimHostInit } from './sim-host.js'
import { SimHost } from './sim-host.js'
import type { SimNatInit } from './sim-nat.js'
import { SimNat } from './sim-nat.js'
import type { SimStream } from './sim-stream.js'
import { StreamFabric } from './stream-fabric.js'
import { Topology } from './topology.js'
import { TraceLog } from './trace-log.js'
import { UdpFabric } from './udp-fabric.js'
import { VirtualClock } from './virtual-clock.js'

export interface SimNetworkInit {
  /** Seeds the one PRNG everything random derives from. */
  readonly seed: number
  /** The clock every delay and timeout runs on. Default: a new `VirtualClock` at 0. */
  readonly clock?: VirtualClock
  /** Properties of every link not set with `setLink`. Default `DEFAULT_LINK` (1 ms, lossless, MTU 1500). */
  readonly link?: Partial<LinkProps>
  /** How long a stream survives a broken path, or a connect that cannot get through (ms). Default 15000. */
  readonly streamTimeoutMs?: number
}

/**
 * A deterministic simulated network: hosts and NATs joined by links, all on one virtual clock and
 * one seeded PRNG. Each consumer of randomness (a link direction, a NAT, a host, a stream) owns a
 * fork of the root stream, so traffic in one place never perturbs another. Hosts and NATs share
 * one name space: links, blocks and partitions name them.
 */
export class SimNetwork {
  readonly clock: VirtualClock
  /** The root stream. The network only uses forks of it, so tests may fork their own too. */
  readonly prng: Prng
  readonly streamTimeoutMs: number
  /** Sees every datagram once, as sent, and may drop or rewrite it. */
  intercept: Intercept | undefined = undefined
  private readonly topology: Topology
  private readonly counterValues = createCounters()
  private readonly log: TraceLog
  private readonly udp: UdpFabric
  private readonly streams: StreamFabric

  /** @internal Use `createSimNetwork`. */
  constructor(init: SimNetworkInit) {
    this.clock = init.clock ?? new VirtualClock()
    this.prng = createPrng(init.seed)
    this.streamTimeoutMs = init.streamTimeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS
    if (!(this.streamTimeoutMs > 0)) throw new NetsimError('ERR_INVALID_ARGUMENT', `streamTimeoutMs must be > 0, got ${this.streamTimeoutMs}`)
    this.topology = new Topology(init.link)
    const clock = this.clock
    this.log = new TraceLog(() => clock.now())
    const ctx: FabricContext = {
      clock,
      topology: this.topology,
      counters: this.counterValues,
      log: this.log,
      prng: this.prng,
      intercept: () => this.intercept,
    }
    this.udp = new UdpFabric(ctx)
    this.streams = new StreamFabric(ctx, this.streamTimeoutMs)
  }

  /** Adds a host on the internet, or behind the NAT `init.behind` (added first). */
  addHost(name: string, init: SimHostInit): SimHost {
    checkName(name)
    checkAddress(init.address)
    const realm = this.topology.realmBehind(init.behind)
    const fabric = {
      sendDatagram: (host: SimHost, port: number, data: Buffer, to: Endpoint) => this.udp.send(host, port, data, to),
      connect: (host: SimHost, localPort: number, to: Endpoint): SimStream => this.streams.connect(host, localPort, to),
    }
    const host = new SimHost(name, init.address, init.behind, realm, this.prng.fork(`host:${name}`), fabric)
    this.topology.add(host, realm, init.address)
    this.log.record(`host.add ${name} ${init.address}${init.behind ? ` behind=${init.behind}` : ''}`)
    return host
  }

  /** Adds a NAT router with `init.publicAddress` on the internet (or behind another NAT). */
  addNat(name: string, init: SimNatInit): SimNat {
    checkName(name)
    checkAddress(init.publicAddress)
    const realm = this.topology.realmBehind(init.behind)
    const nat = new SimNat(name, init.publicAddress, init, realm, {
      prng: this.prng.fork(`nat:${name}`),
      now: () => this.clock.now(),
      log: (event) => this.log.record(event),
    })
    this.topology.add(nat, realm, init.publicAddress)
    this.log.record(`nat.add ${name} ${init.publicAddress} ${init.mapping}/${init.filtering}`)
    return nat
  }

  host(name: string): SimHost {
    const node = this.topology.get(name)
    if (node.kind !== 'host') throw new NetsimError('ERR_UNKNOWN_NODE', `'${name}' is a NAT, not a host`)
    return node
  }

  nat(name: string): SimNat {
    const node = this.topology.get(name)
    if (node.kind !== 'nat') throw new NetsimError('ERR_UNKNOWN_NODE', `'${name}' is a host, not a NAT`)
    return node
  }

  /** The properties of the link between two nodes (either direction). */
  link(a: string, b: string): LinkProps {
    return this.topology.link(a, b)
  }

  /** Overlays `props` on the link between `a` and `b` (both directions). */
  setLink(a: string, b: string, props: Partial<LinkProps>): void {
    this.topology.setLink(a, b, props)
    this.log.record(`net.link ${a} ${b} ${JSON.stringify(props)}`)
  }

  /** Overlays `props` on every link without its own `setLink`. */
  setDefaultLink(props: Partial<LinkProps>): void {
    this.topology.setDefaultLink(props)
    this.log.record(`net.link * * ${JSON.stringify(props)}`)
  }

  /** Blocks every node of `groupA` from every node of `groupB` until `heal` (or `unblock`). */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    for (const n of [...groupA, ...groupB]) this.topology.get(n)
    for (const a of groupA) for (const b of groupB) this.topology.block(a, b)
    this.log.record(`net.partition ${groupA.join(',')} | ${groupB.join(',')}`)
    this.streams.recheck()
  }

  /** Removes every block and partition. */
  heal(): void {
    this.topology.heal()
    this.log.record('net.heal')
    this.streams.recheck()
  }

  /** Nothing passes between `a` and `b`, either way, through any path that includes both. */
  block(a: string, b: string): void {
    this.topology.block(a, b)
    this.log.record(`net.block ${a} ${b}`)
    this.streams.recheck()
  }

  unblock(a: string, b: string): void {
    this.topology.unblock(a, b)
    this.log.record(`net.unblock ${a} ${b}`)
    this.streams.recheck()
  }

  /** A snapshot of the datagram counters. */
  counters(): SimCounters {
    return snapshotCounters(this.counterValues)
  }

  /** Stream connections opening or open. */
  openStreams(): number {
    return this.streams.size()
  }

  /**
   * Turns event recording on or off (when `enabled` is given) and returns the lines recorded so
   * far. Lines are `<virtual ms> <event> <facts>`; the same seed and program give the same lines.
   */
  trace(enabled?: boolean): readonly string[] {
    if (enabled !== undefined) this.log.enabled = enabled
    return this.log.snapshot()
  }
}

/** A new network; see `SimNetwork`. */
export function createSimNetwork(init: SimNetworkInit): SimNetwork {
  return new SimNetwork(init)
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || /\s/.test(name)) {
    throw new NetsimError('ERR_INVALID_ARGUMENT', `a node name must be a non-empty string without spaces, got '${name}'`)
  }
}

function checkAddress(address: string): void {
  if (typeof address !== 'string' || address.length === 0 || /\s/.test(address)) {
    throw new NetsimError('ERR_INVALID_ARGUMENT', `an address must be a non-empty string without spaces, got '${address}'`)
  }
}
