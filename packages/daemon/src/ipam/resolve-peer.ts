// Which peer `weft rmpeer PEER` means: a full id, a unique id prefix (the short id of `weft
// status`), or a unique nickname, among the ring's owners and the peers the topology knows.

import type { PeerRecord } from '@weft/gossip'
import { DaemonError } from '../errors.js'
import { MIN_PEER_PREFIX_CHARS } from './constants.js'

export function resolvePeer(spec: string, owners: readonly string[], known: readonly PeerRecord[], selfId: string): string {
  const ids = [...new Set([selfId, ...owners, ...known.map((p) => p.id)])]
  const text = spec.trim()
  const lower = text.toLowerCase()
  let matches: string[]
  if (/^[0-9a-f]{64}$/.test(lower)) matches = [lower]
  else if (lower.length >= MIN_PEER_PREFIX_CHARS && /^[0-9a-f]+$/.test(lower) && ids.some((id) => id.startsWith(lower))) matches = ids.filter((id) => id.startsWith(lower))
  else matches = [...new Set(known.filter((p) => p.nickname === text).map((p) => p.id))]
  if (matches.length === 0) {
    throw new DaemonError('ERR_NOT_FOUND', `no peer '${text.slice(0, 80)}': give its id, short id (at least ${MIN_PEER_PREFIX_CHARS} hex digits) or nickname, as 'weft status ipam' lists them`)
  }
  if (matches.length > 1) {
    throw new DaemonError('ERR_CONFLICT', `'${text.slice(0, 80)}' names ${matches.length} peers (${matches.map((m) => m.slice(0, 12)).join(', ')}): give more of its id`)
  }
  if (matches[0] === selfId) throw new DaemonError('ERR_BAD_REQUEST', `'${text.slice(0, 80)}' is this peer: run 'weft rmpeer' on another peer, or 'weft reset' here`)
  return matches[0]
}
