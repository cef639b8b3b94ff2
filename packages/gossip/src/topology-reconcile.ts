// How the topology answers a digest (docs/GOSSIP.md "Digests"):
//
//   summary  equal to ours: nothing.            different: our `entries` back.
//   entries  send what they lack or hold older, and `wants` back for what we lack or hold older.
//   wants    send the records asked for that we hold.
//
// "Older" follows the merge rule: the lower version; at an equal version a different restartId
// cannot be ordered from the digest, so both sides send theirs and merge picks. Every exchange
// ends: a summary is answered by entries, entries by wants, wants by records alone.

import type { DigestAnswer } from './gossip-channel.js'
import type { PeerRecord } from './peer-record.js'
import type { TopologyState } from './topology-codec.js'
import { SUMMARY_HASH_OFFSET, encodeDigestWants, type TopologyDigest } from './topology-digest.js'

/** Our answer to a decoded digest; `summary` and `entries` are ours, encoded (see `Topology.digest`). */
export function answerTopologyDigest(records: ReadonlyMap<string, PeerRecord>, digest: TopologyDigest,
  ours: { summary: () => Uint8Array, entries: () => Uint8Array }): DigestAnswer<TopologyState> {
  if (digest.kind === 'summary') {
    const mine = Buffer.from(ours.summary())
    const same = records.size === digest.count && mine.toString('hex', SUMMARY_HASH_OFFSET) === digest.hash
    return { send: null, reply: same ? null : ours.entries() }
  }
  const send = new Map<string, PeerRecord>()
  if (digest.kind === 'wants') {
    for (const id of digest.ids) {
      const r = records.get(id)
      if (r !== undefined) send.set(id, r)
    }
    return { send: send.size > 0 ? send : null, reply: null }
  }
  const wants: string[] = []
  for (const [id, theirs] of digest.entries) {
    const r = records.get(id)
    if (r === undefined || theirs.version > r.version || (theirs.version === r.version && theirs.restartId !== r.restartId)) wants.push(id)
  }
  for (const r of records.values()) {
    const theirs = digest.entries.get(r.id)
    if (theirs === undefined || r.version > theirs.version || (r.version === theirs.version && r.restartId !== theirs.restartId)) send.set(r.id, r)
  }
  return { send: send.size > 0 ? send : null, reply: wants.length > 0 ? encodeDigestWants(wants) : null }
}
