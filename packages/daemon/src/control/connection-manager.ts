import { randomBytes, randomInt } from 'node:crypto'
import net from 'node:net'
import type { Duplex } from 'node:stream'
import type { ConnectionInfo, TargetInfo } from '@weft/api'
import type { Identity } from '@weft/crypto'
import type { Datapath } from '@weft/datapath'
import type { CarrierBind, DatagramChannel, Endpoint } from '@weft/udp'
import type { ControlMessage } from '@weft/wire'
import type { Logger } from 'pino'
import {
  CONNECTION_IDLE_TIMEOUT_MS, DEFAULT_CONNECTION_LIMIT, HEARTBEAT_INTERVAL_MS, OLD_SESSION_GRACE_MS, PROTOCOL_VERSION, REKEY_AFTER_MS,
} from '../constants.js'
import { parsePeerAddress, plainAddress } from '../peer-address.js'
import { ControlConnection } from './control-connection.js'
import { PeerLink } from './peer-link.js'
import { SessionRekey } from './session-rekey.js'
import { TargetDialer } from './target-dialer.js'

export const ENCRYPTION = 'Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b + ChaCha20-Poly1305'

/** What the mesh layer (gossip, routing, relayed sessions) hears from the connections. */
export interface MeshHooks {
  linkUp(peer: string): void
  linkDown(peer: string): void
  gossipReceived(peer: string, channel: string, payload: Uint8Array): void
  routed(peer: string, msg: Extract<ControlMessage, { t: 'routed' }>): void
}

/** One established neighbour, as the topology record reports it. */
export interface NeighbourInfo {
  peer: string
  address: string
  outbound: boolean
  rttMs: number | null
}

export interface ConnectionManagerInit {
  nickname: string
  port: number
  mtu: number
  restartId: string
  /** Most control connections at once, in either direction (default DEFAULT_CONNECTION_LIMIT). */
  connectionLimit?: number
  /** Rekey a data session after this long (ms, default REKEY_AFTER_MS). */
  rekeyAfterMs?: number
  /** How long a replaced session keeps receiving (ms, default OLD_SESSION_GRACE_MS). */
  oldSessionGraceMs?: number
}

export interface ConnectionManagerComponents {
  identity: Identity
  networkKeys: readonly Buffer[]
  datapath: Datapath
  logger: Logger
  /** Where the datagram channels of swarm streams are attached, one per neighbour (default: not used). */
  carriers?: CarrierBind
  /** Called for every counted event (handshake failures, bad messages) for metrics. */
  count?: (event: 'handshake_failure' | 'bad_message' | 'duplicate' | 'established' | 'rekey', reason?: string) => void
}

/**
 * Control connections: accepts and dials, runs handshakes, exchanges `hello`, installs data
 * sessions, keeps heartbeats, resolves duplicate connections, and retries targets.
 */
export class ConnectionManager {
  private readonly links = new Set<PeerLink>()
  /** The established link carrying each peer's session. */
  private readonly byPeer = new Map<string, PeerLink>()
  private readonly dialer: TargetDialer
  private readonly rekey: SessionRekey
  private server: net.Server | null = null
  private heartbeat: NodeJS.Timeout | null = null
  private readonly selfId: string
  /** Targets found by discovery, not by the user: not persisted. */
  private readonly discovered = new Set<string>()
  /** Our underlay addresses as neighbours see them (from their `hello`). */
  private readonly observed = new Map<string, string>()
  hooks: MeshHooks | null = null

  constructor(private readonly init: ConnectionManagerInit, private readonly c: ConnectionManagerComponents) {
    this.selfId = c.identity.publicKey.toString('hex')
    this.dialer = new TargetDialer((address) => this.dial(address))
    this.rekey = new SessionRekey(
      { rekeyAfterMs: init.rekeyAfterMs ?? REKEY_AFTER_MS, graceMs: init.oldSessionGraceMs ?? OLD_SESSION_GRACE_MS },
      { datapath: c.datapath, count: c.count, newIndex: () => this.newIndex(), isOpen: (l) => this.links.has(l) },
    )
  }

