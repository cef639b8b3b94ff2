#!/usr/bin/env node
/*
 * weft gossip convergence benchmark. For each mesh size, N simulated routers (the real gossip
 * engine, topology and route table; @weft/testing's createSimMesh) start at the same instant in a
 * random sparse mesh on netsim's virtual clock and dial their links; measured:
 *
 *   converged   virtual ms until every router holds every current record, every link is up at
 *               both ends and every router's routes reach every other (SimMesh.converged)
 *   settled     virtual ms until that holds again with RTT-weighted routes everywhere (routers
 *               publish RTTs at their 5 s refresh)
 *   bytes       control-stream bytes each router wrote up to `converged` (frames: hello, pings,
 *               gossip; the real wire adds a 16-byte AEAD tag per frame), mean and max; frames
 *   steady      bytes per router per minute once settled (heartbeats + anti-entropy)
 *   wall        real seconds to `converged`, and for the whole size (each in a child process)
 *
 * Prints a table and writes JSON to bench/results/. Needs a build (`npx tsc -b`). Each size runs
 * in its own process (fresh heap, --max-old-space-size=16384) and is stopped after --max-minutes;
 * whatever it measured by then is kept.
 *
 * usage: node bench/gossip-convergence.mjs [--peers 100,500,1000] [--seed N] [--degree N]
 *                                          [--steady-seconds N] [--max-minutes N]
 */
import { fork } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '100,500,1000' },
    seed: { type: 'string', default: '1' },
    degree: { type: 'string', default: '4' },
    'steady-seconds': { type: 'string', default: '60' },
    'max-minutes': { type: 'string', default: '30' },
    child: { type: 'string' },
  },
})
const SEED = Number(values.seed)
const DEGREE = Number(values.degree)
const STEADY_MS = Number(values['steady-seconds']) * 1000
const MAX_SIM_MS = 120_000

if (values.child !== undefined) {
  await child(Number(values.child))
} else {
  await parent()
}

/** One mesh size, reporting each phase to the parent as soon as it is measured. */
async function child (n) {
  const { createSimMesh } = await import('../packages/testing/dist/index.js')
  const t0 = performance.now()
  const report = (phase, extra) => process.send({ phase, peers: n, [`${phase}WallS`]: (performance.now() - t0) / 1000, ...extra })
  const mesh = createSimMesh({ seed: SEED, peers: n, degree: DEGREE, topology: 'random-sparse' })
  const sent = () => mesh.routers.map((_, i) => mesh.traffic(i))
  report('built', { links: mesh.edges().length })

  const first = mesh.runUntilConverged({ maxMs: MAX_SIM_MS })
  const atConverged = sent()
  report('converged', { met: first.met, convergedMs: first.elapsedMs, ...spread('bytes', atConverged.map((t) => t.bytesSent)),
    ...spread('frames', atConverged.map((t) => t.messagesSent)), ...spread('gossipBytes', atConverged.map((t) => t.gossipBytesSent)),
    recordVersionsMean: mean(mesh.routers.map((r) => r.topology.self().version)) })

  const second = mesh.runUntilConverged({ maxMs: MAX_SIM_MS, rtts: true })
  const atSettled = sent()
  report('settled', { met: second.met, settledMs: first.elapsedMs + second.elapsedMs, ...spread('settledBytes', atSettled.map((t) => t.bytesSent)) })

  mesh.clock.advance(STEADY_MS)
  const after = sent()
  const perMinute = (k) => after.map((t, i) => ((t[k] - atSettled[i][k]) * 60_000) / STEADY_MS)
  report('steady', { stillConverged: mesh.converged(), ...spread('steadyBytesPerMin', perMinute('bytesSent')),
    ...spread('steadyGossipBytesPerMin', perMinute('gossipBytesSent')),
    heapMB: process.memoryUsage().heapUsed / 1e6, rssMB: process.memoryUsage().rss / 1e6 })
  process.exit(0)
}

async function parent () {
  const sizes = values.peers.split(',').map(Number)
  const results = []
  for (const n of sizes) {
    const r = await runSize(n)
    results.push(r)
    console.error(`${n} peers: ${r.done ? 'done' : r.stopped} in ${r.wallS?.toFixed(0)} s`)
  }
  const fmt = (x, d = 0) => (x === undefined ? '-' : x.toFixed(d))
  const kb = (x) => (x === undefined ? '-' : `${(x / 1024).toFixed(0)} KiB`)
  console.log(`weft gossip convergence (simulated, random-sparse, mean degree ${DEGREE}, seed ${SEED})`)
  const rows = [['peers', 'links', 'converged', 'settled (RTTs)', 'bytes/peer mean', 'bytes/peer max', 'frames/peer', 'steady/peer/min', 'wall to converge', 'wall total', 'heap']]
  for (const r of results) {
    rows.push([String(r.peers), fmt(r.links), r.convergedMs === undefined ? r.stopped ?? '-' : `${fmt(r.convergedMs)} ms${r.met ? '' : ' (NOT met)'}`,
      r.settledMs === undefined ? '-' : `${fmt(r.settledMs)} ms`, kb(r.bytesMean), kb(r.bytesMax), fmt(r.framesMean),
      kb(r.steadyBytesPerMinMean), r.convergedWallS === undefined ? '-' : `${fmt(r.convergedWallS)} s`, `${fmt(r.wallS)} s`, r.heapMB === undefined ? '-' : `${fmt(r.heapMB)} MB`])
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  for (const row of rows) console.log('  ' + row.map((cell, c) => cell.padEnd(widths[c])).join('  '))
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  const file = new URL(`./results/gossip-convergence-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
  writeFileSync(file, JSON.stringify({ seed: SEED, degree: DEGREE, steadyMs: STEADY_MS, results }, null, 2))
  console.log(`JSON: ${file.pathname}`)
}

/** Runs one size in a child; resolves with every phase it reported, stopped or not. */
function runSize (n) {
  return new Promise((resolve) => {
    const result = { peers: n, done: false }
    const started = performance.now()
    const proc = fork(fileURLToPath(import.meta.url), ['--child', String(n), '--seed', String(SEED), '--degree', String(DEGREE),
      '--steady-seconds', String(STEADY_MS / 1000)], { execArgv: ['--max-old-space-size=16384'] })
    const limit = setTimeout(() => {
      result.stopped = `stopped after ${values['max-minutes']} min`
      proc.kill('SIGKILL')
    }, Number(values['max-minutes']) * 60_000)
    proc.on('message', (m) => {
      Object.assign(result, m)
      if (m.phase === 'steady') result.done = true
    })
    proc.on('exit', (code, signal) => {
      clearTimeout(limit)
      result.wallS = (performance.now() - started) / 1000
      if (!result.done && result.stopped === undefined) result.stopped = `child exited (${signal ?? code})`
      resolve(result)
    })
  })
}

function mean (xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length
}

function spread (name, xs) {
  return { [`${name}Mean`]: mean(xs), [`${name}Max`]: Math.max(...xs) }
}
