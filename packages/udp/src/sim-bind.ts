import type { Bind, DatagramHandler, Endpoint } from './bind.js'
import { endpointKey } from './bind.js'

/** A datagram in flight inside a `SimNetwork`, offered to its intercept hook. */
export interface SimDatagram {
  readonly from: Endpoint
  readonly to: Endpoint
  readonly data: Buffer
}

/**
 * In-memory datagram network for tests: binds registered by endpoint, delivery on a microtask
 * (or synchronously with `deliverSync`), an intercept hook to drop, record or alter datagrams.
 */
export class SimNetwork {
  private readonly binds = new Map<string, SimBind>()
  /** Returns false to drop the datagram. */
  intercept: (d: SimDatagram) => boolean = () => true
  delivered = 0
  dropped = 0

  constructor(private readonly deliverSync = false) {}

  bind(address: string, port: number): SimBind {
    const b = new SimBind(this, { address, port })
    this.binds.set(endpointKey(b.endpoint), b)
    return b
  }

  /** @internal */
  route(from: Endpoint, to: Endpoint, data: Buffer): void {
    const target = this.binds.get(endpointKey(to))
    if (!target || !this.intercept({ from, to, data })) {
      this.dropped++
      return
    }
    const deliver = () => {
      this.delivered++
      target.deliver(data, from)
    }
    if (this.deliverSync) deliver()
    else queueMicrotask(deliver)
  }

  /** @internal */
  unbind(b: SimBind): void {
    this.binds.delete(endpointKey(b.endpoint))
  }
}

export class SimBind implements Bind {
  private handler: DatagramHandler = () => {}
  private closed = false

  constructor(private readonly net: SimNetwork, readonly endpoint: Endpoint) {}

  get port(): number {
    return this.endpoint.port
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler
  }

  send(data: Buffer, offset: number, length: number, to: Endpoint): void {
    if (this.closed) return
    this.net.route(this.endpoint, to, Buffer.from(data.subarray(offset, offset + length)))
  }

  /** @internal */
  deliver(data: Buffer, from: Endpoint): void {
    if (!this.closed) this.handler(data, from)
  }

  close(): Promise<void> {
    this.closed = true
    this.net.unbind(this)
    return Promise.resolve()
  }
}
