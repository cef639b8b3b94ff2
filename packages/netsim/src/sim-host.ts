import { EPHEMERAL_PORT_MIN, PORT_MAX } from './constants.js'
import type { Endpoint } from './endpoint.js'
import { isPort } from './endpoint.js'
import { NetsimError } from './errors.js'
import type { Prng } from './prng.js'
import type { Realm } from './realm.js'
import type { SimStream } from './sim-stream.js'
import { SimListener } from './sim-stream.js'
import { SimUdpBind } from './sim-udp-bind.js'

export interface SimHostInit {
  /** The host's address in its realm (the internet, or the inside of `behind`). */
  readonly address: string
  /** Name of the NAT the host sits behind. Default: on the internet. */
  readonly behind?: string
}

/** @internal What a host needs from its network. */
export interface HostFabric {
  sendDatagram(host: SimHost, port: number, data: Buffer, to: Endpoint): void
  connect(host: SimHost, localPort: number, to: Endpoint): SimStream
}

/** A simulated machine: UDP binds, listening ports and outgoing streams on one address. */
export class SimHost {
  readonly kind = 'host'
  private readonly udp = new Map<number, SimUdpBind>()
  private readonly listeners = new Map<number, SimListener>()
  private readonly tcpInUse = new Set<number>()

  /** @internal Use `SimNetwork.addHost`. */
  constructor(
    readonly name: string,
    readonly address: string,
    readonly behind: string | undefined,
    /** @internal */ readonly realm: Realm,
    private readonly prng: Prng,
    private readonly fabric: HostFabric,
  ) {}

  /** Opens a UDP socket on `port` (0, the default, picks a free ephemeral port). */
  bind(port = 0): SimUdpBind {
    const p = port === 0 ? this.ephemeral((q) => this.udp.has(q)) : this.checkFree(port, this.udp.has(port), 'udp')
    const owner = {
      sendDatagram: (from: number, data: Buffer, to: Endpoint) => this.fabric.sendDatagram(this, from, data, to),
      unbind: (q: number) => this.udp.delete(q),
    }
    const b = new SimUdpBind(owner, { address: this.address, port: p })
    this.udp.set(p, b)
    return b
  }

  /** Accepts streams on `port`; `onConnection` runs (from the clock) for each new one. */
  listen(port: number, onConnection: (stream: SimStream) => void): SimListener {
    this.checkFree(port, this.listeners.has(port) || this.tcpInUse.has(port), 'tcp')
    const l = new SimListener(port, onConnection, () => this.listeners.delete(port))
    this.listeners.set(port, l)
    return l
  }

  /** Opens a stream to `to` from a fresh ephemeral port; watch for `connect` or `close`. */
  connect(to: Endpoint): SimStream {
    if (!isPort(to.port)) throw new NetsimError('ERR_INVALID_ARGUMENT', `cannot connect to port ${to.port}`)
    const local = this.ephemeral((q) => this.tcpInUse.has(q) || this.listeners.has(q))
    this.tcpInUse.add(local)
    return this.fabric.connect(this, local, to)
  }

  /** @internal */
  udpBind(port: number): SimUdpBind | undefined {
    return this.udp.get(port)
  }

  /** @internal */
  listener(port: number): SimListener | undefined {
    return this.listeners.get(port)
  }

  /** @internal A connection from this host ended. */
  releaseTcpPort(port: number): void {
    this.tcpInUse.delete(port)
  }

  private checkFree(port: number, taken: boolean, proto: string): number {
    if (!isPort(port)) throw new NetsimError('ERR_INVALID_ARGUMENT', `port must be an integer in 1..65535 (or 0 for any), got ${port}`)
    if (taken) throw new NetsimError('ERR_PORT_IN_USE', `${proto} port ${port} on host '${this.name}' is in use; close it first or pick another`)
    return port
  }

  private ephemeral(taken: (port: number) => boolean): number {
    const span = PORT_MAX - EPHEMERAL_PORT_MIN + 1
    const start = this.prng.int(EPHEMERAL_PORT_MIN, PORT_MAX)
    for (let i = 0; i < span; i++) {
      const port = EPHEMERAL_PORT_MIN + ((start - EPHEMERAL_PORT_MIN + i) % span)
      if (!taken(port)) return port
    }
    throw new NetsimError('ERR_PORTS_EXHAUSTED', `host '${this.name}' has no free ephemeral port`)
  }
}
