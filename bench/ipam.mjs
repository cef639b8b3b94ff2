#!/usr/bin/env node
/*
 * weft IPAM benchmark. Needs a build (`npx tsc -b`); no root, no network.
 *
 * 1. Allocations per second on one peer: the real allocator (@weft/ipam) with the router's LMDB
 *    store (LmdbIpamStore over @weft/store in a temporary directory), a lone peer (consensus=1),
 *    so every allocation is acknowledged only after its records are committed and flushed; and,
 *    for comparison, the layout weft used before (`whole`: the whole snapshot as one LMDB value,
 *    rewritten at every save):
 *      sequential   one allocate() at a time, each awaited (one LMDB commit per allocation)
 *      concurrent   --batch allocate() calls in flight at once (group commit shares the saves)
 *    and release() one at a time. The whole snapshot holds every allocation, so its size grows
 *    with the table; the per-record layout writes a few small records per save.
 * 2. Container creation through the real control API (ApiClient over WEFT_HOME/weft.sock) on a
 *    real router launched in a lab namespace (@weft/testing createLab; needs root): --router
 *    containers created with IPAM (`cidrs: []`) alternating with as many with explicit CIDRs,
 *    each a new namespace and veth; the difference is what IPAM adds per container. (The
 *    router's 2 s container sweep runs `ip` for every container in the same queue, so the time per
 *    container grows with the number of containers.)
 *    `--router 0` skips it.
 * 3. Ring initialisation: N simulated routers (@weft/testing createSimMesh: the real gossip engine
 *    and topology on netsim's virtual clock, random sparse mesh, 1-5 ms links) each with an
 *    allocator on its gossip engine (memory store). Once the topology has converged, router 0
 *    allocates; measured in virtual ms until (a) that allocation resolves and (b) every router holds
 *    the ring, for consensus with the default quorum (floor(N/2)+1, all N peers participating) and
 *    for seed mode (all N ids as seeds).
 *
 * usage: node bench/ipam.mjs [--allocations N] [--batch N] [--router N] [--peers 3,10,50] [--seed N]
 *                           [--layout records,whole]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { createAllocator, createMemoryIpamStore, decodeSnapshot, encodeSnapshot, IPAM_CHANNEL } from '../packages/ipam/dist/index.js'
import { openStore } from '../packages/store/dist/index.js'
import { LmdbIpamStore } from '../packages/daemon/dist/ipam/lmdb-ipam-store.js'
import { NODE_CLOCK } from '../packages/daemon/dist/mesh/node-clock.js'
import { ApiClient } from '../packages/api/dist/index.js'
import { createLab, createSimMesh, runUntilAsync } from '../packages/testing/dist/index.js'

const { values } = parseArgs({
  options: {
    allocations: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '100' },
    router: { type: 'string', default: '20' },
    peers: { type: 'string', default: '3,10,50' },
    seed: { type: 'string', default: '1' },
    layout: { type: 'string', default: 'records,whole' },
  },
})
const N_ALLOC = Number(values.allocations)
const BATCH = Number(values.batch)
const SELF = 'a'.repeat(64)

const rate = (n, ms) => { const r = (n * 1000) / ms; return r >= 100 ? String(Math.round(r)) : r.toFixed(2) }

/** The layout before per-record writes: the whole snapshot as one value, rewritten at every save. */
class WholeSnapshotStore {
  constructor(store) { this.store = store }
  load() {
    const bytes = this.store.getMeta('ipam-snapshot')
    return bytes === undefined ? undefined : decodeSnapshot(bytes)
  }
  save(snapshot) { return this.store.putMeta('ipam-snapshot', encodeSnapshot(snapshot)) }
}

async function allocationRate(layout) {
  const home = mkdtempSync(join(tmpdir(), 'weft-bench-ipam-'))
  const store = openStore({ home })
  const ipamStore = layout === 'whole' ? new WholeSnapshotStore(store) : new LmdbIpamStore(store)
  const ipam = createAllocator({ selfId: SELF, mode: { kind: 'consensus', quorum: 1 } },
    { clock: NODE_CLOCK, random: Math.random, store: ipamStore, publish: () => undefined })
  try {
    await ipam.allocate('warm-up')
    let t = performance.now()
    for (let i = 0; i < N_ALLOC; i++) await ipam.allocate(`s${i}`)
    const seqMs = performance.now() - t
    t = performance.now()
    for (let i = 0; i < N_ALLOC; i += BATCH) {
      await Promise.all(Array.from({ length: Math.min(BATCH, N_ALLOC - i) }, (_, k) => ipam.allocate(`c${i + k}`)))
    }
    const concMs = performance.now() - t
    t = performance.now()
    for (let i = 0; i < N_ALLOC; i++) await ipam.release(`s${i}`)
    const relMs = performance.now() - t
    console.log(`allocator + LMDB (${layout === 'whole' ? 'whole snapshot per save, the old layout' : 'per-record writes'}), lone peer, ${N_ALLOC} each (table grows 1 -> ${2 * N_ALLOC + 1} allocations):`)
    console.log(`  sequential allocate   ${rate(N_ALLOC, seqMs)}/s  (${(seqMs / N_ALLOC).toFixed(2)} ms each)`)
    console.log(`  concurrent allocate   ${rate(N_ALLOC, concMs)}/s  (${BATCH} in flight)`)
    console.log(`  sequential release    ${rate(N_ALLOC, relMs)}/s`)
  } finally {
    ipam.close()
    await store.close()
    rmSync(home, { recursive: true, force: true })
  }
}

