#!/usr/bin/env node
/*
 * weft router memory benchmark: the resident set of ONE real router, alone and with N peers.
 * Needs root (the router makes its TAP and bridge, inside a namespace of this run) and a build
 * (`npx tsc -b`).
 *
 *   namespace bench-mem-<pid>  (loopback only; deleted at the end)
 *   ┌──────────────────────────────────────────────────────────────────────┐
 *   │  weft router  ◄── TCP 6783: Noise XXpsk0, hello, pings, gossip ──┐   │
 *   │  (weft launch --foreground, WEFT_HOME in a temp dir)             │   │
 *   │      ▲  UDP 6783: data-path heartbeats, both ways                │   │
 *   │      └──────────────────────────── N fake peers, one process ────┘   │
 *   │                                   (own identity, real handshake,      │
 *   │                                    gossip engine + topology, a       │
 *   │                                    data path on a ChannelTap)         │
 *   └──────────────────────────────────────────────────────────────────────┘
 *
 * Sequence: start the router, let it settle, sample VmRSS from /proc/PID/status (RSS at 0 peers);
 * start the fake peers, wait until the router's record lists all N as established and every fake
 * peer holds all N + 1 records, let it settle, sample again (RSS at N peers). Prints a table and
 * writes JSON to bench/results/.
 *
 * Breakdown (both times): the kernel's split of the RSS (/proc/PID/status RssAnon, RssFile,
 * RssShmem, and the biggest mappings from /proc/PID/smaps), and the process's own view: a
 * preload (NODE_OPTIONS=--require, written to the temp home) answers SIGUSR2 with
 * process.memoryUsage() and V8's heap spaces, written to a file the bench reads.
 *
 * usage: sudo node bench/router-memory.mjs [--peers N] [--settle-seconds N]
 *                                         [--router-node-options '--max-semi-space-size=2']
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '100' },
    'settle-seconds': { type: 'string', default: '20' },
    'fake-peers': { type: 'string' },
    'router-node-options': { type: 'string', default: '' },
    secret: { type: 'string' },
  },
})
const CLI = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url))
const SCRIPT = fileURLToPath(import.meta.url)
const PORT = 6783
const MTU = 1376
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

if (values['fake-peers'] !== undefined) await fakePeers(Number(values['fake-peers']), values.secret)
else await main()

async function main () {
  if (process.getuid?.() !== 0) {
    console.error('router-memory: needs root (network namespace, TAP, bridge); run with sudo')
    process.exit(2)
  }
  const peers = Number(values.peers)
  const settleMs = Number(values['settle-seconds']) * 1000
  const ns = `bench-mem-${process.pid}`
  const home = mkdtempSync(join(tmpdir(), 'weft-bench-mem-'))
  const secret = `bench ${randomBytes(12).toString('hex')}`
  const preload = join(home, 'mem-report.cjs')
  writeFileSync(preload, memReportPreload())
  const env = { ...process.env, WEFT_HOME: home, WEFT_PASSWORD: secret }
  const routerEnv = { ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${values['router-node-options']} --require ${preload}`.trim() }
  let cli = null
  let fake = null
  let routerPid = null
  try {
    sh('ip', ['netns', 'add', ns])
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    const log = join(home, 'router.out')
    cli = spawn('sh', ['-c', `exec ip netns exec ${ns} ${process.execPath} ${CLI} launch --foreground --nickname bench ` +
      `--metrics-addr off --log-level warn >${log} 2>&1`], { env: routerEnv, stdio: 'ignore' })
    routerPid = await until(() => {
      const f = join(home, 'weft.pid')
      return existsSync(f) && status(env) ? Number(readFileSync(f, 'utf8')) : undefined
    }, 30_000, `the router to start (see ${log})`)
    await sleep(settleMs)
    const alone = sampleRss(routerPid)
    const aloneBreakdown = await breakdown(routerPid, home)
    const aloneStatus = status(env)

    fake = spawn('ip', ['netns', 'exec', ns, process.execPath, SCRIPT, '--fake-peers', String(peers), '--secret', secret],
      { stdio: ['ignore', 'pipe', 'inherit'] })
    let last = null // the fake peers' latest report
    const ready = await new Promise((resolve, reject) => {
      let buf = ''
      const timer = setTimeout(() => reject(new Error(`fake peers not ready after 120 s (last: ${JSON.stringify(last)})`)), 120_000)
      fake.stdout.on('data', (d) => {
        buf += d
        const lines = buf.split('\n')
        buf = lines.pop()
        for (const line of lines.filter((l) => l.startsWith('{'))) {
          last = JSON.parse(line)
          if (last.ready) {
            clearTimeout(timer)
            resolve(last)
          }
        }
      })
      fake.on('exit', (code) => reject(new Error(`fake peers exited (${code})`)))
    })
    await sleep(settleMs)
    const loaded = sampleRss(routerPid)
    const loadedBreakdown = await breakdown(routerPid, home)
    const loadedStatus = status(env)
    const routerPeers = loadedStatus?.peers?.length
    const established = (loadedStatus?.connections ?? []).filter((c) => c.state === 'established').length
    const routerLog = readFileSync(log, 'utf8').split('\n').filter((l) => l.trim() !== '')
    const logCounts = {}
    for (const line of routerLog) {
      let msg = line.slice(0, 80)
      try { msg = JSON.parse(line).msg } catch {}
      logCounts[msg] = (logCounts[msg] ?? 0) + 1
    }

    const rows = [
      ['router RSS, no peers', `${mb(alone.rssKb)} (median of ${alone.samples} samples; peak so far ${mb(alone.hwmKb)})`],
      [`router RSS, ${peers} peers`, `${mb(loaded.rssKb)} (median of ${loaded.samples} samples; peak so far ${mb(loaded.hwmKb)})`],
      ['per peer', `${((loaded.rssKb - alone.rssKb) / 1024 / peers * 1000).toFixed(0)} KB`],
      ['router knows', `${routerPeers} peers in status, ${established} established connections (${aloneStatus?.peers?.length ?? '?'} before)`],
      ['fake peers ready after', `${(ready.ms / 1000).toFixed(1)} s (each holds ${ready.records} records)`],
      ['at the end', `the router's record lists ${last?.routerEstablished} of ${peers} links established; ${last?.closed} fake connections closed`],
      ['router log (warn+)', `${routerLog.length} lines: ${Object.entries(logCounts).map(([m, c]) => `${c} x '${m}'`).join(', ') || 'none'}`],
    ]
    for (const [when, b] of [['no peers', aloneBreakdown], [`${peers} peers`, loadedBreakdown]]) {
      const u = b.usage
      rows.push([`breakdown, ${when}`, `kernel: anon ${mb(b.kernel.RssAnon)}, file ${mb(b.kernel.RssFile)}, shmem ${mb(b.kernel.RssShmem)}; ` +
        (u === null ? 'no report from the process' : `node: rss ${mb(u.rss / 1024)}, heapTotal ${mb(u.heapTotal / 1024)}, ` +
          `heapUsed ${mb(u.heapUsed / 1024)}, external ${mb(u.external / 1024)} (arrayBuffers ${mb(u.arrayBuffers / 1024)})`)])
      rows.push([`  top mappings`, b.mappings.map((m) => `${m.name} ${mb(m.rssKb)}`).join(', ')])
      if (u !== null) rows.push(['  heap spaces', u.spaces.filter((x) => x.used > 1024 * 1024).map((x) => `${x.name} ${mb(x.used / 1024)}/${mb(x.size / 1024)}`).join(', ')])
    }
    console.log(`weft router memory: one router, ${peers} fake peers over loopback, settle ${settleMs / 1000} s` +
      (values['router-node-options'] === '' ? '' : `, router NODE_OPTIONS ${values['router-node-options']}`))
    for (const [k, v] of rows) console.log(`  ${k.padEnd(24)} ${v}`)
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
    const file = new URL(`./results/router-memory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
    writeFileSync(file, JSON.stringify({ peers, settleMs, alone, loaded, aloneBreakdown, loadedBreakdown, routerPeers, established, ready, atEnd: last, logCounts, routerLog: routerLog.slice(0, 200) }, null, 2))
    console.log(`JSON: ${file.pathname}`)
  } finally {
    if (fake !== null) await stop(fake.pid)
    if (routerPid !== null) await stop(routerPid)
    if (cli !== null) await stop(cli.pid)
    spawnSync('ip', ['netns', 'del', ns])
    rmSync(home, { recursive: true, force: true })
  }
}

/** VmRSS and VmHWM of `pid`, median of 10 samples a second apart (kB). */
function sampleRss (pid) {
  const read = () => {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8')
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)[1]), hwm: Number(/VmHWM:\s+(\d+)/.exec(s)[1]) }
  }
  const xs = []
  for (let i = 0; i < 10; i++) {
    xs.push(read())
    spawnSync('sleep', ['1'])
  }
  const sorted = xs.map((x) => x.rss).sort((a, b) => a - b)
  return { rssKb: sorted[Math.floor(sorted.length / 2)], hwmKb: Math.max(...xs.map((x) => x.hwm)), samples: xs.length, all: xs.map((x) => x.rss) }
}

