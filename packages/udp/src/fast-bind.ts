import type { FastPath } from '@weft/tap'
import type { Bind, DatagramHandler, Endpoint } from './bind.js'
import { MAX_DATAGRAM_BYTES } from './constants.js'

/**
 * A `Bind` over the native fast path's UDP socket (@weft/tap `openFastPath`): JS sends through
 * the same socket the fast path uses, and receives what the fast path hands up. One socket, one
 * port: a peer sees the same endpoint whichever side handled a datagram. Sends are one sendto
 * each (copied by the kernel before `send` returns).
 */
export class FastBind implements Bind {
  private handler: DatagramHandler = () => {}
  sendErrors = 0
  readonly port: number
  /** Whether DF is set: as the fast path was opened (`FastPathInit.dontFragment`). */
  readonly dontFragment: boolean
  readonly dontFragmentProblem: string | null = null

  constructor(readonly fast: FastPath, dontFragment: boolean) {
    this.port = fast.port
    this.dontFragment = dontFragment
    fast.onRaw((data, address, port) => this.handler(data, { address, port }))
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler
  }

  send(data: Buffer, offset: number, length: number, to: Endpoint): void {
    if (length > MAX_DATAGRAM_BYTES || !this.fast.send(data, offset, length, to.address, to.port)) this.sendErrors++
  }

  close(): Promise<void> {
    this.fast.close()
    return Promise.resolve()
  }
}
