// The `ipam` channel's wire format. A message (full state or delta) is one msgpack map:
//
//   { "v": 1,                      format version (IPAM_FORMAT_VERSION)
//     "g": ring | nil,             the ring, if the sender has one
//     "p": [ acceptor, ... ],      consensus records, peers unique (encoded sorted by peer)
//     "q": [ request, ... ] }      space requests, peers unique (encoded sorted by peer)
//
//   ring     = { "c": str          range CIDR ("10.32.0.0/12")
//                "h": bin 16       ring id: first 16 bytes of SHA-256 over range and seeds
//                "s": [bin 32] | nil   seed peers, sorted, unique (nil in most deltas)
//                "e": [ entry ] }  at most 65536, starts unique (encoded sorted by start)
//   entry    = [ start uint, end uint, owner bin 32, version uint, free uint ]
//              0 <= start < end <= range size, free <= end - start, version <= 2^53 - 1
//   acceptor = [ peer bin 32, promisedRound uint, promisedBy bin 32 | nil,
//                acceptedRound uint, acceptedBy bin 32 | nil, value [bin 32] | nil ]
//              round 0 <=> proposer nil; accepted ballot <= promised; value sorted, unique
//   request  = [ peer bin 32, seq uint, donor bin 32 | nil, start uint, end uint ]
//              donor nil => start = end = 0, else start < end <= range size
//
// Every key is required and no other allowed (a change of format bumps "v"). Untrusted bytes
// pass scanMsgpack (plain msgpack only, depth <= 4) before msgpackr sees them; one bad part
// rejects the whole message, and decoding never touches any state.

import { describeValue, safePackr, safeUnpackr, scanMsgpack } from '@weft/wire'
import {
  IPAM_FORMAT_VERSION, MAX_IPAM_NESTING_DEPTH, MAX_PEER_RECORDS, MAX_RING_ENTRIES, MAX_SEEDS, PEER_ID_BYTES, RING_ID_BYTES,
} from './constants.js'
import { IpamError, type BadPayloadReason } from './errors.js'
import { formatCidr, parseCidr, type Cidr } from './cidr.js'
import { compareIds, entry, type RingEntry } from './ring-entry.js'
import { ringIdOf, type RingState } from './ring.js'
import { NO_BALLOT, compareBallots, type AcceptorRecord, type Ballot } from './paxos.js'
import { spaceRequest, type SpaceRequest } from './space-request.js'
import { ipamState, type IpamState } from './ipam-state.js'

const MESSAGE_KEYS = ['v', 'g', 'p', 'q']
const RING_KEYS = ['c', 'h', 's', 'e']

function bad(reason: BadPayloadReason, what: string): IpamError {
  return new IpamError('ERR_BAD_PAYLOAD', `bad ipam message: ${what}; dropped (the peer runs a broken or incompatible version)`, reason)
}

const badField = (what: string): IpamError => bad('bad-field', what)
const bin = (hex: string): Buffer => Buffer.from(hex, 'hex')
const optBin = (hex: string | null): Buffer | null => (hex === null || hex === '' ? null : bin(hex))

/** Encodes a state or delta (canonical: equal states give equal bytes). */
export function encodeIpam(state: IpamState): Uint8Array {
  const r = state.ring
  const ring = r === null ? null : {
    c: formatCidr(r.range),
    h: bin(r.ringId),
    s: r.seeds === null ? null : r.seeds.map(bin),
    e: [...r.entries.values()].sort((a, b) => a.start - b.start).map((e) => [e.start, e.end, bin(e.owner), e.version, e.free]),
  }
  const byPeer = <T extends { peer: string }>(m: ReadonlyMap<string, T>): T[] => [...m.values()].sort((a, b) => compareIds(a.peer, b.peer))
  return safePackr.pack({
    v: IPAM_FORMAT_VERSION,
    g: ring,
    p: byPeer(state.paxos).map((a) => [
      bin(a.peer), a.promised.round, optBin(a.promised.proposer),
      a.accepted?.ballot.round ?? 0, optBin(a.accepted?.ballot.proposer ?? null), a.accepted === null ? null : a.accepted.value.map(bin),
    ]),
    q: byPeer(state.requests).map((q) => [bin(q.peer), q.seq, optBin(q.donor), q.start, q.end]),
  })
}

/**
 * Decodes and validates a message. Throws `IpamError` `ERR_BAD_PAYLOAD` with reason
 * 'not-msgpack', 'bad-version' or 'bad-field' and a message naming the rule that failed.
 */
