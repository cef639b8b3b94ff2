#!/usr/bin/env node
/*
 * weft next to the anchor tunnels, on the same two-host namespace underlay, interleaved: each run
 * measures every system once (in a rotated order, each in a fresh lab), and the table shows the
 * medians over the runs with the ratio weft / best anchor. Figures: single and 4-stream TCP
 * Mbit/s, ping RTT and its overhead over the underlay (container to container, and host to host
 * over exposed bridge addresses: an anchor's own addresses sit on the hosts, so for anchors both
 * rows are the same pings), 64-byte UDP packets/s received, and the tunnel processes'
 * CPU-seconds per GB (both ends, during the single stream).
 *
 *   h1 ─ tunnel daemon ── UDP ── switch ── UDP ── tunnel daemon ─ h2
 *
 * Needs root, a build (`npm run build`), iperf3, and the anchors from Debian:
 *   apt-get install -y tinc wireguard-go wireguard-tools nebula
 * An anchor whose binary is missing is skipped (and said so).
 *
 * weft runs twice: with its native fast path (the default) and with `--no-fast-path` (every
 * packet in JavaScript); `weft-gso` is the fast path with UDP GSO on its sends (WEFT_FAST_PATH_GSO=1).
 *
 * usage: node bench/side-by-side.mjs [--runs N] [--seconds N] [--only weft,weft-gso,weft-js,tinc,wireguard-go,nebula]
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createLab } from '../packages/testing/dist/index.js'
import { startNebula, startTinc, startWireguardGo } from './lib/anchors.mjs'
import { measureOverlay, median, startWeftPair } from './lib/overlay-measure.mjs'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '5' },
    only: { type: 'string', default: '' },
  },
})
const RUNS = Number(values.runs)
const SECONDS = Number(values.seconds)
const SECRET = 'benchmark secret 123'

const SYSTEMS = [
  { name: 'weft (fast path)', weft: true, bin: 'iperf3', start: (lab) => startWeftPair(lab, { secret: SECRET }) },
  { name: 'weft (fast path, UDP GSO)', key: 'weft-gso', weft: true, bin: 'iperf3', start: (lab) => startWeftPair(lab, { secret: SECRET, env: { WEFT_FAST_PATH_GSO: '1' } }) },
  { name: 'weft (JS path)', key: 'weft-js', weft: true, bin: 'iperf3', start: (lab) => startWeftPair(lab, { secret: SECRET, launchArgs: ['--no-fast-path'] }) },
  { name: 'tinc 1.0 (switch)', key: 'tinc', bin: 'tincd', start: startTinc },
  { name: 'wireguard-go', key: 'wireguard-go', bin: 'wireguard-go', start: startWireguardGo },
  { name: 'nebula', key: 'nebula', bin: 'nebula', start: startNebula },
]
const only = values.only === '' ? null : new Set(values.only.split(','))
const systems = SYSTEMS.filter((s) => {
  if (only !== null && !only.has(s.key ?? 'weft')) return false
  const found = spawnSync('sh', ['-c', `command -v ${s.bin}`]).status === 0
  if (!found) console.log(`skipping ${s.name}: ${s.bin} not installed`)
  return found
})

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const runs = Object.fromEntries(systems.map((s) => [s.name, []]))
const loads = []
for (let i = 0; i < RUNS; i++) {
  const order = systems.map((_, k) => systems[(k + i) % systems.length])
  for (const s of order) {
    const lab = await createLab({ hosts: ['h1', 'h2'] })
    try {
      const pair = await s.start(lab)
      try {
        const r = await measureOverlay({ ...pair, seconds: SECONDS })
        runs[s.name].push(r)
        loads.push(loadavg())
        console.log(`run ${i + 1}/${RUNS} ${s.name}: ${r.singleMbps.toFixed(0)} Mbit/s, ${(r.udpPps / 1000).toFixed(1)} kpps, ` +
          `${r.rttMs.toFixed(3)} ms, ${r.cpuSecondsPerGB.toFixed(1)} CPU-s/GB (load ${loads.at(-1)})`)
      } finally {
        await pair.stop()
      }
    } catch (err) {
      console.log(`run ${i + 1}/${RUNS} ${s.name}: FAILED: ${err.message}`)
    } finally {
      await lab.destroy()
    }
  }
}

const measured = systems.filter((s) => runs[s.name].length > 0)
const medians = Object.fromEntries(measured.map((s) => {
  const rs = runs[s.name]
  return [s.name, Object.fromEntries(Object.keys(rs[0]).map((k) => [k, median(rs.map((r) => r[k]))]))]
}))
const FIGURES = [
  ['single TCP Mbit/s', 'singleMbps', 'max', (v) => v.toFixed(0)],
  ['4 TCP streams Mbit/s', 'multiMbps', 'max', (v) => v.toFixed(0)],
  ['64-byte UDP kpps recv', 'udpPps', 'max', (v) => (v / 1000).toFixed(1)],
  ['ping RTT ms', 'rttMs', 'min', (v) => v.toFixed(3)],
  ['RTT overhead ms', 'rttOverheadMs', 'min', (v) => v.toFixed(3)],
  // weft: host to host over exposed bridge addresses (no container veth); anchors: the same as above
  ['ping RTT host to host ms', 'hostRttMs', 'min', (v) => v.toFixed(3)],
  ['RTT overhead host to host ms', 'hostRttOverheadMs', 'min', (v) => v.toFixed(3)],
  ['CPU-s per GB', 'cpuSecondsPerGB', 'min', (v) => v.toFixed(1)],
]
const anchors = measured.filter((s) => !s.weft).map((s) => s.name)
const weft = measured.filter((s) => s.weft).map((s) => s.name)
const header = ['figure', ...measured.map((s) => s.name), ...weft.map((w) => `${w} / best anchor`)]
const rows = FIGURES.map(([label, key, better, fmt]) => {
  const best = anchors.length === 0 ? NaN : Math[better](...anchors.map((a) => medians[a][key]))
  return [label, ...measured.map((s) => fmt(medians[s.name][key])), ...weft.map((w) => (medians[w][key] / best).toFixed(2))]
})
console.log(`\nside by side: ${RUNS} run(s) of ${SECONDS} s per figure, medians; load averages during the runs: ${loads.join(' | ')}`)
console.log(`| ${header.join(' | ')} |`)
console.log(`|${header.map(() => ' --- ').join('|')}|`)
for (const r of rows) console.log(`| ${r.join(' | ')} |`)
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const file = new URL(`./results/side-by-side-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
writeFileSync(file, JSON.stringify({ seconds: SECONDS, runs, medians, loadAverages: loads }, null, 2))
console.log(`JSON: ${file.pathname}`)
