import { DEFAULT_MAPPING_TIMEOUT_MS, NAT_PORT_MIN, PORT_MAX } from './constants.js'
import type { Endpoint } from './endpoint.js'
import { endpointKey, isPort } from './endpoint.js'
import { NetsimError } from './errors.js'
import type { Prng } from './prng.js'
import type { Realm } from './realm.js'
import { createRealm } from './realm.js'

/**
 * RFC 4787 names, used for both mapping (section 4.1) and filtering (section 5):
 * - `endpoint-independent`: one mapping per internal endpoint; anyone may send to it.
 * - `address-dependent`: a mapping per remote address; only addresses the inside sent to may send.
 * - `address-and-port-dependent`: per remote address and port ("symmetric" when used for mapping).
 */
export type NatBehavior = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent'

export const NAT_BEHAVIORS: readonly NatBehavior[] = Object.freeze([
  'endpoint-independent', 'address-dependent', 'address-and-port-dependent',
])

export type SimProto = 'udp' | 'tcp'

export interface SimNatInit {
  /** The NAT's address in its outer realm (the internet, or the inside of `behind`). */
  readonly publicAddress: string
  readonly mapping: NatBehavior
  readonly filtering: NatBehavior
  /** A UDP mapping with no outbound traffic for this long expires (ms). Default 30000. */
  readonly mappingTimeoutMs?: number
  /** Whether inside hosts reach each other through the public address. Default false. */
  readonly hairpin?: boolean
  /** Name of an outer NAT this one sits behind (carrier-grade NAT). Default: on the internet. */
  readonly behind?: string
}

/** One live translation, as `SimNat.mappings()` lists it. */
export interface SimNatMapping {
  readonly proto: SimProto
  readonly internal: Endpoint
  readonly external: Endpoint
  /** True for a `forward`: static, never expires, admits anyone. */
  readonly forwarded: boolean
  /** Remote the mapping was made for (the `to` of the first outbound datagram). */
  readonly firstRemote: Endpoint | undefined
  readonly lastOutboundAt: number
}

/** @internal */
export interface SimNatComponents {
  readonly prng: Prng
  readonly now: () => number
  readonly log: (event: string) => void
}

interface Mapping {
  readonly proto: SimProto
  readonly internal: Endpoint
  readonly publicPort: number
  readonly key: string | undefined
  readonly forwarded: boolean
  readonly firstRemote: Endpoint | undefined
  lastOutboundAt: number
  /** Live streams through this mapping; a TCP mapping lives while any does. */
  streams: number
  /** `a <address>` and `p <address:port>` -> last outbound time, for filtering. */
  readonly permits: Map<string, number>
}

/**
 * A NAT router with RFC 4787 mapping and filtering behaviour. Mappings are made by outbound
 * traffic, refreshed only by outbound traffic (REQ-6), and expire lazily: whenever the NAT looks
 * at one that has been idle for `mappingTimeoutMs`. Public ports are drawn from the NAT's own
 * PRNG stream. Inbound streams need a `forward`; outbound streams hold a mapping while open.
 */
export class SimNat {
  readonly kind = 'nat'
  readonly mapping: NatBehavior
  readonly filtering: NatBehavior
  readonly mappingTimeoutMs: number
  readonly hairpin: boolean
  readonly behind: string | undefined
  /** @internal */ readonly inside: Realm
  private readonly byKey = new Map<string, Mapping>()
  private readonly byPort = new Map<string, Mapping>()
  private readonly forwards = new Map<string, Mapping>()

  /** @internal Use `SimNetwork.addNat`. */
  constructor(
    readonly name: string,
    readonly publicAddress: string,
    init: SimNatInit,
    /** @internal */ readonly realm: Realm,
    private readonly components: SimNatComponents,
  ) {
    for (const field of ['mapping', 'filtering'] as const) {
      if (!NAT_BEHAVIORS.includes(init[field])) {
        throw new NetsimError('ERR_INVALID_ARGUMENT', `NAT ${field} must be one of ${NAT_BEHAVIORS.join(', ')}, got ${String(init[field])}`)
      }
    }
    const timeout = init.mappingTimeoutMs ?? DEFAULT_MAPPING_TIMEOUT_MS
    if (!(timeout > 0)) throw new NetsimError('ERR_INVALID_ARGUMENT', `mappingTimeoutMs must be > 0, got ${timeout}`)
    this.mapping = init.mapping
    this.filtering = init.filtering
    this.mappingTimeoutMs = timeout
    this.hairpin = init.hairpin ?? false
    this.behind = init.behind
    this.inside = createRealm(this)
  }

  /** The NAT's address in the realm it lives in (its public address). */
  get address(): string {
    return this.publicAddress
  }

  /**
   * Port forwarding: traffic to `publicPort` goes to `port` on the inside node `host`, from anyone;
   * traffic from that internal endpoint leaves through `publicPort`.
   */
  forward(publicPort: number, host: string, port: number, proto: SimProto | 'both' = 'both'): void {
    if (!isPort(publicPort) || !isPort(port)) throw new NetsimError('ERR_INVALID_ARGUMENT', `ports must be integers in 1..65535, got ${publicPort} -> ${port}`)
    const target = [...this.inside.byAddress.values()].find((n) => n.name === host)
    if (!target) throw new NetsimError('ERR_UNKNOWN_NODE', `'${host}' is not behind NAT '${this.name}'`)
    const internal: Endpoint = { address: target.address, port }
    for (const p of proto === 'both' ? (['udp', 'tcp'] as const) : [proto]) {
      const taken = this.byPort.get(portKey(p, publicPort))
      if (taken?.forwarded) throw new NetsimError('ERR_PORT_IN_USE', `NAT '${this.name}' already forwards ${p} port ${publicPort}`)
      if (taken) this.remove(taken)
      const m = this.create(p, internal, publicPort, undefined, undefined, true)
      this.forwards.set(`${p} ${endpointKey(internal)}`, m)
      this.components.log(`nat.forward ${this.name} ${p} ${this.publicAddress}:${publicPort} ${endpointKey(internal)}`)
    }
  }