  async listen(): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ port: this.init.port, host: '::', ipv6Only: false }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err) => this.c.logger.error({ err: err.message }, 'control listener failed'))
    this.server = server
    this.heartbeat = setInterval(() => this.tick(), HEARTBEAT_INTERVAL_MS)
  }

  addTarget(address: string): void {
    this.dialer.add(address)
  }

  removeTarget(address: string): boolean {
    this.discovered.delete(address)
    return this.dialer.remove(address)
  }

  /** Dials an address learnt from gossip (kept until `forgetDiscovered`). */
  addDiscovered(address: string): void {
    if (this.dialer.has(address) || this.links.size >= this.limit) return
    this.discovered.add(address)
    this.dialer.add(address)
  }

  /** Stops dialling a discovered address (user targets are left alone). */
  forgetDiscovered(address: string): void {
    if (this.discovered.delete(address)) this.dialer.remove(address)
  }

  discoveredTargets(): string[] {
    return [...this.discovered]
  }

  /** Whether `peer` has an established direct connection. */
  isNeighbour(peer: string): boolean {
    return this.byPeer.get(peer)?.state === 'established'
  }

  neighbours(): NeighbourInfo[] {
    const out: NeighbourInfo[] = []
    for (const [peer, l] of this.byPeer) {
      if (l.state !== 'established' || !l.udpEndpoint) continue
      // where its datagrams come from now (behind a NAT: its mapped endpoint, a hole-punch candidate)
      const seen = this.c.datapath.directEndpoint(peer)
      const address = seen ? (seen.address.includes(':') ? `[${seen.address}]:${seen.port}` : `${seen.address}:${seen.port}`) : l.udpEndpoint
      out.push({ peer, address, outbound: l.direction === 'outbound', rttMs: l.rttMs })
    }
    return out
  }

  /** Our underlay addresses as our neighbours see them. */
  observedAddresses(): string[] {
    return [...new Set(this.observed.values())]
  }

  /** Sends a control message to an established neighbour; false if there is none. */
  sendTo(peer: string, msg: ControlMessage): boolean {
    const l = this.byPeer.get(peer)
    if (!l || l.state !== 'established') return false
    l.conn.send(msg)
    return true
  }

  targets(): TargetInfo[] {
    return this.dialer.list().map((t) => ({ ...t, discovered: this.discovered.has(t.address) }))
  }

  connections(): ConnectionInfo[] {
    const stats = new Map(this.c.datapath.sessionStats().map((s) => [s.peer, s]))
    return [...this.links].map((l) => {
      const current = l.peerId !== null && this.byPeer.get(l.peerId) === l
      return l.toInfo(ENCRYPTION, current ? stats.get(l.peerId!) : undefined, current && this.c.datapath.carrierOf(l.peerId!) !== undefined)
    })
  }

  peers(): Array<{ id: string; nickname: string }> {
    return [...this.byPeer].map(([id, l]) => ({ id, nickname: l.hello?.nickname ?? '' }))
  }

  async close(): Promise<void> {
    this.dialer.stop()
    if (this.heartbeat) clearInterval(this.heartbeat)
    for (const l of this.links) {
      l.conn.send({ t: 'goodbye', reason: 'router stopping' })
      l.conn.close('router stopping')
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private dial(address: string): void {
    let host: string
    let port: number
    try {
      ({ host, port } = parsePeerAddress(address))
    } catch (err) {
      this.dialer.failed(address, (err as Error).message)
      return
    }
    const socket = net.connect({ host, port })
    socket.once('connect', () => this.c.logger.debug({ endpoint: address }, 'control connection opened'))
    this.adopt(socket, address, 'outbound', address)
  }

  private get limit(): number {
    return this.init.connectionLimit ?? DEFAULT_CONNECTION_LIMIT
  }

  private accept(socket: net.Socket): void {
    const address = `${plainAddress(socket.remoteAddress ?? '?')}:${socket.remotePort ?? 0}`
    if (this.links.size >= this.limit) {
      this.c.count?.('handshake_failure', 'connection_limit')
      this.c.logger.warn({ endpoint: address, reason: `connection limit ${this.limit}` }, 'refused a connection')
      socket.destroy()
      return
    }
    this.adopt(socket, address, 'inbound', null)
  }

  /**
   * Runs weft's handshake and the control protocol over any duplex stream found by another
   * source (the swarm): nothing on it is trusted before the Noise XXpsk0 handshake completes.
   */
  adoptStream(stream: Duplex, init: { address: string; remoteHost: string; initiator: boolean; via: string; datagrams?: DatagramChannel | null }): void {
    if (this.links.size >= this.limit) {
      this.c.count?.('handshake_failure', 'connection_limit')
      stream.destroy()
      return
    }
    this.adopt(stream, init.address, init.initiator ? 'outbound' : 'inbound', null, init.remoteHost, init.via, init.datagrams ?? null)
  }

  /** The carrier endpoint of `peer`'s swarm stream datagrams, if its connection has them. */
  carrierOf(peer: string): Endpoint | undefined {
    return this.c.carriers?.endpointOf(peer)
  }

  private adopt(
    socket: net.Socket | Duplex, address: string, direction: 'outbound' | 'inbound', target: string | null, remoteHost?: string, via = 'tcp',
    datagrams: DatagramChannel | null = null,
  ): void {
    const conn = new ControlConnection({
      socket,
      remoteHost,
      role: direction === 'outbound' ? 'initiator' : 'responder',
      identity: this.c.identity,
      networkKeys: this.c.networkKeys,
    })
    const link = new PeerLink(conn, address, direction, target, Date.now())
    link.via = via
    link.datagrams = datagrams
    this.links.add(link)
    conn.on('established', () => this.onEstablished(link))
    conn.on('message', (msg) => this.onMessage(link, msg))
    conn.on('badMessage', (err) => {
      this.c.count?.('bad_message')
      this.c.logger.warn({ endpoint: address, err: err.message }, 'dropped a bad control message')
    })
    conn.on('close', (reason, duringHandshake) => this.onClose(link, reason, duringHandshake))
  }

  private onEstablished(link: PeerLink): void {
    const peerId = link.conn.remotePublicKey!.toString('hex')
    link.peerId = peerId
    link.lastHeardAt = Date.now()
    if (peerId === this.selfId) {
      link.conn.close('connected to ourselves')
      return
    }
    const localIndex = this.newIndex()
    link.localIndex = localIndex
    link.conn.send({
      t: 'hello',
      version: PROTOCOL_VERSION,
      nickname: this.init.nickname,
      restartId: this.init.restartId,
      udpPort: this.init.port,
      sessionIndex: localIndex,
      mtu: this.init.mtu,
      // the peer's address as we see it: how a peer learns its externally seen address
      addresses: seenAddress(link.conn.remoteHost),
    })
    link.helloSent = true
  }

  private onMessage(link: PeerLink, msg: ControlMessage): void {
    link.lastHeardAt = Date.now()
    switch (msg.t) {
      case 'hello':
        this.onHello(link, msg)
        break
      case 'ping':
        link.conn.send({ t: 'pong', id: msg.id, sentAt: msg.sentAt })
        break
      case 'pong':
        link.addRttSample(Math.max(0, Date.now() - msg.sentAt))
        break
      case 'goodbye':
        link.conn.close(`peer said goodbye: ${msg.reason}`)
        break
      case 'rekey':
        this.rekey.onMessage(link, msg)
        break
      case 'gossip':
        if (link.state === 'established' && link.peerId) this.hooks?.gossipReceived(link.peerId, msg.channel, msg.payload)
        break
      case 'routed':
        if (link.state === 'established' && link.peerId) this.hooks?.routed(link.peerId, msg)
        break
      default:
        break
    }
  }

  private onHello(link: PeerLink, hello: Extract<ControlMessage, { t: 'hello' }>): void {
    if (link.hello || link.localIndex === null || !link.peerId) {
      this.c.count?.('bad_message', 'unexpected hello')
      return
    }
    link.hello = hello
    const peerId = link.peerId
    const existing = this.byPeer.get(peerId)
    if (existing && existing !== link) {
      // Both ends dialled: keep the connection initiated by the smaller identity, on both ends.
      const keepNew = this.initiatorId(link) < this.initiatorId(existing)
      const loser = keepNew ? existing : link
      this.c.count?.('duplicate')
      if (loser.target) this.dialer.connected(loser.target, peerId)
      loser.state = 'failed'
      loser.info = 'duplicate connection'
      loser.conn.close('duplicate connection')
      if (!keepNew) return
    }
    const host = plainAddress(link.conn.remoteHost)
    const endpoint = { address: host, port: hello.udpPort }
    const { send, receive } = link.conn.dataKeys!
    link.keys = link.conn.role === 'initiator'
      ? { initiatorToResponder: send, responderToInitiator: receive }
      : { initiatorToResponder: receive, responderToInitiator: send }
    link.sessionStartedAt = Date.now()
    this.c.datapath.addSession(peerId, { localIndex: link.localIndex, remoteIndex: hello.sessionIndex, sendKey: send, receiveKey: receive }, endpoint, hello.mtu)
    if (link.datagrams) this.c.carriers?.attach(peerId, link.datagrams)
    this.byPeer.set(peerId, link)
    link.state = 'established'
    link.establishedAt = Date.now()
    link.udpEndpoint = `${host.includes(':') ? `[${host}]` : host}:${hello.udpPort}`
    link.mtu = this.c.datapath.mtuFor(peerId)
    if (link.target) this.dialer.connected(link.target, peerId)
    if (hello.addresses[0]) this.observed.set(peerId, hello.addresses[0])
    this.c.count?.('established')
    this.hooks?.linkUp(peerId)
    this.c.logger.info({ peer: peerId.slice(0, 12), nickname: hello.nickname, endpoint: link.address, direction: link.direction }, 'connection established')
  }

  private onClose(link: PeerLink, reason: string, duringHandshake: boolean): void {
    this.links.delete(link)
    if (link.peerId && link.datagrams) this.c.carriers?.detach(link.peerId, link.datagrams)
    if (link.info === 'duplicate connection') {
      // the peer stays connected through the link that won: retire only this link's session
      if (link.peerId && this.byPeer.get(link.peerId) === link) this.byPeer.delete(link.peerId)
      if (link.localIndex !== null && this.c.datapath.hasIndex(link.localIndex)) this.c.datapath.removeSession(link.localIndex)
      return
    }
    if (duringHandshake) {
      this.c.count?.('handshake_failure', reason.startsWith('handshake failed') ? 'rejected' : 'closed')
      this.c.logger.warn({ endpoint: link.address, direction: link.direction, reason }, 'handshake failed')
    }
    if (link.peerId && this.byPeer.get(link.peerId) === link) {
      this.byPeer.delete(link.peerId)
      this.observed.delete(link.peerId)
      this.c.datapath.removePeer(link.peerId)
      this.dialer.peerLost(link.peerId, reason)
      this.hooks?.linkDown(link.peerId)
      this.c.logger.info({ peer: link.peerId.slice(0, 12), endpoint: link.address, reason }, 'connection lost')
    } else if (link.localIndex !== null && this.c.datapath.hasIndex(link.localIndex)) {
      this.c.datapath.removeSession(link.localIndex)
    }
    if (link.target) this.dialer.failed(link.target, reason)
  }

  private tick(): void {
    const now = Date.now()
    for (const l of this.links) {
      if (!l.conn.established) continue
      if (now - l.lastHeardAt > CONNECTION_IDLE_TIMEOUT_MS) {
        l.conn.close(`no heartbeat for ${CONNECTION_IDLE_TIMEOUT_MS} ms`)
        continue
      }
      l.conn.send({ t: 'ping', id: randomInt(2 ** 32 - 1), sentAt: now })
      if (l.state === 'established' && !l.rekeyPending && this.rekey.due(l, now)) this.rekey.start(l)
    }
  }

  private initiatorId(l: PeerLink): string {
    return l.direction === 'outbound' ? this.selfId : l.peerId!
  }

  /** A random session index in use by no session and no link. */
  newIndex(): number {
    for (;;) {
      const i = randomBytes(4).readUInt32LE(0)
      if (i !== 0 && !this.c.datapath.hasIndex(i) && ![...this.links].some((l) => l.localIndex === i)) return i
    }
  }
}

function seenAddress(remote: string | undefined): string[] {
  const a = plainAddress(remote ?? '')
  return net.isIP(a) ? [a] : []
}
