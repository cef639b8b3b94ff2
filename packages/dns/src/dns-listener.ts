// The DNS server: a UDP socket and a TCP listener on one address and port, both handing each
// query to the QueryHandler. Nothing a client sends throws out of here: a query that breaks the
// handler is dropped, counted as `internal` and logged; socket errors are logged and survived.
//
//   UDP  datagram -> handle -> one datagram back to its source
//   TCP  2-byte length frames (RFC 1035 4.2.2), queries pipelined and answered as they finish
//        (RFC 7766: ids tell them apart); idle connections closed; at most `maxTcpConnections`

import dgram from 'node:dgram'
import net from 'node:net'
import {
  DEFAULT_MAX_TCP_CONNECTIONS, DEFAULT_TCP_IDLE_TIMEOUT_MS, MAX_TCP_PIPELINE, PORT_ATTEMPTS,
} from './constants.js'
import { DnsError } from './errors.js'
import type { DnsCounters } from './dns-stats.js'
import type { QueryHandler, Transport } from './query-handler.js'

/** The one logging call the server makes (pino's `warn` fits). */
export interface DnsLogger {
  warn(obj: object, msg: string): void
}

export interface ListenInit {
  address: string
  port: number
  maxTcpConnections?: number
  tcpIdleTimeoutMs?: number
}

/** The sockets, once bound. */
export class DnsListener {
  private udp: dgram.Socket | null = null
  private tcp: net.Server | null = null
  private readonly connections = new Set<net.Socket>()

  constructor(
    private readonly handler: QueryHandler,
    private readonly counters: DnsCounters,
    private readonly logger: DnsLogger | undefined,
  ) {}

  get tcpConnections(): number {
    return this.connections.size
  }

  /** Binds UDP then TCP on the same port (with port 0: the same free port, tried a few times). */
  async listen(init: ListenInit): Promise<{ address: string, port: number }> {
    const family = net.isIP(init.address) === 6 ? 'udp6' : 'udp4'
    let lastError: unknown
    for (let attempt = 0; attempt < (init.port === 0 ? PORT_ATTEMPTS : 1); attempt++) {
      const udp = dgram.createSocket({ type: family })
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject)
          udp.bind(init.port, init.address, () => { udp.off('error', reject); resolve() })
        })
        const port = udp.address().port
        const tcp = net.createServer({ pauseOnConnect: false }, (socket) => this.accept(socket, init.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS))
        tcp.maxConnections = init.maxTcpConnections ?? DEFAULT_MAX_TCP_CONNECTIONS
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject)
          tcp.listen({ port, host: init.address, exclusive: true }, () => { tcp.off('error', reject); resolve() })
        })
        udp.on('error', (err) => this.logger?.warn({ err: err.message }, 'dns udp socket error'))
        udp.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo))
        tcp.on('error', (err) => this.logger?.warn({ err: err.message }, 'dns tcp listener error'))
        this.udp = udp
        this.tcp = tcp
        return { address: init.address, port }
      } catch (err) {
        lastError = err
        try { udp.close() } catch { /* not bound */ }
      }
    }
    throw new DnsError('ERR_LISTEN', `cannot listen for DNS on ${init.address} port ${init.port} (${(lastError as Error)?.message}); free the port or pick another address`, { cause: lastError })
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy()
    const udp = this.udp
    const tcp = this.tcp
    this.udp = null
    this.tcp = null
    await Promise.all([
      udp === null ? undefined : new Promise<void>((resolve) => udp.close(() => resolve())),
      tcp === null ? undefined : new Promise<void>((resolve) => tcp.close(() => resolve())),
    ])
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    void this.answer(msg, 'udp').then((reply) => {
      if (reply === null || this.udp === null) return
      this.udp.send(reply, rinfo.port, rinfo.address, (err) => { if (err) this.counters.drop('send-failed') })
    })
  }

  private accept(socket: net.Socket, idleMs: number): void {
    this.connections.add(socket)
    socket.setTimeout(idleMs, () => socket.destroy())
    socket.on('error', () => socket.destroy())
    socket.on('close', () => this.connections.delete(socket))
    let buffered = Buffer.alloc(0)
    let inProgress = 0
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const frame = buffered.subarray(2, 2 + buffered.readUInt16BE(0))
        buffered = buffered.subarray(2 + frame.length)
        if (++inProgress > MAX_TCP_PIPELINE) {
          this.counters.drop('tcp-pipeline')
          socket.destroy()
          return
        }
        void this.answer(Buffer.from(frame), 'tcp').then((reply) => {
          inProgress--
          if (reply === null || socket.destroyed) return
          const out = Buffer.alloc(2 + reply.length)
          out.writeUInt16BE(reply.length, 0)
          reply.copy(out, 2)
          socket.write(out, (err) => { if (err) this.counters.drop('send-failed') })
        })
      }
    })
  }

  /** The handler's reply, or null (counted and logged) if it threw. */
  private async answer(bytes: Buffer, transport: Transport): Promise<Buffer | null> {
    try {
      return await this.handler.handle(bytes, transport)
    } catch (err) {
      this.counters.drop('internal')
      this.logger?.warn({ err: (err as Error)?.message ?? String(err), reason: 'internal' }, 'dropped a dns query: handling it failed')
      return null
    }
  }
}
