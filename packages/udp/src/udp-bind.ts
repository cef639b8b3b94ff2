import dgram from 'node:dgram'
import { setDontFragment } from '@weft/tap'
import type { Bind, DatagramHandler, Endpoint } from './bind.js'
import { MAX_DATAGRAM_BYTES, SEND_RING_SLOTS, SOCKET_BUFFER_BYTES } from './constants.js'
import { UdpError } from './errors.js'
import { socketFd } from './socket-fd.js'

export interface UdpBindInit {
  /** Port to bind; 0 picks a free one. */
  port: number
  /** Address to bind (default '0.0.0.0'; '::' for dual stack). */
  address?: string
  /**
   * Set DF on every datagram and never let this host fragment one (IP_MTU_DISCOVER =
   * IP_PMTUDISC_PROBE, through the @weft/tap addon), so a datagram too big for the path is lost
   * rather than fragmented: what path-MTU probing needs to see. Default false. When it cannot be
   * set (no addon, the socket's fd out of reach), the bind still opens: `dontFragment` is then
   * false and `dontFragmentProblem` says why.
   */
  dontFragment?: boolean
}

/**
 * A `Bind` over one node:dgram socket. node:dgram may keep a reference to a buffer after `send`
 * returns (when the socket is backed up), so datagrams are copied into a ring of preallocated
 * slots: a slot is reused only after SEND_RING_SLOTS later sends.
 */
export class UdpBind implements Bind {
  private handler: DatagramHandler = () => {}
  private readonly ring: Buffer[] = []
  private next = 0
  private closed = false
  sendErrors = 0
  /** Whether DF is set on this socket's datagrams (`UdpBindInit.dontFragment`). */
  readonly dontFragment: boolean
  /** Why `dontFragment` was asked for and is not set; null otherwise. */
  readonly dontFragmentProblem: string | null

  private constructor(private readonly socket: dgram.Socket, readonly port: number, df: boolean, problem: string | null) {
    this.dontFragment = df
    this.dontFragmentProblem = problem
    for (let i = 0; i < SEND_RING_SLOTS; i++) this.ring.push(Buffer.allocUnsafe(MAX_DATAGRAM_BYTES))
    socket.on('message', (msg, rinfo) => this.handler(msg, { address: rinfo.address, port: rinfo.port }))
    socket.on('error', () => {
      this.sendErrors++
    })
  }

  static async open(init: UdpBindInit): Promise<UdpBind> {
    const address = init.address ?? '0.0.0.0'
    const socket = dgram.createSocket({
      type: address.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: SOCKET_BUFFER_BYTES,
      sendBufferSize: SOCKET_BUFFER_BYTES,
    })
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        reject(new UdpError('ERR_UDP_BIND', `cannot bind UDP ${address}:${init.port}: ${err.message}; is another weft router running?`))
      }
      socket.once('error', fail)
      socket.bind(init.port, address, () => {
        socket.off('error', fail)
        resolve()
      })
    })
    const problem = init.dontFragment ? trySetDontFragment(socket, address.includes(':') ? 6 : 4) : null
    return new UdpBind(socket, socket.address().port, init.dontFragment === true && problem === null, problem)
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler
  }

  send(data: Buffer, offset: number, length: number, to: Endpoint): void {
    if (this.closed || length > MAX_DATAGRAM_BYTES) {
      this.sendErrors++
      return
    }
    const slot = this.ring[this.next]
    this.next = (this.next + 1) % SEND_RING_SLOTS
    data.copy(slot, 0, offset, offset + length)
    this.socket.send(slot, 0, length, to.port, to.address, (err) => {
      if (err) this.sendErrors++
    })
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closed = true
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }
}

/** Sets DF on a bound socket; returns why it could not, or null. */
function trySetDontFragment(socket: dgram.Socket, family: 4 | 6): string | null {
  const fd = socketFd(socket)
  if (fd === undefined) return 'the socket\'s file descriptor is out of reach (node:dgram internals changed?)'
  try {
    setDontFragment(fd, family)
    return null
  } catch (err) {
    return (err as Error).message
  }
}

export function openUdpBind(init: UdpBindInit): Promise<UdpBind> {
  return UdpBind.open(init)
}
