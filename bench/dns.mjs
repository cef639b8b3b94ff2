#!/usr/bin/env node
/*
 * weft DNS benchmark, two figures:
 *
 *   qps          queries per second one real router answers for a local name (A, one address),
 *                from a load generator (bench/dns-load.mjs) in a process of its own in the
 *                router's network namespace, over UDP to the DNS address on the bridge, with
 *                WINDOW queries outstanding. Needs root (a lab namespace) and a build.
 *   convergence  virtual time until a name registered on one of N simulated peers (the real
 *                gossip engine carrying the real name CRDT on the `dns` channel; a random
 *                connected graph, each message delayed 1-5 ms; netsim's virtual clock) resolves
 *                on all of them, and the same for its removal; gossip messages and bytes sent.
 *
 * Prints the figures and writes JSON to bench/results/.
 *
 * usage: node bench/dns.mjs [--part qps|convergence|all] [--seconds 5] [--window 32]
 *                           [--peers 100] [--extra-links 100] [--seeds 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    part: { type: 'string', default: 'all' },
    seconds: { type: 'string', default: '5' },
    window: { type: 'string', default: '32' },
    peers: { type: 'string', default: '100' },
    'extra-links': { type: 'string', default: '100' },
    seeds: { type: 'string', default: '5' },
  },
})
const results = {}

if (values.part === 'qps' || values.part === 'all') results.qps = await qps()
if (values.part === 'convergence' || values.part === 'all') results.convergence = await convergence()

mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const file = new URL(`./results/dns-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
console.log(`results: ${fileURLToPath(file)}`)

async function qps() {
  const { createLab } = await import('../packages/testing/dist/index.js')
  const lab = await createLab({ hosts: ['h1'] })
  try {
    const [h1] = lab.hosts()
    // an upstream nobody listens on, inside the lab: local names never need one
    await h1.weft(['launch', '--nickname', 'h1', '--dns-upstream', '127.0.0.1:9'], { env: { WEFT_PASSWORD: 'dns bench secret' }, timeoutMs: 30_000 })
    await h1.weft(['dns-add', 'web', '10.32.0.5'])
    const load = fileURLToPath(new URL('./dns-load.mjs', import.meta.url))
    const run = async (window) => {
      const r = await h1.exec(process.execPath, [load, '169.254.53.53', '53', 'web.weft.local', values.seconds, String(window)], { timeoutMs: (Number(values.seconds) + 10) * 1000 })
      return JSON.parse(r.stdout)
    }
    await run(4) // warm-up: JIT, caches
    const out = { window1: await run(1), window: Number(values.window), windowN: await run(Number(values.window)) }
    console.log(`weft DNS queries per second (one router, local A answer, UDP, ${values.seconds} s each):`)
    for (const [label, r] of [['1 outstanding', out.window1], [`${values.window} outstanding`, out.windowN]]) {
      console.log(`  ${label.padEnd(16)} ${String(r.qps).padStart(7)} q/s answered; p50 ${r.p50Us} µs, p99 ${r.p99Us} µs; sent ${r.sent}, lost ${r.lost}, bad ${r.bad}`)
    }
    return out
  } finally {
    await lab.destroy()
  }
}

function convergence() {
  const require = (p) => new URL(p, import.meta.url)
  return import(require('../packages/gossip/dist/index.js')).then(async (gossip) => {
    const names = await import(require('../packages/names/dist/index.js'))
    const netsim = await import(require('../packages/netsim/dist/index.js'))
    const runs = []
    for (let seed = 1; seed <= Number(values.seeds); seed++) runs.push(once(gossip, names, netsim, seed))
    const pick = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)
    const med = (k) => pick(k)[Math.floor(runs.length / 2)]
    const max = (k) => pick(k).at(-1)
    console.log(`name convergence across ${values.peers} simulated peers (${values['extra-links']} extra links, 1-5 ms per message, ${runs.length} seeds):`)
    console.log(`  new name resolves everywhere: median ${med('addMs')} ms, max ${max('addMs')} ms (virtual); ${med('addMessages')} messages, ${med('addBytes')} bytes`)
    console.log(`  removal seen everywhere:      median ${med('removeMs')} ms, max ${max('removeMs')} ms (virtual); ${med('removeMessages')} messages, ${med('removeBytes')} bytes`)
    console.log(`  wall time per run: median ${med('wallMs')} ms`)
    return { peers: Number(values.peers), extraLinks: Number(values['extra-links']), runs }
  })
}

function once(gossip, names, netsim, seed) {
  const t0 = performance.now()
  const clock = new netsim.VirtualClock()
  const prng = netsim.createPrng(seed)
  const n = Number(values.peers)
  const ids = Array.from({ length: n }, () => Array.from({ length: 8 }, () => prng.uint32().toString(16).padStart(8, '0')).join(''))
  const peers = new Map()
  let inFlight = 0
  let messages = 0
  let bytes = 0
  for (const id of ids) {
    const p = { id }
    p.engine = gossip.createGossipEngine({ selfId: id }, {
      clock, random: () => prng.next(),
      send: (to, channel, payload) => {
        messages++
        bytes += payload.length
        inFlight++
        clock.setTimeout(() => { inFlight--; peers.get(to).engine.receive(id, channel, payload) }, prng.int(1, 5))
      },
    })
    p.names = names.createNames({ selfId: id }, { clock, publish: (d) => p.engine.publish(names.NAMES_CHANNEL, d) })
    p.engine.registerChannel(p.names)
    peers.set(id, p)
  }
  const links = new Set()
  const link = (a, b) => {
    const key = a < b ? `${a}${b}` : `${b}${a}`
    if (a === b || links.has(key)) return
    links.add(key)
    peers.get(a).engine.addNeighbour(b)
    peers.get(b).engine.addNeighbour(a)
  }
  for (let i = 1; i < n; i++) link(ids[i], ids[prng.int(0, i - 1)])
  for (let k = 0; k < Number(values['extra-links']); k++) link(ids[prng.int(0, n - 1)], ids[prng.int(0, n - 1)])
  const quiet = () => inFlight === 0 && [...peers.values()].every((p) => p.engine.stats().queued === 0)
  const runUntil = (done, maxMs) => {
    const limit = clock.now() + maxMs
    for (;;) {
      if (done()) return true
      const next = clock.nextAt()
      if (next === undefined || next > limit) return false
      clock.runNext()
    }
  }
  if (!runUntil(quiet, 60_000)) throw new Error('the mesh did not settle')
  const origin = peers.get(ids[prng.int(0, n - 1)])
  const measure = (act, holds) => {
    const m0 = messages
    const b0 = bytes
    const start = clock.now()
    act()
    if (!runUntil(() => [...peers.values()].every(holds), 60_000)) throw new Error('did not converge in 60 s (virtual)')
    return { ms: clock.now() - start, messages: messages - m0, bytes: bytes - b0 }
  }
  const add = measure(() => origin.names.register('web', '10.32.0.5', 'c:web'), (p) => p.names.lookup('web').length === 1)
  const remove = measure(() => origin.names.unregister('web'), (p) => p.names.lookup('web').length === 0)
  for (const p of peers.values()) p.engine.close()
  return {
    seed, addMs: add.ms, addMessages: add.messages, addBytes: add.bytes,
    removeMs: remove.ms, removeMessages: remove.messages, removeBytes: remove.bytes, wallMs: Math.round(performance.now() - t0),
  }
}