async function routerRate(n) {
  const lab = await createLab({ hosts: ['h1'] })
  try {
    const [h1] = lab.hosts()
    await h1.weft(['launch', '--nickname', 'h1'], { env: { WEFT_PASSWORD: 'benchmark secret 123' }, timeoutMs: 30_000 })
    const api = new ApiClient(h1.home)
    // alternated, so both kinds see the same number of containers already there
    let ipamMs = 0
    let explicitMs = 0
    for (let i = 0; i < n; i++) {
      let t = performance.now()
      await api.createContainer({ name: `i${i}`, cidrs: [] })
      ipamMs += performance.now() - t
      t = performance.now()
      await api.createContainer({ name: `e${i}`, cidrs: [`10.99.${i >> 8}.${(i & 255) + 1}/16`] })
      explicitMs += performance.now() - t
    }
    const t = performance.now()
    for (let i = 0; i < n; i++) await api.removeContainer(`i${i}`)
    const rmMs = performance.now() - t
    console.log(`real router in a namespace, control API, ${n} containers each (new netns + veth each):`)
    console.log(`  create with IPAM      ${rate(n, ipamMs)}/s  (${(ipamMs / n).toFixed(1)} ms each)`)
    console.log(`  create, explicit CIDR ${rate(n, explicitMs)}/s  (${(explicitMs / n).toFixed(1)} ms each)`)
    console.log(`  rm (releases)         ${rate(n, rmMs)}/s  (${(rmMs / n).toFixed(1)} ms each)`)
  } finally {
    await lab.destroy()
  }
}

async function ringInit(n, kind) {
  const mesh = createSimMesh({ seed: Number(values.seed), peers: n })
  const converged = mesh.runUntilConverged({ maxMs: 60_000 })
  if (!converged.met) throw new Error(`topology of ${n} did not converge`)
  const routers = mesh.routers
  const mode = kind === 'seed' ? { kind: 'seed', peers: [...mesh.ids] } : { kind: 'consensus', quorum: Math.floor(n / 2) + 1 }
  const allocators = routers.map((r) => {
    const a = createAllocator({ selfId: r.selfId, mode }, {
      clock: mesh.clock, random: Math.random, store: createMemoryIpamStore(),
      publish: (d) => r.gossip.publish(IPAM_CHANNEL, d),
      isReachable: (p) => r.routes.current().unicast.has(p),
    })
    r.gossip.registerChannel(a)
    return a
  })
  const t0 = mesh.clock.now()
  const wall = performance.now()
  let allocatedAt = null
  allocators[0].allocate('first').then(() => { allocatedAt = mesh.clock.now() }, (err) => { allocatedAt = err })
  const ok = await runUntilAsync(mesh.clock, () => allocatedAt !== null && allocators.every((a) => a.status().ringId !== null), 120_000)
  if (!ok || typeof allocatedAt !== 'number') throw new Error(`${kind} ring of ${n} did not initialise: ${allocatedAt}`)
  const everyone = mesh.clock.now() - t0
  for (const a of allocators) a.close()
  return { allocMs: allocatedAt - t0, everyoneMs: everyone, wallS: (performance.now() - wall) / 1000 }
}

for (const layout of values.layout.split(',')) {
  await allocationRate(layout)
  console.log('')
}
if (Number(values.router) > 0) {
  await routerRate(Number(values.router))
  console.log('')
}
console.log('ring initialisation (virtual time after the topology converged; router 0 allocates first):')
console.log('  peers  mode            first allocation  every peer has the ring  wall')
for (const n of values.peers.split(',').map(Number)) {
  for (const kind of ['consensus', 'seed']) {
    const r = await ringInit(n, kind)
    const label = kind === 'seed' ? 'seed' : `consensus=${Math.floor(n / 2) + 1}`
    console.log(`  ${String(n).padEnd(5)}  ${label.padEnd(14)}  ${String(r.allocMs).padStart(8)} ms       ${String(r.everyoneMs).padStart(8)} ms            ${r.wallS.toFixed(1)} s`)
  }
}
process.exit(0)
