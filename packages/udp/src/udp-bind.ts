import dgram from 'node:dgram'
import type { Bind, DatagramHandler, Endpoint } from './bind.js'
import { MAX_DATAGRAM_BYTES, SEND_RING_SLOTS, SOCKET_BUFFER_BYTES } from './constants.js'
import { UdpError } from './errors.js'

export interface UdpBindInit {
  /** Port to bind; 0 picks a free one. */
  port: number
  /** Address to bind (default '0.0.0.0'; '::' for dual stack). */
  address?: string
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

  private constructor(private readonly socket: dgram.Socket, readonly port: number) {
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
    return new UdpBind(socket, socket.address().port)
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

export function openUdpBind(init: UdpBindInit): Promise<UdpBind> {
  return UdpBind.open(init)
}