  /** Live mappings (expired ones are purged first), forwards included. */
  mappings(): SimNatMapping[] {
    const now = this.components.now()
    const out: SimNatMapping[] = []
    for (const m of [...this.byPort.values()]) {
      if (this.expired(m, now)) {
        this.remove(m)
        continue
      }
      out.push(Object.freeze({
        proto: m.proto,
        internal: m.internal,
        external: { address: this.publicAddress, port: m.publicPort },
        forwarded: m.forwarded,
        firstRemote: m.firstRemote,
        lastOutboundAt: m.lastOutboundAt,
      }))
    }
    return out
  }

  /**
   * Translates an outbound packet's source: finds or makes the mapping, refreshes it and the
   * permission for `remote`. Returns the public port, or undefined when no port is free.
   * @internal
   */
  outbound(proto: SimProto, internal: Endpoint, remote: Endpoint, stream = false): number | undefined {
    const now = this.components.now()
    let m = this.forwards.get(`${proto} ${endpointKey(internal)}`)
    if (!m) {
      const key = `${proto} ${endpointKey(internal)} ${this.remotePart(this.mapping, remote)}`
      m = this.byKey.get(key)
      if (m && this.expired(m, now)) {
        this.remove(m)
        m = undefined
      }
      if (!m) {
        const port = this.allocatePort(proto, now)
        if (port === undefined) return undefined
        m = this.create(proto, internal, port, key, remote, false)
        this.components.log(`nat.map ${this.name} ${proto} ${endpointKey(internal)} ${this.publicAddress}:${port} to=${endpointKey(remote)}`)
      }
    }
    m.lastOutboundAt = now
    m.permits.set(`a ${remote.address}`, now)
    m.permits.set(`p ${endpointKey(remote)}`, now)
    if (stream) m.streams++
    return m.publicPort
  }

  /** Where an inbound datagram to `publicPort` from `remote` goes, or why it is dropped. @internal */
  inbound(proto: SimProto, publicPort: number, remote: Endpoint): Endpoint | 'nat-no-mapping' | 'nat-filtered' {
    const now = this.components.now()
    const m = this.byPort.get(portKey(proto, publicPort))
    if (!m) return 'nat-no-mapping'
    if (this.expired(m, now)) {
      this.remove(m)
      return 'nat-no-mapping'
    }
    if (m.forwarded || this.filtering === 'endpoint-independent') return m.internal
    const permit = m.permits.get(this.filtering === 'address-dependent' ? `a ${remote.address}` : `p ${endpointKey(remote)}`)
    if (permit === undefined || now - permit >= this.mappingTimeoutMs) return 'nat-filtered'
    return m.internal
  }

  /** Where a new inbound stream to `publicPort` goes: only forwards accept them. @internal */
  inboundStream(publicPort: number): Endpoint | undefined {
    const m = this.byPort.get(portKey('tcp', publicPort))
    return m?.forwarded ? m.internal : undefined
  }

  /** A stream through `publicPort` closed; a TCP mapping goes with its last stream. @internal */
  releaseStream(proto: SimProto, publicPort: number): void {
    const m = this.byPort.get(portKey(proto, publicPort))
    if (!m || m.streams === 0) return
    m.streams--
    if (m.streams === 0 && proto === 'tcp' && !m.forwarded) this.remove(m)
  }

  private remotePart(behavior: NatBehavior, remote: Endpoint): string {
    if (behavior === 'endpoint-independent') return '*'
    if (behavior === 'address-dependent') return remote.address
    return endpointKey(remote)
  }

  private expired(m: Mapping, now: number): boolean {
    return !m.forwarded && m.streams === 0 && now - m.lastOutboundAt >= this.mappingTimeoutMs
  }

  private create(proto: SimProto, internal: Endpoint, publicPort: number, key: string | undefined, remote: Endpoint | undefined, forwarded: boolean): Mapping {
    const m: Mapping = {
      proto, internal, publicPort, key, forwarded, firstRemote: remote,
      lastOutboundAt: this.components.now(), streams: 0, permits: new Map(),
    }
    this.byPort.set(portKey(proto, publicPort), m)
    if (key !== undefined) this.byKey.set(key, m)
    return m
  }

  private remove(m: Mapping): void {
    this.byPort.delete(portKey(m.proto, m.publicPort))
    if (m.key !== undefined) this.byKey.delete(m.key)
    if (!m.forwarded) this.components.log(`nat.unmap ${this.name} ${m.proto} ${this.publicAddress}:${m.publicPort}`)
  }

  /** A random free public port, reclaiming expired mappings; undefined when all are live. */
  private allocatePort(proto: SimProto, now: number): number | undefined {
    const span = PORT_MAX - NAT_PORT_MIN + 1
    const start = this.components.prng.int(NAT_PORT_MIN, PORT_MAX)
    for (let i = 0; i < span; i++) {
      const port = NAT_PORT_MIN + ((start - NAT_PORT_MIN + i) % span)
      const m = this.byPort.get(portKey(proto, port))
      if (!m) return port
      if (this.expired(m, now)) {
        this.remove(m)
        return port
      }
      // Linear probing after a collision keeps the draw count (and so the PRNG stream) fixed.
    }
    return undefined
  }
}

function portKey(proto: SimProto, port: number): string {
  return `${proto} ${port}`
}