export function decodeIpam(bytes: Uint8Array): IpamState {
  if (!(bytes instanceof Uint8Array)) throw bad('not-msgpack', `expected bytes, got ${describeValue(bytes)}`)
  const problem = scanMsgpack(bytes, MAX_IPAM_NESTING_DEPTH)
  if (problem !== null) throw bad('not-msgpack', problem)
  let value: unknown
  try {
    value = safeUnpackr.unpack(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  } catch (error) {
    throw bad('not-msgpack', `msgpack decoding failed (${(error as Error).message.slice(0, 80)})`)
  }
  const m = exactMap(value, MESSAGE_KEYS, 'the message')
  if (m.v !== IPAM_FORMAT_VERSION) throw bad('bad-version', `format version ${describeValue(m.v)}, expected ${IPAM_FORMAT_VERSION}`)
  const ring = m.g === null ? null : decodeRing(m.g)
  const paxos = new Map<string, AcceptorRecord>()
  for (const item of list(m.p, MAX_PEER_RECORDS, 'consensus records')) {
    const a = decodeAcceptor(item)
    if (paxos.has(a.peer)) throw badField(`consensus record of ${a.peer.slice(0, 12)} appears twice`)
    paxos.set(a.peer, a)
  }
  const requests = new Map<string, SpaceRequest>()
  for (const item of list(m.q, MAX_PEER_RECORDS, 'space requests')) {
    const q = decodeRequest(item)
    if (requests.has(q.peer)) throw badField(`space request of ${q.peer.slice(0, 12)} appears twice`)
    requests.set(q.peer, q)
  }
  return ipamState({ ring, paxos, requests })
}

function decodeRing(value: unknown): RingState {
  const g = exactMap(value, RING_KEYS, 'the ring')
  let range: Cidr
  try {
    range = parseCidr(g.c as string)
  } catch (error) {
    throw badField(`ring range: ${(error as Error).message}`)
  }
  const ringId = hex(g.h, RING_ID_BYTES, 'ring id')
  let seeds: string[] | null = null
  if (g.s !== null) {
    seeds = list(g.s, MAX_SEEDS, 'seeds').map((s) => hex(s, PEER_ID_BYTES, 'seed'))
    if (seeds.length === 0 || seeds.length > range.size) throw badField(`a ring of ${range.size} addresses cannot have ${seeds.length} seeds`)
    sortedUnique(seeds, 'seeds')
    if (ringIdOf(range, seeds) !== ringId) throw badField('the ring id does not match the range and seeds')
  }
  const entries = new Map<number, RingEntry>()
  for (const item of list(g.e, MAX_RING_ENTRIES, 'ring entries')) {
    const t = tuple(item, 5, 'a ring entry')
    const start = uint(t[0], range.size - 1, 'entry start')
    const end = uint(t[1], range.size, 'entry end')
    if (end <= start) throw badField(`entry ${start} ends at ${end}`)
    const e = entry(start, end, hex(t[2], PEER_ID_BYTES, 'entry owner'), uint(t[3], Number.MAX_SAFE_INTEGER, 'entry version'), uint(t[4], end - start, 'entry free count'))
    if (entries.has(start)) throw badField(`entry ${start} appears twice`)
    entries.set(start, e)
  }
  return Object.freeze({ range, ringId, seeds: seeds === null ? null : Object.freeze(seeds), entries })
}

function decodeBallot(round: unknown, proposer: unknown, what: string): Ballot {
  const r = uint(round, Number.MAX_SAFE_INTEGER, `${what} round`)
  if (r === 0) {
    if (proposer !== null) throw badField(`${what}: round 0 with a proposer`)
    return NO_BALLOT
  }
  return Object.freeze({ round: r, proposer: hex(proposer, PEER_ID_BYTES, `${what} proposer`) })
}

function decodeAcceptor(value: unknown): AcceptorRecord {
  const t = tuple(value, 6, 'a consensus record')
  const peer = hex(t[0], PEER_ID_BYTES, 'consensus peer')
  const promised = decodeBallot(t[1], t[2], 'promise')
  const acceptedBallot = decodeBallot(t[3], t[4], 'accepted ballot')
  let accepted: AcceptorRecord['accepted'] = null
  if (acceptedBallot.round === 0) {
    if (t[5] !== null) throw badField('a value without an accepted ballot')
  } else {
    if (compareBallots(acceptedBallot, promised) > 0) throw badField('an accepted ballot above the promise')
    const v = list(t[5], MAX_SEEDS, 'accepted value').map((s) => hex(s, PEER_ID_BYTES, 'value peer'))
    if (v.length === 0) throw badField('an empty accepted value')
    sortedUnique(v, 'accepted value')
    accepted = Object.freeze({ ballot: acceptedBallot, value: Object.freeze(v) })
  }
  return Object.freeze({ peer, promised, accepted })
}

function decodeRequest(value: unknown): SpaceRequest {
  const t = tuple(value, 5, 'a space request')
  const peer = hex(t[0], PEER_ID_BYTES, 'request peer')
  const seq = uint(t[1], Number.MAX_SAFE_INTEGER, 'request seq')
  const start = uint(t[3], 2 ** 32, 'request start')
  const end = uint(t[4], 2 ** 32, 'request end')
  if (t[2] === null) {
    if (start !== 0 || end !== 0) throw badField('a withdrawn request with a region')
    return spaceRequest(peer, seq, null, 0, 0)
  }
  if (end <= start) throw badField(`a request for [${start}, ${end})`)
  return spaceRequest(peer, seq, hex(t[2], PEER_ID_BYTES, 'request donor'), start, end)
}

function list(value: unknown, max: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length > max) throw badField(`${what} must be a list of at most ${max}, got ${describeValue(value)}`)
  return value
}

function tuple(value: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length !== length) throw badField(`${what} must be a list of ${length}, got ${describeValue(value)}`)
  return value
}

function uint(value: unknown, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw badField(`${what} must be an integer 0..${max}, got ${describeValue(value)}`)
  }
  return value
}

function hex(value: unknown, length: number, what: string): string {
  if (!(value instanceof Uint8Array) || value.length !== length) throw badField(`${what} must be ${length} bytes, got ${describeValue(value)}`)
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
}

function sortedUnique(ids: readonly string[], what: string): void {
  for (let i = 1; i < ids.length; i++) if (ids[i - 1] >= ids[i]) throw badField(`${what} must be sorted and unique`)
}

/** `value` as a map holding exactly `keys`, or a bad-field error. */
function exactMap(value: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw badField(`${what} must be a map, got ${describeValue(value)}`)
  }
  const map = value as Record<string, unknown>
  for (const key of keys) if (!Object.hasOwn(map, key)) throw badField(`${what} lacks its "${key}" field`)
  if (Object.keys(map).length !== keys.length) throw badField(`${what} has an unknown field`)
  return map
}
