#!/usr/bin/env node
/*
 * weft two-host benchmark. Builds the namespace topology, launches two routers, one container on
 * each, and measures across the overlay: single- and 4-stream TCP (iperf3), ping RTT (overlay vs
 * underlay), 64-byte UDP packets/s received, and router CPU-seconds per GB. Prints a table and
 * writes JSON to bench/results/. Needs root, a build (`npm run build`) and iperf3.
 *
 *   h1 ─ router ── UDP 6783 ── switch ── UDP 6783 ── router ─ h2
 *   └ c1 10.44.0.1                                    └ c2 10.44.0.2
 *
 * usage: node bench/run.mjs [--seconds N] [--runs N]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createLab } from '../packages/testing/dist/index.js'
import { measureOverlay, median, startWeftPair } from './lib/overlay-measure.mjs'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, runs: { type: 'string', default: '1' } } })
const SECONDS = Number(values.seconds)
const RUNS = Number(values.runs)
const SECRET = 'benchmark secret 123'

async function once(lab) {
  const pair = await startWeftPair(lab, { secret: SECRET })
  try {
    return await measureOverlay({ ...pair, seconds: SECONDS })
  } finally {
    await pair.stop()
  }
}

const results = []
for (let i = 0; i < RUNS; i++) {
  const lab = await createLab({ hosts: ['h1', 'h2'] })
  try {
    results.push(await once(lab))
  } finally {
    await lab.destroy()
  }
}
const keys = Object.keys(results[0])
const med = Object.fromEntries(keys.map((k) => [k, median(results.map((r) => r[k]))]))
const rows = [
  ['single TCP stream', `${med.singleMbps.toFixed(0)} Mbit/s`],
  ['4 TCP streams', `${med.multiMbps.toFixed(0)} Mbit/s`],
  ['64-byte UDP received', `${(med.udpPps / 1000).toFixed(1)} k packets/s (${med.udpLossPercent.toFixed(1)}% lost)`],
  ['ping RTT overlay', `${med.rttMs.toFixed(3)} ms`],
  ['ping RTT underlay', `${med.underlayRttMs.toFixed(3)} ms`],
  ['router CPU per GB', `${med.cpuSecondsPerGB.toFixed(1)} CPU-s/GB (both routers, single stream)`],
]
console.log(`weft two-host benchmark: ${RUNS} run(s) of ${SECONDS} s, medians`)
for (const [k, v] of rows) console.log(`  ${k.padEnd(22)} ${v}`)
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const file = new URL(`./results/two-host-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
writeFileSync(file, JSON.stringify({ seconds: SECONDS, runs: results, medians: med }, null, 2))
console.log(`JSON: ${file.pathname}`)
