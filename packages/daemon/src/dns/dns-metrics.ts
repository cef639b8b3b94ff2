// Prometheus figures of the DNS server and the names, read from their stats at scrape time.

import type { DnsStats } from '@weft/dns'
import type { NamesStats } from '@weft/names'
import { Counter, Gauge, type Registry } from 'prom-client'

/** Adds the `weft_dns_*` metrics to `registry`; `stats` is read at each scrape. */
export function registerDnsMetrics(registry: Registry, stats: () => { server: DnsStats | null, names: NamesStats }): void {
  const registers = [registry]
  new Counter({
    name: 'weft_dns_queries_total', help: 'DNS queries by type and result', labelNames: ['type', 'result'], registers,
    collect() {
      this.reset()
      for (const [type, byResult] of Object.entries(stats().server?.queries ?? {})) {
        for (const [result, n] of Object.entries(byResult)) this.inc({ type, result }, n ?? 0)
      }
    },
  })
  new Counter({
    name: 'weft_dns_dropped_total', help: 'DNS datagrams or frames dropped unanswered, by reason', labelNames: ['reason'], registers,
    collect() {
      this.reset()
      for (const [reason, n] of Object.entries(stats().server?.drops ?? {})) this.inc({ reason }, n)
    },
  })
  new Counter({
    name: 'weft_dns_truncated_total', help: 'UDP DNS answers sent truncated (client retries over TCP)', registers,
    collect() {
      this.reset()
      this.inc(stats().server?.truncated ?? 0)
    },
  })
  new Counter({
    name: 'weft_dns_upstream_total', help: 'Forwarded DNS queries by outcome', labelNames: ['outcome'], registers,
    collect() {
      this.reset()
      const u = stats().server?.upstream
      if (!u) return
      this.inc({ outcome: 'sent' }, u.queries)
      this.inc({ outcome: 'answered' }, u.answers)
      this.inc({ outcome: 'failed' }, u.failures)
      this.inc({ outcome: 'ignored' }, u.ignored)
    },
  })
  // The server keeps its own latency buckets; a prom-client Histogram can only observe, so the
  // histogram is a plain collector that copies them at scrape time.
  registry.registerMetric({
    name: 'weft_dns_upstream_latency_seconds',
    help: 'Time from forwarding a query to the first good upstream answer',
    type: 'histogram',
    aggregator: 'sum',
    reset: () => undefined,
    get: async () => {
      const h = stats().server?.upstream.latencyMs
      const bucket = 'weft_dns_upstream_latency_seconds_bucket'
      return {
        name: 'weft_dns_upstream_latency_seconds', help: 'Time from forwarding a query to the first good upstream answer', type: 'histogram', aggregator: 'sum',
        values: [
          ...(h?.buckets ?? []).map((b) => ({ metricName: bucket, labels: { le: b.le / 1000 }, value: b.count })),
          { metricName: bucket, labels: { le: '+Inf' }, value: h?.count ?? 0 },
          { metricName: 'weft_dns_upstream_latency_seconds_sum', labels: {}, value: (h?.sum ?? 0) / 1000 },
          { metricName: 'weft_dns_upstream_latency_seconds_count', labels: {}, value: h?.count ?? 0 },
        ],
      }
    },
  } as unknown as Parameters<Registry['registerMetric']>[0])
  new Counter({
    name: 'weft_dns_cache_total', help: 'Upstream answer cache lookups', labelNames: ['result'], registers,
    collect() {
      this.reset()
      const c = stats().server?.cache
      this.inc({ result: 'hit' }, c?.hits ?? 0)
      this.inc({ result: 'miss' }, c?.misses ?? 0)
    },
  })
  new Gauge({
    name: 'weft_dns_entries', help: 'Name entries held, live or tombstone', labelNames: ['kind'], registers,
    collect() {
      const n = stats().names
      this.set({ kind: 'live' }, n.entries)
      this.set({ kind: 'tombstone' }, n.tombstones)
    },
  })
}