/** Run inside the router (NODE_OPTIONS=--require): on SIGUSR2, its memory as it sees it. */
function memReportPreload () {
  return `
const { writeFileSync, renameSync } = require('node:fs')
const v8 = require('node:v8')
const path = require('node:path')
process.on('SIGUSR2', () => {
  const out = { ...process.memoryUsage(), spaces: v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, used: s.space_used_size, size: s.space_size })) }
  const file = path.join(process.env.WEFT_HOME, 'mem-' + process.pid + '.json')
  writeFileSync(file + '.tmp', JSON.stringify(out))
  renameSync(file + '.tmp', file)
})
`
}

/** The kernel's split of `pid`'s RSS, its five biggest mappings, and its own memoryUsage() (or null). */
async function breakdown (pid, home) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kernel = {}
  for (const k of ['VmRSS', 'RssAnon', 'RssFile', 'RssShmem']) kernel[k] = Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN)
  const byName = new Map()
  let name = null
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (head !== null) { name = head[1] === '' ? '[anon]' : head[1].split('/').pop(); continue }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss !== null) byName.set(name, (byName.get(name) ?? 0) + Number(rss[1]))
  }
  const mappings = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, kb]) => ({ name: n, rssKb: kb }))
  const file = join(home, `mem-${pid}.json`)
  rmSync(file, { force: true })
  let usage = null
  try {
    process.kill(pid, 'SIGUSR2')
    usage = await until(() => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined), 5_000, 'the memory report')
  } catch {}
  return { kernel, mappings, usage }
}

