/**
 * The seam between the data path and the network. `UdpBind` is the real one (node:dgram);
 * `SimBind` connects binds in memory for tests.
 */

export interface Endpoint {
  readonly address: string
  readonly port: number
}

/** `data` is owned by the handler (a fresh buffer per datagram). */
export type DatagramHandler = (data: Buffer, from: Endpoint) => void

export interface Bind {
  readonly port: number
  onDatagram(handler: DatagramHandler): void
  /** Sends `data[offset, offset+length)`; the bytes are copied or sent before it returns. */
  send(data: Buffer, offset: number, length: number, to: Endpoint): void
  close(): Promise<void>
}

export function endpointKey(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`
}
