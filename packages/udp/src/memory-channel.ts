import type { DatagramChannel } from './carrier-bind.js'

/**
 * One end of an in-memory `DatagramChannel` pair (tests): messages are copied and delivered to
 * the other end on a microtask; `cut` drops everything sent while it is true.
 */
export class MemoryChannel implements DatagramChannel {
  private handler: (data: Buffer) => void = () => {}
  peer: MemoryChannel | undefined
  cut = false
  sent = 0

  send(data: Uint8Array): void {
    this.sent++
    const other = this.peer
    if (this.cut || other === undefined) return
    const copy = Buffer.from(data)
    queueMicrotask(() => other.handler(copy))
  }

  onMessage(handler: (data: Buffer) => void): void {
    this.handler = handler
  }
}

/** Two connected ends of an in-memory datagram channel. */
export function memoryChannelPair(): [MemoryChannel, MemoryChannel] {
  const a = new MemoryChannel()
  const b = new MemoryChannel()
  a.peer = b
  b.peer = a
  return [a, b]
}
