import { PEER_ID_BYTES } from '@weft/wire'

const PEER_ID_RE = /^[0-9a-f]{64}$/

/** Whether `id` is a peer id as the wire carries it: 64 lowercase hex digits (32 bytes). */
export function isPeerId(id: string): boolean {
  return PEER_ID_RE.test(id)
}

/** The 32 raw bytes of a peer id; the caller checked `isPeerId` (control path: allocates). */
export function peerIdBytes(id: string): Buffer {
  return Buffer.from(id, 'hex')
}

interface Entry {
  readonly raw: Buffer
  readonly id: string
  readonly next: Entry | undefined
}

/**
 * Turns the 32 raw id bytes of a Relay or Broadcast back into the peer's id string without
 * allocating, for every peer the data path knows of (sessions, routes). Keyed by the id's first
 * 48 bits (a plain number); entries sharing a key are chained and told apart by their full bytes.
 * Immutable: the control path builds a new index whenever the set of known peers changes.
 */
export class PeerIdIndex {
  static readonly EMPTY = new PeerIdIndex(new Map())

  private constructor(private readonly byKey: ReadonlyMap<number, Entry>) {}

  /** An index of every valid peer id among `ids` (others are skipped; duplicates are fine). */
  static of(ids: Iterable<string>): PeerIdIndex {
    const byKey = new Map<number, Entry>()
    const seen = new Set<string>()
    for (const id of ids) {
      if (seen.has(id) || !isPeerId(id)) continue
      seen.add(id)
      const raw = peerIdBytes(id)
      const key = raw.readUIntBE(0, 6)
      byKey.set(key, { raw, id, next: byKey.get(key) })
    }
    return new PeerIdIndex(byKey)
  }

  /**
   * The id whose bytes are `buf[offset, +32)`: the indexed string when known (no allocation),
   * else a fresh hex string. The caller guarantees the 32 bytes lie inside `buf`.
   */
  idAt(buf: Buffer, offset: number): string {
    return this.find(buf, offset) ?? buf.toString('hex', offset, offset + PEER_ID_BYTES)
  }

  /** The indexed id whose bytes are `buf[offset, +32)`, or undefined; never allocates. */
  find(buf: Buffer, offset: number): string | undefined {
    for (let e = this.byKey.get(buf.readUIntBE(offset, 6)); e !== undefined; e = e.next) {
      if (e.raw.compare(buf, offset, offset + PEER_ID_BYTES) === 0) return e.id
    }
    return undefined
  }
}
