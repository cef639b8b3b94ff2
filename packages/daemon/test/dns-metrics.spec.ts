import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import type { DnsStats } from '@weft/dns'
import type { NamesStats } from '@weft/names'
import { registerDnsMetrics } from '../src/dns/dns-metrics.js'

const server: DnsStats = {
  queries: { A: { answer: 7, nxdomain: 2 }, PTR: { forwarded: 1 } },
  drops: { short: 1, 'not-a-query': 0, 'send-failed': 0, 'tcp-pipeline': 0, internal: 0 },
  truncated: 3,
  upstream: { queries: 4, answers: 3, ignored: 0, failures: 1, latencyMs: { buckets: [{ le: 1, count: 1 }, { le: 5, count: 3 }], count: 3, sum: 9 } },
  cache: { hits: 5, misses: 4, entries: 2 },
  tcpConnections: 0,
}
const names = { entries: 10, tombstones: 4 } as NamesStats

describe('DNS metrics', () => {
  it('exposes queries by type and result, upstream latency as a histogram, and entries', async () => {
    const registry = new Registry()
    registerDnsMetrics(registry, () => ({ server, names }))
    const text = await registry.metrics()
    expect(text).toContain('weft_dns_queries_total{type="A",result="answer"} 7')
    expect(text).toContain('weft_dns_queries_total{type="PTR",result="forwarded"} 1')
    expect(text).toContain('weft_dns_truncated_total 3')
    expect(text).toContain('weft_dns_upstream_total{outcome="failed"} 1')
    expect(text).toContain('# TYPE weft_dns_upstream_latency_seconds histogram')
    expect(text).toContain('weft_dns_upstream_latency_seconds_bucket{le="0.005"} 3')
    expect(text).toContain('weft_dns_upstream_latency_seconds_bucket{le="+Inf"} 3')
    expect(text).toContain('weft_dns_upstream_latency_seconds_sum 0.009')
    expect(text).toContain('weft_dns_upstream_latency_seconds_count 3')
    expect(text).toContain('weft_dns_entries{kind="tombstone"} 4')
  })

  it('reports zeros while the server does not run', async () => {
    const registry = new Registry()
    registerDnsMetrics(registry, () => ({ server: null, names }))
    expect(await registry.metrics()).toContain('weft_dns_upstream_latency_seconds_count 0')
  })
})
