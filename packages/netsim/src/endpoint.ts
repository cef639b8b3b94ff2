import { IPV4_UDP_OVERHEAD_BYTES, IPV6_UDP_OVERHEAD_BYTES } from './constants.js'

/** An address and port; structurally the same as `@weft/udp`'s `Endpoint`. */
export interface Endpoint {
  readonly address: string
  readonly port: number
}

/** `data` is owned by the handler (a fresh buffer per datagram). */
export type DatagramHandler = (data: Buffer, from: Endpoint) => void

/**
 * The data path's socket seam, redeclared so netsim depends on nothing: structurally the same as
 * `@weft/udp`'s `Bind`, so a `SimUdpBind` can be handed to anything that takes one.
 */
export interface Bind {
  readonly port: number
  onDatagram(handler: DatagramHandler): void
  /** Sends `data[offset, offset+length)`; the bytes are copied before it returns. */
  send(data: Buffer, offset: number, length: number, to: Endpoint): void
  close(): Promise<void>
}

/** `10.0.0.1:6783`, or `[fd00::1]:6783` for IPv6. */
export function endpointKey(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`
}

/** IP + UDP header bytes a datagram to `address` carries on the wire. */
export function udpOverheadBytes(address: string): number {
  return address.includes(':') ? IPV6_UDP_OVERHEAD_BYTES : IPV4_UDP_OVERHEAD_BYTES
}

export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65_535
}