function status (env) {
  const r = spawnSync(process.execPath, [CLI, 'status', '--json'], { env, encoding: 'utf8', timeout: 10_000 })
  return r.status === 0 ? JSON.parse(r.stdout) : undefined
}

function sh (cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`)
}

async function until (fn, timeoutMs, what) {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

/** SIGTERM, then SIGKILL if still alive after 5 s. */
async function stop (pid) {
  const alive = () => { try { process.kill(pid, 0); return true } catch { return false } }
  if (!alive()) return
  process.kill(pid, 'SIGTERM')
  for (let i = 0; i < 50 && alive(); i++) await sleep(100)
  if (alive()) process.kill(pid, 'SIGKILL')
}

function mb (kb) {
  return `${(kb / 1024).toFixed(1)} MiB`
}

/**
 * The fake peers, run inside the namespace: each with its own identity, the daemon's own
 * ControlConnection as initiator, a `hello`, pongs, a gossip engine with the topology channel,
 * and a data path that heartbeats the router as the router's link monitor expects.
 */
async function fakePeers (n, secret) {
  const { ControlConnection } = await import('../packages/daemon/dist/control/control-connection.js')
  const { PROTOCOL_VERSION } = await import('../packages/daemon/dist/constants.js')
  const { NODE_CLOCK } = await import('../packages/daemon/dist/mesh/node-clock.js')
  const { deriveNetworkKey, generateIdentity } = await import('../packages/crypto/dist/index.js')
  const { TOPOLOGY_CHANNEL, createGossipEngine, createTopology } = await import('../packages/gossip/dist/index.js')
  const { createDatapath } = await import('../packages/datapath/dist/index.js')
  const { ChannelTap } = await import('../packages/tap/dist/index.js')
  const { openUdpBind } = await import('../packages/udp/dist/index.js')
  const { PacketKind } = await import('../packages/wire/dist/index.js')
  const networkKey = deriveNetworkKey(secret)
  const started = Date.now()
  const all = []
  const EMPTY = new Uint8Array(0)
  let stopping = false

  async function start (i) {
    const identity = generateIdentity()
    const selfId = identity.publicKey.toString('hex')
    const bind = await openUdpBind({ port: 0, address: '127.0.0.1' })
    const tap = new ChannelTap({ batchSize: 1, slotSize: 2048, keepWritten: false })
    const dp = createDatapath({ mtu: MTU, selfId }, { tap, bind })
    const peer = { selfId, routerId: null, hello: false, closed: null, timers: [] }
    const conn = new ControlConnection({ socket: net.connect({ host: '127.0.0.1', port: PORT }), role: 'initiator', identity, networkKeys: [networkKey] })
    const engine = createGossipEngine({ selfId }, {
      clock: NODE_CLOCK, random: Math.random, send: (_to, channel, payload) => conn.send({ t: 'gossip', channel, payload }),
    })
    const restartId = randomBytes(8).toString('hex')
    const topology = createTopology({ selfId, nickname: `fake-${i}`, restartId, udpPort: bind.port },
      { clock: NODE_CLOCK, publish: (delta) => engine.publish(TOPOLOGY_CHANNEL, delta) })
    engine.registerChannel(topology)
    const localIndex = randomInt(1, 2 ** 32 - 1)
    conn.on('established', () => {
      peer.routerId = conn.remotePublicKey.toString('hex')
      conn.send({ t: 'hello', version: PROTOCOL_VERSION, nickname: `fake-${i}`, restartId, udpPort: bind.port, sessionIndex: localIndex, mtu: MTU, addresses: ['127.0.0.1'] })
    })
    conn.on('message', (msg) => {
      if (msg.t === 'ping') conn.send({ t: 'pong', id: msg.id, sentAt: msg.sentAt })
      else if (msg.t === 'gossip' && peer.hello) engine.receive(peer.routerId, msg.channel, msg.payload)
      else if (msg.t === 'hello' && !peer.hello) {
        peer.hello = true
        const { send, receive } = conn.dataKeys
        dp.addSession(peer.routerId, { localIndex, remoteIndex: msg.sessionIndex, sendKey: send, receiveKey: receive }, { address: '127.0.0.1', port: msg.udpPort }, msg.mtu)
        engine.addNeighbour(peer.routerId)
        topology.updateSelf({
          addresses: msg.addresses.slice(0, 1),
          connections: [{ peer: peer.routerId, address: `127.0.0.1:${msg.udpPort}`, outbound: true, established: true, rttMs: null }],
        })
        peer.timers.push(setInterval(() => dp.sendControlPacket(peer.routerId, PacketKind.Heartbeat, EMPTY, true), 200))
      }
    })
    conn.on('close', (reason) => {
      peer.closed = reason
      if (!stopping) console.error(`fake-${i}: connection closed: ${reason}`)
    })
    peer.topology = topology
    peer.close = () => {
      for (const t of peer.timers) clearInterval(t)
      engine.close()
      conn.close('bench done')
      bind.close()
      tap.close?.()
    }
    all.push(peer)
  }

  for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, k) => start(i + k)))
  process.on('SIGTERM', () => {
    stopping = true
    for (const p of all) p.close()
    process.exit(0)
  })
  // ready: the router's record (as every fake peer holds it) lists all n as established, and each
  // fake peer holds every record
  for (;;) {
    await sleep(250)
    const routerId = all[0].routerId
    const ok = all.every((p) => {
      const router = routerId && p.topology.get(routerId)
      return p.hello && p.closed === null && p.topology.peers().length === n + 1 &&
        router && router.connections.filter((c) => c.established).length === n
    })
    if (ok) break
  }
  console.log(JSON.stringify({ ready: true, ms: Date.now() - started, records: all[0].topology.peers().length }))
  // then, every second: what the router's record says now (its link monitor may mark links down)
  setInterval(() => {
    const router = all[0].topology.get(all[0].routerId)
    const closed = all.filter((p) => p.closed !== null).length
    console.log(JSON.stringify({ routerEstablished: router.connections.filter((c) => c.established).length, records: all[0].topology.peers().length, closed }))
  }, 1000)
}
