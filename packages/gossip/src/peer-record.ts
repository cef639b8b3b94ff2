// A peer's own record in the topology: who it is, where it can be reached, and the connections it
// has. Only the owner writes it (bumping `version`); everyone else keeps the newest copy.

import {
  MAX_NICKNAME_CHARS, MAX_PEER_ADDRESSES, MAX_PEER_CONNECTIONS, MAX_RTT_MS, PEER_ID_BYTES, RESTART_ID_BYTES,
} from './constants.js'
import { describeValue, type GossipError } from './errors.js'
import { isEndpointLiteral, isIpLiteral } from '@weft/wire'

/** One connection as its owner reports it. */
export interface PeerConnection {
  /** The other end's peer id (64 lowercase hex characters). */
  readonly peer: string
  /** The other end's underlay endpoint as the owner sees it: `ip:port` or `[ipv6]:port`. */
  readonly address: string
  /** Whether the owner dialled the connection. */
  readonly outbound: boolean
  /** Whether the handshake is done and the data session installed. */
  readonly established: boolean
  /** Last measured control round-trip time in milliseconds, or null before the first. */
  readonly rttMs: number | null
}

/** A peer's record. Records are frozen: replace them, never modify them. */
export interface PeerRecord {
  /** Ed25519 public key, 64 lowercase hex characters. */
  readonly id: string
  /** 1-64 UTF-16 code units. */
  readonly nickname: string
  /** Random per process start, 16 lowercase hex characters. */
  readonly restartId: string
  /** The owner's counter, 0 to 2^53 - 1; the higher version wins a merge. */
  readonly version: number
  /** Underlay IP literals (configured, or as others see it), at most 16, no duplicates. */
  readonly addresses: readonly string[]
  /** UDP port of the data path, 1-65535. */
  readonly udpPort: number
  /** At most 1024, at most one per peer, never to itself. */
  readonly connections: readonly PeerConnection[]
}

const PEER_ID = new RegExp(`^[0-9a-f]{${PEER_ID_BYTES * 2}}$`)
const RESTART_ID = new RegExp(`^[0-9a-f]{${RESTART_ID_BYTES * 2}}$`)

/** Whether `s` is a peer id: 64 lowercase hex characters. */
export function isPeerId(s: unknown): s is string {
  return typeof s === 'string' && PEER_ID.test(s)
}

/**
 * Checks a candidate record against every rule above and returns a fresh, deeply frozen copy
 * holding exactly the record's fields. Throws the error `fail` builds from what is wrong.
 */
export function checkPeerRecord(value: unknown, fail: (what: string) => GossipError): PeerRecord {
  const r = asObject(value, 'the record', fail)
  const field = (name: string): unknown => (Object.hasOwn(r, name) ? r[name] : undefined)
  const id = field('id')
  if (!isPeerId(id)) throw fail(`record id must be 64 lowercase hex characters, got ${describeValue(id)}`)
  const where = `record ${id.slice(0, 12)}`
  const nickname = field('nickname')
  if (typeof nickname !== 'string' || nickname.length < 1 || nickname.length > MAX_NICKNAME_CHARS) {
    throw fail(`${where}: nickname must be 1-${MAX_NICKNAME_CHARS} characters, got ${describeValue(nickname)}`)
  }
  const restartId = field('restartId')
  if (typeof restartId !== 'string' || !RESTART_ID.test(restartId)) {
    throw fail(`${where}: restartId must be ${RESTART_ID_BYTES * 2} lowercase hex characters, got ${describeValue(restartId)}`)
  }
  const version = field('version')
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw fail(`${where}: version must be an integer 0 to 2^53 - 1, got ${describeValue(version)}`)
  }
  const addresses = field('addresses')
  if (!Array.isArray(addresses) || addresses.length > MAX_PEER_ADDRESSES) {
    throw fail(`${where}: addresses must be a list of at most ${MAX_PEER_ADDRESSES}, got ${describeValue(addresses)}`)
  }
  for (const a of addresses) {
    if (typeof a !== 'string' || !isIpLiteral(a)) throw fail(`${where}: address ${describeValue(a)} is not an IP literal`)
  }
  if (new Set(addresses).size !== addresses.length) throw fail(`${where}: addresses repeat`)
  const udpPort = field('udpPort')
  if (typeof udpPort !== 'number' || !Number.isInteger(udpPort) || udpPort < 1 || udpPort > 0xffff) {
    throw fail(`${where}: udpPort must be 1-65535, got ${describeValue(udpPort)}`)
  }
  const connections = field('connections')
  if (!Array.isArray(connections) || connections.length > MAX_PEER_CONNECTIONS) {
    throw fail(`${where}: connections must be a list of at most ${MAX_PEER_CONNECTIONS}, got ${describeValue(connections)}`)
  }
  const seen = new Set<string>([id])
  const checked = connections.map((c: unknown) => {
    const conn = checkConnection(c, where, fail)
    if (seen.has(conn.peer)) throw fail(`${where}: connection to ${conn.peer.slice(0, 12)} is listed twice or is to itself`)
    seen.add(conn.peer)
    return conn
  })
  return Object.freeze({
    id, nickname, restartId, version,
    addresses: Object.freeze([...addresses] as string[]),
    udpPort,
    connections: Object.freeze(checked),
  })
}

function checkConnection(value: unknown, where: string, fail: (what: string) => GossipError): PeerConnection {
  const c = asObject(value, `${where}: a connection`, fail)
  const field = (name: string): unknown => (Object.hasOwn(c, name) ? c[name] : undefined)
  const peer = field('peer')
  if (!isPeerId(peer)) throw fail(`${where}: connection peer must be a peer id, got ${describeValue(peer)}`)
  const address = field('address')
  if (typeof address !== 'string' || !isEndpointLiteral(address)) {
    throw fail(`${where}: connection address must be ip:port or [ipv6]:port, got ${describeValue(address)}`)
  }
  const outbound = field('outbound')
  const established = field('established')
  if (typeof outbound !== 'boolean' || typeof established !== 'boolean') {
    throw fail(`${where}: connection outbound and established must be booleans`)
  }
  const rttMs = field('rttMs')
  if (rttMs !== null && (typeof rttMs !== 'number' || !Number.isFinite(rttMs) || rttMs < 0 || rttMs > MAX_RTT_MS)) {
    throw fail(`${where}: connection rttMs must be null or 0-${MAX_RTT_MS}, got ${describeValue(rttMs)}`)
  }
  // -0 becomes 0: equal records must encode to equal bytes
  return Object.freeze({ peer, address, outbound, established, rttMs: rttMs === null ? null : rttMs + 0 })
}

function asObject(value: unknown, what: string, fail: (what: string) => GossipError): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw fail(`${what} must be a map, got ${describeValue(value)}`)
  }
  return value as Record<string, unknown>
}

/** Whether two records have the same content (every field, connections in order). */
export function recordsEqual(a: PeerRecord, b: PeerRecord): boolean {
  if (a === b) return true
  if (a.id !== b.id || a.nickname !== b.nickname || a.restartId !== b.restartId || a.version !== b.version ||
    a.udpPort !== b.udpPort || a.addresses.length !== b.addresses.length || a.connections.length !== b.connections.length) {
    return false
  }
  for (let i = 0; i < a.addresses.length; i++) if (a.addresses[i] !== b.addresses[i]) return false
  for (let i = 0; i < a.connections.length; i++) {
    const x = a.connections[i]
    const y = b.connections[i]
    if (x.peer !== y.peer || x.address !== y.address || x.outbound !== y.outbound ||
      x.established !== y.established || x.rttMs !== y.rttMs) return false
  }
  return true
}
