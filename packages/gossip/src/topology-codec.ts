// The topology channel's wire format. A message (full state or delta) is one msgpack map:
//
//   { "v": 1,                 format version (TOPOLOGY_FORMAT_VERSION)
//     "r": [ record, ... ] }  at most 16384 records, ids unique (encoded sorted by id)
//
//   record = { "i": bin 32     id (Ed25519 public key; hex in a PeerRecord)
//              "n": str        nickname
//              "s": bin 8      restartId (hex in a PeerRecord)
//              "v": uint       version, at most 2^53 - 1
//              "a": [ str ]    addresses (IP literals)
//              "u": uint       udpPort
//              "c": [ conn ] } connections
//
//   conn   = { "p": bin 32     peer
//              "a": str        address (ip:port or [ipv6]:port)
//              "o": bool       outbound
//              "e": bool       established
//              "t": num | nil  rttMs }
//
// Every key is required and no other is allowed (a change of format bumps "v"). Maps are written
// with their keys in the order above, so equal records encode to equal bytes: the merge
// tie-break compares these bytes. Untrusted bytes pass scanMsgpack (plain msgpack only) before
// msgpackr sees them; one bad record rejects the whole message.

import {
  MAX_TOPOLOGY_NESTING_DEPTH, MAX_TOPOLOGY_RECORDS, PEER_ID_BYTES, RESTART_ID_BYTES, TOPOLOGY_FORMAT_VERSION,
} from './constants.js'
import { GossipError, describeValue, type BadPayloadReason } from './errors.js'
import { safePackr as packr, unpackUntrusted } from '@weft/wire'
import { checkPeerRecord, type PeerConnection, type PeerRecord } from './peer-record.js'

/** A topology state or delta: peer records by id. */
export type TopologyState = ReadonlyMap<string, PeerRecord>


const MESSAGE_KEYS = ['v', 'r']
const RECORD_KEYS = ['i', 'n', 's', 'v', 'a', 'u', 'c']
const CONNECTION_KEYS = ['p', 'a', 'o', 'e', 't']

function bad(reason: BadPayloadReason, what: string): GossipError {
  return new GossipError('ERR_BAD_PAYLOAD', `bad topology message: ${what}; dropped (the peer runs a broken or incompatible version)`, reason)
}

const badField = (what: string): GossipError => bad('bad-field', what)

/** Encodes a state or delta. Records must be valid (they are, if they came from this package). */
export function encodeTopology(state: TopologyState): Uint8Array {
  const records = [...state.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return packr.pack({ v: TOPOLOGY_FORMAT_VERSION, r: records.map(toWire) })
}

/** The canonical bytes of one record (the merge tie-break compares them). */
export function encodePeerRecord(record: PeerRecord): Uint8Array {
  return packr.pack(toWire(record))
}

/**
 * Decodes and validates a topology message. Throws `GossipError` `ERR_BAD_PAYLOAD` with reason
 * 'not-msgpack', 'bad-version' or 'bad-field' and a message naming the rule that failed.
 */
export function decodeTopology(bytes: Uint8Array): TopologyState {
  if (!(bytes instanceof Uint8Array)) throw bad('not-msgpack', `expected bytes, got ${describeValue(bytes)}`)
  const decoded = unpackUntrusted(bytes, MAX_TOPOLOGY_NESTING_DEPTH)
  if (!decoded.ok) throw bad('not-msgpack', decoded.problem)
  const message = exactMap(decoded.value, MESSAGE_KEYS, 'the message')
  if (message.v !== TOPOLOGY_FORMAT_VERSION) {
    throw bad('bad-version', `format version ${describeValue(message.v)}, expected ${TOPOLOGY_FORMAT_VERSION}`)
  }
  const list = message.r
  if (!Array.isArray(list) || list.length > MAX_TOPOLOGY_RECORDS) {
    throw badField(`records must be a list of at most ${MAX_TOPOLOGY_RECORDS}, got ${describeValue(list)}`)
  }
  const state = new Map<string, PeerRecord>()
  for (const item of list) {
    const record = checkPeerRecord(fromWire(item), badField)
    if (state.has(record.id)) throw badField(`record ${record.id.slice(0, 12)} appears twice`)
    state.set(record.id, record)
  }
  return state
}

function toWire(r: PeerRecord): Record<string, unknown> {
  return {
    i: Buffer.from(r.id, 'hex'),
    n: r.nickname,
    s: Buffer.from(r.restartId, 'hex'),
    v: r.version,
    a: r.addresses,
    u: r.udpPort,
    c: r.connections.map((c) => ({ p: Buffer.from(c.peer, 'hex'), a: c.address, o: c.outbound, e: c.established, t: c.rttMs })),
  }
}

/** Wire shape -> a record-shaped candidate (binary ids to hex); checkPeerRecord does the rest. */
function fromWire(value: unknown): unknown {
  const w = exactMap(value, RECORD_KEYS, 'a record')
  const connections = Array.isArray(w.c) ? w.c.map((c: unknown): Partial<PeerConnection> => {
    const m = exactMap(c, CONNECTION_KEYS, 'a connection')
    return { peer: hex(m.p, PEER_ID_BYTES, 'connection peer'), address: m.a as string, outbound: m.o as boolean, established: m.e as boolean, rttMs: m.t as number | null }
  }) : w.c
  return {
    id: hex(w.i, PEER_ID_BYTES, 'record id'),
    nickname: w.n,
    restartId: hex(w.s, RESTART_ID_BYTES, 'restartId'),
    version: w.v,
    addresses: w.a,
    udpPort: w.u,
    connections,
  }
}

function hex(value: unknown, length: number, what: string): string {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw badField(`${what} must be ${length} bytes, got ${describeValue(value)}`)
  }
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
}

/** `value` as a map holding exactly `keys`, or a bad-field error. */
function exactMap(value: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw badField(`${what} must be a map, got ${describeValue(value)}`)
  }
  const map = value as Record<string, unknown>
  const present = Object.keys(map)
  for (const key of keys) if (!Object.hasOwn(map, key)) throw badField(`${what} lacks its "${key}" field`)
  if (present.length !== keys.length) {
    const extra = present.find((k) => !keys.includes(k)) ?? '?'
    throw badField(`${what} has an unknown field ${describeValue(extra)}`)
  }
  return map
}
