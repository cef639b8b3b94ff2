import { randomInt } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import HyperDHT from 'hyperdht'
import { BOOTSTRAP_NODES } from 'hyperdht/lib/constants.js'
import Hyperswarm from 'hyperswarm'
import type { SwarmSocket } from 'hyperswarm'
import type { BootstrapList } from './bootstrap-list.js'
import { SWARM_DATAGRAM_MAX_BYTES, SWARM_LOOKUP_IDLE_MS, SWARM_LOOKUP_MS, SWARM_LOOKUP_TICK_MS, SWARM_MAX_PEERS } from './constants.js'
import { SwarmError } from './errors.js'

export interface SwarmRendezvousInit {
  /** The 32-byte rendezvous topic (`topicFromNetworkKey`). */
  topic: Buffer
  /** Where the DHT starts. Required: there is no default, public nodes only when named. */
  bootstrap: BootstrapList
  /** Ed25519 key pair (libsodium layout): the router's identity is its swarm identity. */
  keyPair: { publicKey: Buffer; secretKey: Buffer }
  /** UDP port of the DHT socket (default: any). */
  port?: number
  /** Address the DHT socket binds (default: all). */
  host?: string
}

/** One stream to a peer found on the topic; nothing on it is trusted before weft's handshake. */
export interface SwarmConnection {
  stream: Duplex
  /** True if we opened it: we run the initiator side of weft's handshake. */
  initiator: boolean
  /** The remote swarm key (untrusted until weft's handshake proves the same identity). */
  remotePublicKey: Buffer
  /** The remote UDP address the stream runs over, as we see it: `HOST:PORT`. */
  remoteAddress: string
  /**
   * The stream's unreliable datagrams (encrypted by the stream, no replay protection), or null
   * when the stream has none. Carries whole weft datagrams (at most SWARM_DATAGRAM_MAX_BYTES).
   */
  datagrams: SwarmDatagrams | null
}

/** Send and receive unordered messages on a swarm stream (structurally a @weft/udp DatagramChannel). */
export interface SwarmDatagrams {
  send(data: Uint8Array): void
  onMessage(handler: (data: Buffer) => void): void
}

/** One finished re-announce and lookup of the topic (for logs). */
export interface SwarmRefresh {
  /** Peers Hyperswarm knows on the topic (found by this or earlier lookups, or that dialled us). */
  peersKnown: number
  /** Open swarm streams when it finished. */
  connections: number
  /** How long the announce and lookup took (ms). */
  ms: number
  /** Why it failed, if it did (the next one runs anyway). */
  error?: string
}

export interface SwarmRendezvousEvents {
  connection: [SwarmConnection]
  refresh: [SwarmRefresh]
}

/**
 * Joins a Hyperswarm topic as client and server over a HyperDHT that always gets an explicit
 * bootstrap list, and hands every connection it finds to its listener as a plain duplex stream.
 */
export class SwarmRendezvous extends EventEmitter<SwarmRendezvousEvents> {
  private dht: HyperDHT | null = null
  private swarm: Hyperswarm | null = null
  private closed = false
  private lookupTimer: NodeJS.Timeout | null = null
  /** Re-announces and lookups finished since start (not counting the first announce). */
  refreshes = 0

  constructor(private readonly init: SwarmRendezvousInit) {
    super()
    if (init.topic.byteLength !== 32) throw new SwarmError('ERR_SWARM_STATE', `a swarm topic is 32 bytes, got ${init.topic.byteLength}`)
  }

  /** The bootstrap nodes handed to HyperDHT: never empty, never implicit. */
  static bootstrapNodes(list: BootstrapList): Array<{ host: string; port: number } | string> {
    if (list.kind === 'public') return [...BOOTSTRAP_NODES]
    if (list.nodes.length === 0) throw new SwarmError('ERR_SWARM_BOOTSTRAP', 'the swarm needs at least one bootstrap node')
    return list.nodes.map((n) => ({ host: n.host, port: n.port }))
  }

