// Prometheus figures of the DNS server and the names, read from their stats at scrape time.

import type { DnsStats } from '@weft/dns'
import type { NamesStats } from '@weft/names'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

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
  const latency = new Histogram({
    name: 'weft_dns_upstream_latency_seconds', help: 'Time to the first good upstream answer', registers,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
  })
  // prom-client histograms cannot be set from outside: expose the server's own buckets as-is
  latency.get = async () => {
    const h = stats().server?.upstream.latencyMs
    const values = (h?.buckets ?? []).map((b) => ({ labels: { le: b.le / 1000 }, value: b.count, metricName: 'weft_dns_upstream_latency_seconds_bucket' }))
    values.push({ labels: { le: '+Inf' as unknown as number }, value: h?.count ?? 0, metricName: 'weft_dns_upstream_latency_seconds_bucket' })
    values.push({ labels: {} as { le: number }, value: (h?.sum ?? 0) / 1000, metricName: 'weft_dns_upstream_latency_seconds_sum' })
    values.push({ labels: {} as { le: number }, value: h?.count ?? 0, metricName: 'weft_dns_upstream_latency_seconds_count' })
    return { name: 'weft_dns_upstream_latency_seconds', help: 'Time to the first good upstream answer', type: 'histogram', values, aggregator: 'sum' } as unknown as Awaited<ReturnType<Histogram['get']>>
  }
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
