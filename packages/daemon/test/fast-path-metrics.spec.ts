import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import type { FastPathCounters } from '@weft/tap'
import { registerFastPathMetrics } from '../src/fast-path-metrics.js'

const counters: FastPathCounters = {
  framesIn: 11, datagramsSent: 9, bytesSent: 9000, sendDrops: 1, datagramsIn: 8, bytesIn: 8000, framesOut: 12, tapDrops: 2,
  upRaw: 5, upPlain: 3, replay: 4, badTag: 6, badBundle: 7, counterExhausted: 0, recvErrors: 0, gsoSends: 3,
}

describe('fast path metrics', () => {
  it('exposes what the fast path carried, handed up and dropped', async () => {
    const registry = new Registry()
    registerFastPathMetrics(registry, () => counters)
    const text = await registry.metrics()
    expect(text).toContain('weft_fast_path_frames_in_total 11')
    expect(text).toContain('weft_fast_path_frames_out_total 12')
    expect(text).toContain('weft_fast_path_datagrams_sent_total 9')
    expect(text).toContain('weft_fast_path_datagrams_received_total 8')
    expect(text).toContain('weft_fast_path_gso_sends_total 3')
    expect(text).toContain('weft_fast_path_up_total{kind="raw"} 5')
    expect(text).toContain('weft_fast_path_up_total{kind="plain"} 3')
    expect(text).toContain('weft_fast_path_dropped_total{reason="replay"} 4')
    expect(text).toContain('weft_fast_path_dropped_total{reason="bad_tag"} 6')
    expect(text).toContain('weft_fast_path_dropped_total{reason="tap_write"} 2')
  })

  it('stays at zero without a fast path (--no-fast-path)', async () => {
    const registry = new Registry()
    registerFastPathMetrics(registry, () => undefined)
    const text = await registry.metrics()
    expect(text).toContain('weft_fast_path_frames_in_total 0')
    expect(text).not.toContain('weft_fast_path_dropped_total{')
  })
})