  /** Starts the DHT, joins the topic and resolves once the first announce is done. */
  async start(): Promise<void> {
    if (this.dht || this.closed) throw new SwarmError('ERR_SWARM_STATE', 'the swarm is already started or closed')
    const bootstrap = SwarmRendezvous.bootstrapNodes(this.init.bootstrap)
    const dht = new HyperDHT({ bootstrap, keyPair: this.init.keyPair, ...(this.init.port ? { port: this.init.port } : {}), ...(this.init.host ? { host: this.init.host } : {}) })
    this.dht = dht
    const swarm = new Hyperswarm({ dht, keyPair: this.init.keyPair, maxPeers: SWARM_MAX_PEERS })
    this.swarm = swarm
    swarm.on('connection', (socket) => this.onConnection(socket))
    const discovery = swarm.join(this.init.topic, { server: true, client: true })
    await discovery.flushed()
    // Hyperswarm looks a topic up again only every few minutes: two routers that joined at the
    // same moment would miss each other's announce, so look again soon while alone.
    // The random delay keeps two such routers from dialling each other at the same moment, a race
    // in which Hyperswarm can keep a stream on each end whose other end it dropped.
    // Each refresh keeps the session's flags (server and client): Hyperswarm then announces again
    // and reports the peers the same query finds. Refreshing as client only would switch the
    // session to client and unannounce us (lookupAndUnannounce): after its first lookup a lone
    // router would be invisible, and two routers met only if one looked while the other's
    // announce, a few seconds long, still stood.
    let next = Date.now() + jitter()
    let running = false
    this.lookupTimer = setInterval(() => {
      if (running || Date.now() < next) return
      running = true
      const started = Date.now()
      const done = (error?: string): void => {
        running = false
        next = Date.now() + (this.connectionCount === 0 ? jitter() : SWARM_LOOKUP_MS)
        this.refreshes++
        const peersKnown = this.swarm?.peers.size ?? 0
        this.emit('refresh', { peersKnown, connections: this.connectionCount, ms: Date.now() - started, ...(error === undefined ? {} : { error }) })
      }
      discovery.refresh().then(() => done(), (err: Error) => done(err.message))
    }, SWARM_LOOKUP_TICK_MS)
    this.lookupTimer.unref()
  }

  /** The number of open swarm streams. */
  get connectionCount(): number {
    return this.swarm?.connections.size ?? 0
  }

  /** Whether the DHT thinks we are behind a firewall or NAT (null before start). */
  get firewalled(): boolean | null {
    return this.dht ? this.dht.firewalled : null
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.lookupTimer) clearInterval(this.lookupTimer)
    await this.swarm?.destroy()
    await this.dht?.destroy()
  }

  private onConnection(socket: SwarmSocket): void {
    // errors are reported through 'close' by weft's connection; keep the stream from throwing
    socket.on('error', () => {})
    const raw = socket.rawStream
    this.emit('connection', {
      stream: socket,
      initiator: socket.isInitiator,
      remotePublicKey: socket.remotePublicKey,
      remoteAddress: raw ? `${raw.remoteHost}:${raw.remotePort}` : '?',
      datagrams: swarmDatagrams(socket),
    })
  }
}

/** The datagrams of a Hyperswarm stream (secret-stream `trySend` and 'message'), if it has them. */
function swarmDatagrams(socket: SwarmSocket): SwarmDatagrams | null {
  const trySend = socket.trySend
  if (typeof trySend !== 'function') return null
  let handler: (data: Buffer) => void = () => {}
  socket.on('message', (data: Buffer) => handler(data))
  return {
    send: (data) => {
      // the stream boxes `data` into a new buffer before it returns; closed streams drop it
      if (!socket.destroyed && data.length <= SWARM_DATAGRAM_MAX_BYTES) trySend.call(socket, data)
    },
    onMessage: (fn) => {
      handler = fn
    },
  }
}

/** A random wait before the next lookup while alone: 1 to 2 times SWARM_LOOKUP_IDLE_MS. */
function jitter(): number {
  return SWARM_LOOKUP_IDLE_MS + randomInt(SWARM_LOOKUP_IDLE_MS)
}
