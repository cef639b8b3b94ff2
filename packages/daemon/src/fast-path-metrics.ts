// Prometheus figures of the native fast path, read from its counters at scrape time.

import type { FastPathCounters } from '@weft/tap'
import { Counter, type Registry } from 'prom-client'

/**
 * Adds `weft_fast_path_*` to `registry`: frames and datagrams the fast path carried, what it
 * handed up to JS, and its drops by reason. `counters` is undefined with `--no-fast-path`; the
 * metrics then stay at zero.
 */
export function registerFastPathMetrics(registry: Registry, counters: () => FastPathCounters | undefined): void {
  const registers = [registry]
  const one = (name: string, help: string, read: (c: FastPathCounters) => number) => new Counter({
    name, help, registers,
    collect() {
      this.reset()
      const c = counters()
      if (c) this.inc(read(c))
    },
  })
  one('weft_fast_path_frames_in_total', 'TAP frames the fast path sealed and sent', (c) => c.framesIn)
  one('weft_fast_path_frames_out_total', 'Frames the fast path wrote to the TAP', (c) => c.framesOut)
  one('weft_fast_path_datagrams_sent_total', 'Datagrams the fast path sent', (c) => c.datagramsSent)
  one('weft_fast_path_gso_sends_total', 'UDP GSO messages sent (WEFT_FAST_PATH_GSO=1), each of 2+ datagrams', (c) => c.gsoSends)
  one('weft_fast_path_datagrams_received_total', 'Data datagrams the fast path opened', (c) => c.datagramsIn)
  new Counter({
    name: 'weft_fast_path_up_total', help: 'Datagrams handed up to the JS data path, raw or opened (MAC learning)', labelNames: ['kind'], registers,
    collect() {
      this.reset()
      const c = counters()
      if (!c) return
      this.inc({ kind: 'raw' }, c.upRaw)
      this.inc({ kind: 'plain' }, c.upPlain)
    },
  })
  new Counter({
    name: 'weft_fast_path_dropped_total', help: 'Datagrams or frames the fast path dropped, by reason', labelNames: ['reason'], registers,
    collect() {
      this.reset()
      const c = counters()
      if (!c) return
      this.inc({ reason: 'replay' }, c.replay)
      this.inc({ reason: 'bad_tag' }, c.badTag)
      this.inc({ reason: 'bad_bundle' }, c.badBundle)
      this.inc({ reason: 'counter_exhausted' }, c.counterExhausted)
      this.inc({ reason: 'send' }, c.sendDrops)
      this.inc({ reason: 'tap_write' }, c.tapDrops)
      this.inc({ reason: 'recv_error' }, c.recvErrors)
    },
  })
}
