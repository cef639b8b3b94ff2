// Digests of the topology: what a peer holds, without the records, for anti-entropy by digest
// (docs/GOSSIP.md "Digests"). Three forms, plain bytes (big-endian), each starting with a kind:
//
//   summary   0x01 | count u32 | hash 16 bytes
//             hash = first 16 bytes of SHA-256 over the `entries` body below, for every record
//             held (sorted by id): equal summaries mean equal (id, restartId, version) sets
//   entries   0x02 | count u32 | count x ( id 32 | restartId 8 | version u64 )
//             every record held, ids strictly ascending, version <= 2^53 - 1
//   wants     0x03 | count u32 | count x ( id 32 )
//             ids whose records the sender asks for, strictly ascending
//
// count <= MAX_TOPOLOGY_RECORDS and the length must be exact; anything else is rejected with
// ERR_BAD_PAYLOAD (the engine counts it as a `bad-digest` drop).

import { createHash } from 'node:crypto'
import { MAX_TOPOLOGY_RECORDS, PEER_ID_BYTES, RESTART_ID_BYTES, TOPOLOGY_DIGEST_HASH_BYTES } from './constants.js'
import { GossipError } from './errors.js'
import type { PeerRecord } from './peer-record.js'

export const DIGEST_SUMMARY = 0x01
export const DIGEST_ENTRIES = 0x02
export const DIGEST_WANTS = 0x03

const HEADER_BYTES = 5
/** Where the hash starts in a `summary` digest. */
export const SUMMARY_HASH_OFFSET = HEADER_BYTES
const ENTRY_BYTES = PEER_ID_BYTES + RESTART_ID_BYTES + 8

/** One (id, restartId, version) of an `entries` digest, ids and restartIds in hex. */
export interface DigestEntry {
  readonly restartId: string
  readonly version: number
}

export type TopologyDigest =
  | { readonly kind: 'summary'; readonly count: number; readonly hash: string }
  | { readonly kind: 'entries'; readonly entries: ReadonlyMap<string, DigestEntry> }
  | { readonly kind: 'wants'; readonly ids: readonly string[] }

function bad(what: string): GossipError {
  return new GossipError('ERR_BAD_PAYLOAD', `bad topology digest: ${what}; dropped (the peer runs a broken or incompatible version)`, 'bad-field')
}

function header(kind: number, count: number, bodyBytes: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + bodyBytes)
  out[0] = kind
  out.writeUInt32BE(count, 1)
  return out
}

/** The `entries` digest of `records` (any order; written sorted by id). */
export function encodeDigestEntries(records: Iterable<PeerRecord>): Uint8Array {
  const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const out = header(DIGEST_ENTRIES, sorted.length, sorted.length * ENTRY_BYTES)
  let at = HEADER_BYTES
  for (const r of sorted) {
    out.write(r.id, at, PEER_ID_BYTES, 'hex')
    out.write(r.restartId, at + PEER_ID_BYTES, RESTART_ID_BYTES, 'hex')
    out.writeBigUInt64BE(BigInt(r.version), at + PEER_ID_BYTES + RESTART_ID_BYTES)
    at += ENTRY_BYTES
  }
  return out
}

/** The `summary` digest, from the `entries` digest of the same records. */
export function encodeDigestSummary(entries: Uint8Array): Uint8Array {
  const count = Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength).readUInt32BE(1)
  const out = header(DIGEST_SUMMARY, count, TOPOLOGY_DIGEST_HASH_BYTES)
  createHash('sha256').update(entries.subarray(HEADER_BYTES)).digest().copy(out, HEADER_BYTES, 0, TOPOLOGY_DIGEST_HASH_BYTES)
  return out
}

/** The `wants` digest asking for `ids` (any order; written sorted). */
export function encodeDigestWants(ids: Iterable<string>): Uint8Array {
  const sorted = [...ids].sort()
  const out = header(DIGEST_WANTS, sorted.length, sorted.length * PEER_ID_BYTES)
  sorted.forEach((id, i) => out.write(id, HEADER_BYTES + i * PEER_ID_BYTES, PEER_ID_BYTES, 'hex'))
  return out
}

/** Decodes and validates a digest; throws `GossipError` `ERR_BAD_PAYLOAD` on anything malformed. */
export function decodeTopologyDigest(bytes: Uint8Array): TopologyDigest {
  if (!(bytes instanceof Uint8Array)) throw bad('not bytes')
  if (bytes.length < HEADER_BYTES) throw bad(`${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`)
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const kind = b[0]
  const count = b.readUInt32BE(1)
  if (count > MAX_TOPOLOGY_RECORDS) throw bad(`count ${count} is over ${MAX_TOPOLOGY_RECORDS}`)
  const expect = (body: number): void => {
    if (b.length !== HEADER_BYTES + body) throw bad(`${b.length} bytes where kind ${kind} with count ${count} takes ${HEADER_BYTES + body}`)
  }
  if (kind === DIGEST_SUMMARY) {
    expect(TOPOLOGY_DIGEST_HASH_BYTES)
    return { kind: 'summary', count, hash: b.toString('hex', HEADER_BYTES) }
  }
  if (kind === DIGEST_ENTRIES) {
    expect(count * ENTRY_BYTES)
    const entries = new Map<string, DigestEntry>()
    let previous = ''
    for (let at = HEADER_BYTES; at < b.length; at += ENTRY_BYTES) {
      const id = b.toString('hex', at, at + PEER_ID_BYTES)
      if (id <= previous) throw bad('ids not strictly ascending')
      previous = id
      const version = b.readBigUInt64BE(at + PEER_ID_BYTES + RESTART_ID_BYTES)
      if (version > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`version ${version} of ${id.slice(0, 12)} is over 2^53 - 1`)
      entries.set(id, {
        restartId: b.toString('hex', at + PEER_ID_BYTES, at + PEER_ID_BYTES + RESTART_ID_BYTES),
        version: Number(version),
      })
    }
    return { kind: 'entries', entries }
  }
  if (kind === DIGEST_WANTS) {
    expect(count * PEER_ID_BYTES)
    const ids: string[] = []
    for (let at = HEADER_BYTES; at < b.length; at += PEER_ID_BYTES) {
      const id = b.toString('hex', at, at + PEER_ID_BYTES)
      if (ids.length > 0 && id <= ids[ids.length - 1]) throw bad('ids not strictly ascending')
      ids.push(id)
    }
    return { kind: 'wants', ids }
  }
  throw bad(`unknown kind ${kind}`)
}
