import type { Endpoint } from './endpoint.js'

/** A datagram as its sender put it on the wire, offered to `SimNetwork.intercept`. */
export interface InterceptedDatagram {
  readonly kind: 'udp'
  /** The sender's own endpoint (before any NAT). */
  readonly from: Endpoint
  /** The destination as addressed by the sender. */
  readonly to: Endpoint
  /** A copy owned by the network; changing it in place alters what is delivered. */
  readonly data: Buffer
  /** Name of the sending host. */
  readonly host: string
  /** Virtual time of the send (ms). */
  readonly at: number
}

/** `deliver` it, `drop` it (counted as `intercept`), or replace its bytes. */
export type InterceptVerdict = 'deliver' | 'drop' | { readonly data: Uint8Array }

/** Called once per datagram, synchronously inside `send`, before any link sees it. */
export type Intercept = (datagram: InterceptedDatagram) => InterceptVerdict
