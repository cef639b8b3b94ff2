import type { Endpoint } from './endpoint.js'

export type SimStreamState = 'connecting' | 'open' | 'closed'

/**
 * Why a stream closed: `local` (this end called `close`), `remote` (the other end did),
 * `timeout` (the path stayed broken for the network's `streamTimeoutMs`, or the connect never
 * got through, e.g. into a NAT without a forward), `refused` (nothing listens on the port).
 */
export type SimStreamCloseReason = 'local' | 'remote' | 'timeout' | 'refused'

export interface SimStreamEvents {
  /** The connecting end is open (handshake done). Accepted ends start open and never see it. */
  connect: () => void
  /** Bytes in write order; the buffer is owned by the listener. */
  data: (data: Buffer) => void
  /** Once, last. */
  close: (reason: SimStreamCloseReason) => void
}

/** @internal The connection behind both ends of a stream. */
export interface StreamCarrier {
  write(side: 0 | 1, data: Buffer): void
  close(side: 0 | 1): void
}

type ListenerLists = { [K in keyof SimStreamEvents]: SimStreamEvents[K][] }

/**
 * One end of a reliable, ordered byte stream between simulated hosts (a control connection).
 * Bytes arrive after the path's delay, in order, never lost while the path works; if the path is
 * partitioned they wait, and the stream closes with `timeout` if it stays broken too long.
 * Events come from the virtual clock, never from inside `write` or `close`. Data arriving while
 * no `data` listener is registered is discarded.
 */
export class SimStream {
  private stateNow: SimStreamState
  private readonly listeners: ListenerLists = { connect: [], data: [], close: [] }

  /** @internal Use `SimHost.connect` or `SimHost.listen`. */
  constructor(
    private readonly carrier: StreamCarrier,
    /** @internal 0 for the connecting end, 1 for the accepted end. */
    readonly side: 0 | 1,
    /** This end's address and port on its own host. */
    readonly localEndpoint: Endpoint,
    /** The other end as this host sees it: as dialled, or the dialler after NAT. */
    readonly remoteEndpoint: Endpoint,
    state: SimStreamState,
  ) {
    this.stateNow = state
  }

  get state(): SimStreamState {
    return this.stateNow
  }

  on<K extends keyof SimStreamEvents>(event: K, listener: SimStreamEvents[K]): this {
    this.listeners[event].push(listener)
    return this
  }

  off<K extends keyof SimStreamEvents>(event: K, listener: SimStreamEvents[K]): this {
    const list = this.listeners[event] as SimStreamEvents[K][]
    const i = list.indexOf(listener)
    if (i >= 0) list.splice(i, 1)
    return this
  }

  /** Queues a copy of `data`; false (and nothing sent) once this end is closed. */
  write(data: Uint8Array): boolean {
    if (this.stateNow === 'closed') return false
    this.carrier.write(this.side, Buffer.from(data))
    return true
  }

  /** Half-close then close: bytes already written still arrive, then the other end sees `remote`. */
  close(): void {
    if (this.stateNow === 'closed') return
    this.stateNow = 'closed'
    this.carrier.close(this.side)
  }

  /** @internal */
  markOpen(): void {
    if (this.stateNow === 'connecting') this.stateNow = 'open'
  }

  /** @internal Closes without telling the carrier (the carrier decided). */
  markClosed(): void {
    this.stateNow = 'closed'
  }

  /** @internal */
  emitConnect(): void {
    for (const l of this.listeners.connect.slice()) l()
  }

  /** @internal */
  emitData(data: Buffer): void {
    const list = this.listeners.data
    if (list.length === 1) list[0](data)
    else for (const l of list.slice()) l(Buffer.from(data))
  }

  /** @internal */
  emitClose(reason: SimStreamCloseReason): void {
    for (const l of this.listeners.close.slice()) l(reason)
  }
}

/** A listening port; `close` stops accepting (open streams stay open). */
export class SimListener {
  private open = true

  /** @internal Use `SimHost.listen`. */
  constructor(
    readonly port: number,
    /** @internal */ readonly onConnection: (stream: SimStream) => void,
    private readonly release: () => void,
  ) {}

  get closed(): boolean {
    return !this.open
  }

  close(): void {
    if (!this.open) return
    this.open = false
    this.release()
  }
}
