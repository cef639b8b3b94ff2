import type { Bind, DatagramHandler, Endpoint } from './bind.js'
import { MAX_DATAGRAM_BYTES } from './constants.js'

/**
 * An unreliable, unordered message channel to one peer that is not our UDP socket: the
 * datagrams of a Hyperswarm stream. It carries weft datagrams as they are (sealed with weft's
 * own AEAD, counter and replay window: the channel's own encryption proves nothing about replay).
 */
export interface DatagramChannel {
  /** Sends one message; its bytes are copied (or encrypted into a new buffer) before it returns. */
  send(data: Uint8Array): void
  /** Sets the receiver of every message (replacing the last one); `data` is owned by it. */
  onMessage(handler: (data: Buffer) => void): void
}

/** Address prefix of a carrier endpoint; port is always 0 (no UDP datagram goes to port 0). */
export const CARRIER_PREFIX = 'carrier:'

/** Whether `e` names a carrier of a `CarrierBind` rather than a UDP endpoint. */
export function isCarrierEndpoint(e: Endpoint): boolean {
  return e.port === 0 && e.address.startsWith(CARRIER_PREFIX)
}

/**
 * A `Bind` that sends to UDP endpoints through `inner`, and to carrier endpoints (one per
 * attached `DatagramChannel`) through their channel. Datagrams arriving on a channel reach the
 * data path like UDP ones, from the carrier's endpoint: the data path authenticates them the
 * same way and never takes a carrier endpoint for a UDP one (see `isCarrierEndpoint`).
 */
export class CarrierBind implements Bind {
  private handler: DatagramHandler = () => {}
  private readonly channels = new Map<string, { channel: DatagramChannel; endpoint: Endpoint }>()
  /** Datagrams sent to and received from carriers, and sends to a carrier that is gone. */
  readonly counters = { sent: 0, bytesSent: 0, received: 0, bytesReceived: 0, noCarrier: 0 }

  constructor(readonly inner: Bind) {}

  get port(): number {
    return this.inner.port
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler
    this.inner.onDatagram(handler)
  }

  /** Routes datagrams to and from `key` (a peer id) through `channel`; returns its endpoint. */
  attach(key: string, channel: DatagramChannel): Endpoint {
    this.detach(key)
    const endpoint: Endpoint = Object.freeze({ address: `${CARRIER_PREFIX}${key}`, port: 0 })
    this.channels.set(key, { channel, endpoint })
    channel.onMessage((data) => {
      if (this.channels.get(key)?.channel !== channel) return
      this.counters.received++
      this.counters.bytesReceived += data.length
      this.handler(data, endpoint)
    })
    return endpoint
  }

  /** Stops using `key`'s channel (only `channel`, when given: a newer one stays). */
  detach(key: string, channel?: DatagramChannel): void {
    const c = this.channels.get(key)
    if (c === undefined || (channel !== undefined && c.channel !== channel)) return
    this.channels.delete(key)
    c.channel.onMessage(() => {})
  }

  /** The endpoint of `key`'s carrier, if one is attached. */
  endpointOf(key: string): Endpoint | undefined {
    return this.channels.get(key)?.endpoint
  }

  send(data: Buffer, offset: number, length: number, to: Endpoint): void {
    if (!isCarrierEndpoint(to)) {
      this.inner.send(data, offset, length, to)
      return
    }
    const c = this.channels.get(to.address.slice(CARRIER_PREFIX.length))
    if (c === undefined || length > MAX_DATAGRAM_BYTES) {
      this.counters.noCarrier++
      return
    }
    c.channel.send(data.subarray(offset, offset + length))
    this.counters.sent++
    this.counters.bytesSent += length
  }

  close(): Promise<void> {
    for (const key of [...this.channels.keys()]) this.detach(key)
    return this.inner.close()
  }
}
