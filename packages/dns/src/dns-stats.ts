// The server's counters, shaped for Prometheus: queries by type and result (a counter with two
// labels), drops by reason, upstream queries and a latency histogram, cache hits. Label values
// come from fixed lists, so no client can grow them.

import { COUNTED_QUERY_TYPES, UPSTREAM_LATENCY_BUCKETS_MS } from './constants.js'

/** How a query ended. */
export const DNS_RESULTS = [
  /** Answered here with records. */
  'answer',
  /** Answered here: the name exists, but has no record of that type (NOERROR, no answer). */
  'nodata',
  /** Answered here: no such name in the domain, or no such overlay address (NXDOMAIN). */
  'nxdomain',
  /** Answered by an upstream. */
  'forwarded',
  /** Answered from the cache of upstream answers. */
  'cached',
  /** No upstream answered well, none is configured, too many were pending, or the names threw. */
  'servfail',
  /** Malformed: not exactly one question, several OPT records, or undecodable. */
  'formerr',
  /** An opcode other than QUERY. */
  'notimp',
  /** A class other than IN or ANY for a local name. */
  'refused',
  /** An EDNS version we do not speak. */
  'badvers',
] as const
export type DnsResult = (typeof DNS_RESULTS)[number]

/** Why a datagram or frame got no answer at all. */
export const DNS_DROP_REASONS = [
  /** Shorter than a DNS header. */
  'short',
  /** A response (QR set), not a query: answering could loop between two servers. */
  'not-a-query',
  /** Sending the answer failed (the client went away). */
  'send-failed',
  /** A TCP connection had too many queries in progress and was closed. */
  'tcp-pipeline',
  /** The server threw while handling it (a bug): logged. */
  'internal',
] as const
export type DnsDropReason = (typeof DNS_DROP_REASONS)[number]

/** A snapshot of the counters. */
export interface DnsStats {
  /** By query type (`A`, `AAAA`, `PTR`, ..., `OTHER`; `NONE` for an undecodable query), then result. */
  queries: Record<string, Partial<Record<DnsResult, number>>>
  drops: Record<DnsDropReason, number>
  /** UDP answers sent with TC set (the client retries over TCP). */
  truncated: number
  upstream: {
    /** Queries forwarded (each to every upstream at once). */
    queries: number
    /** Of those, answered by an upstream with NOERROR or NXDOMAIN. */
    answers: number
    /** Answers ignored: from an unknown source, with a wrong id or question, or undecodable. */
    ignored: number
    /** Forwards that got no good answer in time (the client got SERVFAIL or the upstream's error). */
    failures: number
    /** Time from sending to the first good answer, a histogram in milliseconds. */
    latencyMs: { buckets: Array<{ le: number, count: number }>, count: number, sum: number }
  }
  cache: { hits: number, misses: number, entries: number }
  /** TCP connections open now. */
  tcpConnections: number
}

export class DnsCounters {
  private readonly queries = new Map<string, Map<DnsResult, number>>()
  private readonly drops = Object.fromEntries(DNS_DROP_REASONS.map((r) => [r, 0])) as Record<DnsDropReason, number>
  private readonly buckets = new Array<number>(UPSTREAM_LATENCY_BUCKETS_MS.length).fill(0)
  truncated = 0
  upstreamQueries = 0
  upstreamAnswers = 0
  upstreamIgnored = 0
  upstreamFailures = 0
  private latencyCount = 0
  private latencySum = 0
  cacheHits = 0
  cacheMisses = 0

  /** The label of a query type: its name if counted by name, else `OTHER`. */
  static typeLabel(type: string | undefined): string {
    if (type === undefined) return 'NONE'
    return COUNTED_QUERY_TYPES.includes(type) ? type : 'OTHER'
  }

  query(type: string | undefined, result: DnsResult): void {
    const label = DnsCounters.typeLabel(type)
    let byResult = this.queries.get(label)
    if (byResult === undefined) this.queries.set(label, (byResult = new Map()))
    byResult.set(result, (byResult.get(result) ?? 0) + 1)
  }

  drop(reason: DnsDropReason): void {
    this.drops[reason]++
  }

  upstreamLatency(ms: number): void {
    this.latencyCount++
    this.latencySum += ms
    for (let i = 0; i < UPSTREAM_LATENCY_BUCKETS_MS.length; i++) if (ms <= UPSTREAM_LATENCY_BUCKETS_MS[i]) this.buckets[i]++
  }

  snapshot(cacheEntries: number, tcpConnections: number): DnsStats {
    const queries: DnsStats['queries'] = {}
    for (const [type, byResult] of this.queries) queries[type] = Object.fromEntries(byResult)
    return {
      queries,
      drops: { ...this.drops },
      truncated: this.truncated,
      upstream: {
        queries: this.upstreamQueries,
        answers: this.upstreamAnswers,
        ignored: this.upstreamIgnored,
        failures: this.upstreamFailures,
        latencyMs: {
          buckets: UPSTREAM_LATENCY_BUCKETS_MS.map((le, i) => ({ le, count: this.buckets[i] })),
          count: this.latencyCount,
          sum: this.latencySum,
        },
      },
      cache: { hits: this.cacheHits, misses: this.cacheMisses, entries: cacheEntries },
      tcpConnections,
    }
  }
}
