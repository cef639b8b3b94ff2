// A short cache of upstream answers, so a burst of lookups of one outside name costs one
// upstream query. Keyed by (lowercase name, type, class, DO, CD). An answer is kept for the
// smallest TTL of its records (for a negative answer: of its SOA and the SOA's minimum, RFC 2308;
// none without an SOA), capped at `maxTtlS`; served with the TTLs counted down, the client's id
// and its question as it spelt it. Truncated answers, errors other than NXDOMAIN, and answers
// dns-packet cannot re-encode are not kept. At most `maxEntries`, least recently used first out.

import dnsPacket, { type Answer, type DecodedPacket, type Question } from 'dns-packet'
import { RCODE } from './local-zone.js'

interface CacheEntry {
  packet: DecodedPacket
  storedAt: number
  expiresAt: number
}

export class AnswerCache {
  private readonly entries = new Map<string, CacheEntry>()

  constructor(private readonly maxEntries: number, private readonly maxTtlS: number, private readonly now: () => number) {}

  get size(): number {
    return this.entries.size
  }

  /** The cache key of a query. */
  static key(q: Question, dnssecOk: boolean, checkingDisabled: boolean): string {
    return `${q.name.toLowerCase()}|${q.type}|${q.class ?? 'IN'}|${dnssecOk ? 1 : 0}|${checkingDisabled ? 1 : 0}`
  }

  /** The cached answer to `query` (id, question and TTLs fitted to it), or null. */
  get(key: string, query: DecodedPacket): Buffer | null {
    const entry = this.entries.get(key)
    if (entry === undefined) return null
    const now = this.now()
    if (now >= entry.expiresAt) {
      this.entries.delete(key)
      return null
    }
    this.entries.delete(key) // most recently used last
    this.entries.set(key, entry)
    const elapsedS = Math.floor((now - entry.storedAt) / 1000)
    const age = (records: Answer[] | undefined): Answer[] => (records ?? []).map((r) =>
      r.type === 'OPT' ? r : { ...r, ttl: Math.max(0, (r.ttl ?? 0) - elapsedS) } as Answer)
    try {
      return dnsPacket.encode({
        ...entry.packet,
        id: query.id,
        questions: query.questions,
        answers: age(entry.packet.answers),
        authorities: age(entry.packet.authorities),
        additionals: age(entry.packet.additionals),
      })
    } catch {
      this.entries.delete(key)
      return null
    }
  }

  /** Keeps `answer` (raw upstream bytes) under `key` if it may be cached. */
  put(key: string, answer: Buffer): void {
    if (this.maxEntries === 0 || (answer[2] & 0x02) !== 0) return // truncated
    const rcode = answer[3] & 0x0f
    if (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN) return
    let packet: DecodedPacket
    try {
      packet = dnsPacket.decode(answer)
      dnsPacket.encode(packet)
    } catch {
      return
    }
    const ttl = cacheTtl(packet, rcode)
    if (ttl === null) return
    const seconds = Math.min(ttl, this.maxTtlS)
    if (seconds <= 0) return
    const now = this.now()
    this.entries.delete(key)
    this.entries.set(key, { packet, storedAt: now, expiresAt: now + seconds * 1000 })
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
  }
}

/** How long an answer may be cached, in seconds, or null if not at all. */
function cacheTtl(packet: DecodedPacket, rcode: number): number | null {
  const answers = packet.answers ?? []
  const negative = rcode === RCODE.NXDOMAIN || answers.length === 0
  if (negative) {
    const soa = (packet.authorities ?? []).find((r) => r.type === 'SOA')
    if (soa === undefined || soa.type !== 'SOA') return null
    return Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0)
  }
  let ttl = Infinity
  for (const r of [...answers, ...(packet.authorities ?? []), ...(packet.additionals ?? [])]) {
    if (r.type !== 'OPT') ttl = Math.min(ttl, r.ttl ?? 0)
  }
  return ttl
}
