import type { Bind, DatagramHandler, Endpoint } from './endpoint.js'
import { NetsimError } from './errors.js'

/** @internal What a bind needs from its host. */
export interface UdpBindOwner {
  sendDatagram(port: number, data: Buffer, to: Endpoint): void
  unbind(port: number): void
}

/**
 * A UDP socket on a simulated host; implements the data path's `Bind` shape. Datagrams arrive from
 * the virtual clock, never inside `send`. `from` is the sender as this host sees it (after NAT).
 */
export class SimUdpBind implements Bind {
  private handler: DatagramHandler = () => {}
  private open = true

  /** @internal Use `SimHost.bind`. */
  constructor(private readonly owner: UdpBindOwner, readonly endpoint: Endpoint) {}

  get port(): number {
    return this.endpoint.port
  }

  get closed(): boolean {
    return !this.open
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler
  }

  /** Copies `data[offset, offset+length)` and sends it; after `close` it does nothing. */
  send(data: Buffer, offset: number, length: number, to: Endpoint): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > data.length) {
      throw new NetsimError('ERR_INVALID_ARGUMENT', `send range [${offset}, ${offset}+${length}) is outside a ${data.length}-byte buffer`)
    }
    if (!this.open) return
    this.owner.sendDatagram(this.endpoint.port, Buffer.from(data.subarray(offset, offset + length)), to)
  }

  close(): Promise<void> {
    if (this.open) {
      this.open = false
      this.owner.unbind(this.endpoint.port)
    }
    return Promise.resolve()
  }

  /** @internal `data` is handed over to the handler. */
  deliver(data: Buffer, from: Endpoint): void {
    if (this.open) this.handler(data, from)
  }
}
