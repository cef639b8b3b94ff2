// The `dns` channel's wire format. A message (full state or delta) is one msgpack map:
//
//   { "v": 1,                  format version (NAMES_FORMAT_VERSION)
//     "p": [ peer, ... ] }     at most 16384 peers, ids unique (encoded sorted by id)
//
//   peer  = { "i": bin 32      peer id (Ed25519 public key; hex in a NameEntry)
//             "f": uint        floor: every entry of the peer at this version or lower is gone
//             "e": [ entry ] } at most 65536, keys unique, every version above the floor
//
//   entry = { "n": str         name as registered (lowercase in a tombstone)
//             "a": bin 4 | 16  address
//             "c": str         container id ('' in a tombstone)
//             "v": uint        version, 1 to 2^53 - 1
//             "t": bool }      tombstone
//
// Every key is required and no other is allowed (a change of format bumps "v"). Peers are
// written sorted by id and entries by (lowercase name, address), so equal states encode to equal
// bytes. Untrusted bytes pass scanMsgpack (plain msgpack only) before msgpackr sees them; one bad
// entry rejects the whole message.

import { safePackr as packr, unpackUntrusted } from '@weft/wire'
import {
  MAX_NAMES_ENTRIES_PER_PEER, MAX_NAMES_NESTING_DEPTH, MAX_NAMES_PEERS, NAMES_FORMAT_VERSION, PEER_ID_BYTES,
} from './constants.js'
import { canonicalName, isName } from './dns-name.js'
import { NamesError, describeValue, type BadPayloadReason } from './errors.js'
import { formatIp, parseIp } from './ip-address.js'
import { entryKey, isContainerId, type NameEntry } from './name-entry.js'
import { sortedState, type NamesState, type PeerNames } from './names-state.js'


const MESSAGE_KEYS = ['v', 'p']
const PEER_KEYS = ['i', 'f', 'e']
const ENTRY_KEYS = ['n', 'a', 'c', 'v', 't']

function bad(reason: BadPayloadReason, what: string): NamesError {
  return new NamesError('ERR_BAD_PAYLOAD', `bad names message: ${what}; dropped (the peer runs a broken or incompatible version)`, reason)
}

const badField = (what: string): NamesError => bad('bad-field', what)

/** Encodes a state or delta. Entries must be valid (they are, if they came from this package). */
export function encodeNames(state: NamesState): Uint8Array {
  return packr.pack({
    v: NAMES_FORMAT_VERSION,
    p: sortedState(state).map(([peer, part]) => ({
      i: Buffer.from(peer, 'hex'),
      f: part.floor,
      e: part.entries.map((e) => ({ n: e.name, a: Buffer.from(parseIp(e.address)!), c: e.containerId, v: e.version, t: e.tombstone })),
    })),
  })
}

/**
 * Decodes and validates a names message. Throws `NamesError` `ERR_BAD_PAYLOAD` with reason
 * 'not-msgpack', 'bad-version' or 'bad-field' and a message naming the rule that failed.
 */
export function decodeNames(bytes: Uint8Array): NamesState {
  if (!(bytes instanceof Uint8Array)) throw bad('not-msgpack', `expected bytes, got ${describeValue(bytes)}`)
  const decoded = unpackUntrusted(bytes, MAX_NAMES_NESTING_DEPTH)
  if (!decoded.ok) throw bad('not-msgpack', decoded.problem)
  const message = exactMap(decoded.value, MESSAGE_KEYS, 'the message')
  if (message.v !== NAMES_FORMAT_VERSION) {
    throw bad('bad-version', `format version ${describeValue(message.v)}, expected ${NAMES_FORMAT_VERSION}`)
  }
  const list = message.p
  if (!Array.isArray(list) || list.length > MAX_NAMES_PEERS) {
    throw badField(`peers must be a list of at most ${MAX_NAMES_PEERS}, got ${describeValue(list)}`)
  }
  const state = new Map<string, PeerNames>()
  for (const item of list) {
    const [peer, part] = decodePeer(item)
    if (state.has(peer)) throw badField(`peer ${peer.slice(0, 12)} appears twice`)
    state.set(peer, part)
  }
  return state
}

function decodePeer(value: unknown): [string, PeerNames] {
  const w = exactMap(value, PEER_KEYS, 'a peer')
  if (!(w.i instanceof Uint8Array) || w.i.length !== PEER_ID_BYTES) {
    throw badField(`peer id must be ${PEER_ID_BYTES} bytes, got ${describeValue(w.i)}`)
  }
  const peer = Buffer.from(w.i.buffer, w.i.byteOffset, w.i.byteLength).toString('hex')
  const where = `peer ${peer.slice(0, 12)}`
  const floor = w.f
  if (!isVersion(floor, 0)) throw badField(`${where}: floor must be an integer 0 to 2^53 - 1, got ${describeValue(floor)}`)
  if (!Array.isArray(w.e) || w.e.length > MAX_NAMES_ENTRIES_PER_PEER) {
    throw badField(`${where}: entries must be a list of at most ${MAX_NAMES_ENTRIES_PER_PEER}, got ${describeValue(w.e)}`)
  }
  const keys = new Set<string>()
  const entries = w.e.map((item: unknown) => {
    const e = decodeEntry(item, peer, where)
    if (e.version <= floor) throw badField(`${where}: an entry at version ${e.version}, not above the floor ${floor}`)
    const key = entryKey(e)
    if (keys.has(key)) throw badField(`${where}: the entry ${describeValue(e.name)} ${e.address} appears twice`)
    keys.add(key)
    return e
  })
  return [peer, Object.freeze({ floor, entries: Object.freeze(entries) })]
}

function decodeEntry(value: unknown, owner: string, where: string): NameEntry {
  const w = exactMap(value, ENTRY_KEYS, `${where}: an entry`)
  const { n: name, c: containerId, v: version, t: tombstone } = w
  if (!isName(name)) throw badField(`${where}: entry name ${describeValue(name)} is not a valid name`)
  if (!(w.a instanceof Uint8Array) || (w.a.length !== 4 && w.a.length !== 16)) {
    throw badField(`${where}: entry address must be 4 or 16 bytes, got ${describeValue(w.a)}`)
  }
  if (!isContainerId(containerId)) throw badField(`${where}: container id ${describeValue(containerId)} is not 0-128 printable ASCII characters`)
  if (!isVersion(version, 1)) throw badField(`${where}: entry version must be an integer 1 to 2^53 - 1, got ${describeValue(version)}`)
  if (typeof tombstone !== 'boolean') throw badField(`${where}: tombstone must be a boolean, got ${describeValue(tombstone)}`)
  if (tombstone && (containerId !== '' || name !== canonicalName(name))) {
    throw badField(`${where}: a tombstone must have a lowercase name and no container id`)
  }
  return Object.freeze({ owner, name, address: formatIp(w.a), containerId, version, tombstone })
}

function isVersion(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min
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
