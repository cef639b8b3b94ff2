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
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createLab, waitFor } from '../packages/testing/dist/index.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, runs: { type: 'string', default: '1' } } })
const SECONDS = Number(values.seconds)
const RUNS = Number(values.runs)
const SECRET = 'benchmark secret 123'
const CLK_TCK = 100

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK // utime + stime
}

async function status(h) {
  return JSON.parse((await h.weft(['status', '--json'])).stdout)
}

async function iperf(client, server, c1, c2, args) {
  const srv = server.spawn('ip', ['netns', 'exec', c2, 'iperf3', '-s', '-1', '-J'])
  await new Promise((r) => setTimeout(r, 300))
  const r = await client.exec('ip', ['netns', 'exec', c1, 'iperf3', '-c', '10.44.0.2', '-J', '-t', String(SECONDS), ...args], { timeoutMs: (SECONDS + 30) * 1000 })
  await srv.wait()
  return JSON.parse(r.stdout)
}

async function pingRtt(h, netns, target) {
  const args = netns ? ['netns', 'exec', netns, 'ping'] : ['netns', 'exec', h.netns, 'ping']
  const r = await h.exec('ip', [...args, '-c', '20', '-i', '0.05', '-q', target], { timeoutMs: 30_000 })
  const m = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)
  return m ? Number(m[1]) : NaN
}

async function once(lab) {
  const [h1, h2] = lab.hosts()
  const env = { WEFT_PASSWORD: SECRET }
  await h1.weft(['launch', '--nickname', 'h1'], { env })
  await h2.weft(['launch', '--nickname', 'h2', h1.address], { env })
  await h1.weft(['run', 'c1', '--ip', '10.44.0.1/16', '-d', '--', 'sleep', 'infinity'])
  await h2.weft(['run', 'c2', '--ip', '10.44.0.2/16', '-d', '--', 'sleep', 'infinity'])
  const c1 = `${h1.containerPrefix}c1`
  const c2 = `${h2.containerPrefix}c2`
  await waitFor(async () => (await h1.exec('ip', ['netns', 'exec', c1, 'ping', '-c1', '-W1', '10.44.0.2'], { allowFail: true })).code === 0 || undefined,
    { timeoutMs: 15_000, what: 'overlay ping' })
  const pids = [(await status(h1)).router.pid, (await status(h2)).router.pid]

  const cpu0 = pids.map(cpuSeconds)
  const single = await iperf(h1, h2, c1, c2, [])
  const cpu1 = pids.map(cpuSeconds)
  const bytes = single.end.sum_received.bytes
  const multi = await iperf(h1, h2, c1, c2, ['-P', '4'])
  const udp = await iperf(h1, h2, c1, c2, ['-u', '-l', '64', '-b', '0'])
  const udpSum = udp.end.sum
  const overlayRtt = await pingRtt(h1, c1, '10.44.0.2')
  const underlayRtt = await pingRtt(h1, null, h2.address)
  await h1.weft(['stop'])
  await h2.weft(['stop'])
  return {
    singleMbps: single.end.sum_received.bits_per_second / 1e6,
    multiMbps: multi.end.sum_received.bits_per_second / 1e6,
    udpPps: (udpSum.packets - udpSum.lost_packets) / udpSum.seconds,
    udpLossPercent: udpSum.lost_percent,
    rttMs: overlayRtt,
    underlayRttMs: underlayRtt,
    cpuSecondsPerGB: (cpu1[0] - cpu0[0] + cpu1[1] - cpu0[1]) / (bytes / 1e9),
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
