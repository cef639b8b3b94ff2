#!/usr/bin/env node
/*
 * Failover: how long container traffic stops when a direct link between two hosts dies and
 * weft moves it through a third host. Three hosts on one underlay, all connected (discovery);
 * c1 on h1 pings c3 on h3 every 10 ms; the h1–h3 underlay path is cut with nftables; the figure
 * is the longest gap between two consecutive echo replies around the cut. Needs root and a build.
 *
 *   h1 ────── h2 ────── h3        cut: h1 ╳ h3
 *   └ c1 ╲___________________╱ c3
 *
 * usage: node bench/failover.mjs [--runs N]
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createLab, waitFor } from '../packages/testing/dist/index.js'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } })
const RUNS = Number(values.runs)
const env = { WEFT_PASSWORD: 'failover bench secret' }

async function status(h) {
  return JSON.parse((await h.weft(['status', '--json'])).stdout)
}

async function once() {
  const lab = await createLab({ hosts: ['h1', 'h2', 'h3'] })
  try {
    const [h1, h2, h3] = lab.hosts()
    await h2.weft(['launch', '--nickname', 'h2'], { env })
    await h1.weft(['launch', '--nickname', 'h1', h2.address], { env })
    await h3.weft(['launch', '--nickname', 'h3', h2.address], { env })
    await h1.weft(['run', 'c1', '--ip', '10.43.0.1/16', '-d', '--', 'sleep', 'infinity'])
    await h3.weft(['run', 'c3', '--ip', '10.43.0.3/16', '-d', '--', 'sleep', 'infinity'])
    const id3 = (await status(h3)).router.id
    await waitFor(async () => (await status(h1)).connections.find((c) => c.peer?.id === id3 && c.path.startsWith('direct')) || undefined,
      { timeoutMs: 20_000, intervalMs: 200, what: 'a direct h1–h3 link' })
    const c1 = `${h1.containerPrefix}c1`
    // -D: timestamps; -O: report missing replies; 10 ms interval (root may go below 200 ms)
    const pinger = h1.spawn('ip', ['netns', 'exec', c1, 'ping', '-D', '-O', '-i', '0.01', '-W', '0.5', '10.43.0.3'])
    await new Promise((r) => setTimeout(r, 1500))
    const cutAt = Date.now() / 1000
    await lab.blockAll(h1, h3)
    await waitFor(async () => (await status(h1)).connections.find((c) => c.peer?.id === id3 && c.path.startsWith('relay')) || undefined,
      { timeoutMs: 15_000, intervalMs: 100, what: 'traffic through h2' })
    await new Promise((r) => setTimeout(r, 2000))
    pinger.kill('SIGINT')
    await pinger.wait()
    const replies = [...pinger.stdout().matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) => Number(m[1]))
    const after = replies.filter((t) => t > cutAt)
    const before = replies.filter((t) => t <= cutAt)
    if (before.length === 0 || after.length === 0) throw new Error(`no replies ${before.length ? 'after' : 'before'} the cut`)
    let gap = after[0] - before[before.length - 1]
    for (let i = 1; i < after.length; i++) gap = Math.max(gap, after[i] - after[i - 1])
    return { outageMs: Math.round(gap * 1000), firstReplyAfterCutMs: Math.round((after[0] - cutAt) * 1000) }
  } finally {
    if (process.env.WEFT_BENCH_KEEP_LOGS) {
      for (const h of lab.hosts()) copyFileSync(`${h.home}/weft.log`, `${process.env.WEFT_BENCH_KEEP_LOGS}/${runs.length}-${h.name}.log`)
    }
    await lab.destroy()
  }
}

const runs = []
for (let i = 0; i < RUNS; i++) runs.push(await once())
const outages = runs.map((r) => r.outageMs).sort((a, b) => a - b)
const median = outages[Math.floor(outages.length / 2)]
console.log(`weft failover benchmark: ${RUNS} run(s)`)
runs.forEach((r, i) => console.log(`  run ${i + 1}: traffic stopped for ${r.outageMs} ms (first reply ${r.firstReplyAfterCutMs} ms after the cut)`))
console.log(`  median outage: ${median} ms (target < 2000 ms)`)
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const file = new URL(`./results/failover-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
writeFileSync(file, JSON.stringify({ runs, medianOutageMs: median }, null, 2))
console.log(`JSON: ${file.pathname}`)
