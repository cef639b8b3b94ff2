/*
 * The measurements both two-host benchmarks make (bench/run.mjs, bench/side-by-side.mjs): across
 * any overlay between two namespaces, single- and 4-stream TCP (iperf3), ping RTT, 64-byte UDP
 * packets/s received, and the tunnel processes' CPU-seconds per GB during the single stream.
 *
 * An endpoint is { exec(cmd, args, opts), spawn(cmd, args) } running commands in the namespace
 * that holds the overlay address (a weft container, or the host namespace of an anchor tunnel).
 */
import { readFileSync } from 'node:fs'

const CLK_TCK = 100

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** utime + stime of a process (and its reaped children), in seconds. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export async function iperf(client, server, target, seconds, args) {
  const srv = server.spawn('iperf3', ['-s', '-1', '-J'])
  await sleep(300)
  const r = await client.exec('iperf3', ['-c', target, '-J', '-t', String(seconds), ...args], { timeoutMs: (seconds + 30) * 1000 })
  await srv.wait()
  return JSON.parse(r.stdout)
}

/** Mean RTT in ms of 20 pings 50 ms apart, NaN when none came back. */
export async function pingRtt(client, target) {
  const r = await client.exec('ping', ['-c', '20', '-i', '0.05', '-q', target], { timeoutMs: 30_000, allowFail: true })
  const m = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)
  return m ? Number(m[1]) : NaN
}

/** An endpoint in a LabHost's own namespace. */
export function hostEndpoint(h) {
  return { exec: (cmd, args, opts) => h.exec(cmd, args, opts), spawn: (cmd, args) => h.spawn(cmd, args) }
}

/** An endpoint in a namespace `netns` reached from LabHost `h` (e.g. a weft container). */
export function netnsEndpoint(h, netns) {
  return {
    exec: (cmd, args, opts) => h.exec('ip', ['netns', 'exec', netns, cmd, ...args], opts),
    spawn: (cmd, args) => h.spawn('ip', ['netns', 'exec', netns, cmd, ...args]),
  }
}

/**
 * Measures one overlay: `client` and `server` endpoints, `target` the server's overlay address,
 * `pids` the tunnel processes whose CPU is counted, `underlay` { client endpoint, address } for
 * the baseline RTT.
 */
export async function measureOverlay({ client, server, target, pids, seconds, underlay, hostPing }) {
  const cpu0 = pids.map(cpuSeconds)
  const single = await iperf(client, server, target, seconds, [])
  const cpu1 = pids.map(cpuSeconds)
  const bytes = single.end.sum_received.bytes
  const multi = await iperf(client, server, target, seconds, ['-P', '4'])
  const udp = await iperf(client, server, target, seconds, ['-u', '-l', '64', '-b', '0'])
  const udpSum = udp.end.sum
  const rttMs = await pingRtt(client, target)
  const underlayRttMs = await pingRtt(underlay.client, underlay.address)
  // host namespace to host namespace across the overlay: where an anchor's own addresses sit
  const hostRttMs = hostPing === undefined ? rttMs : await pingRtt(hostPing.client, hostPing.target)
  const cpu = cpu1.reduce((a, c, i) => a + c - cpu0[i], 0)
  return {
    singleMbps: single.end.sum_received.bits_per_second / 1e6,
    multiMbps: multi.end.sum_received.bits_per_second / 1e6,
    udpPps: (udpSum.packets - udpSum.lost_packets) / udpSum.seconds,
    udpLossPercent: udpSum.lost_percent,
    rttMs,
    underlayRttMs,
    rttOverheadMs: rttMs - underlayRttMs,
    hostRttMs,
    hostRttOverheadMs: hostRttMs - underlayRttMs,
    cpuSecondsPerGB: cpu / (bytes / 1e9),
  }
}

/** Launches two weft routers and one container on each; returns what measureOverlay needs. */
export async function startWeftPair(lab, { secret, launchArgs = [], env: extraEnv = {} }) {
  const { waitFor } = await import('../../packages/testing/dist/index.js')
  const [h1, h2] = lab.hosts()
  const env = { WEFT_PASSWORD: secret, ...extraEnv }
  await h1.weft(['launch', '--nickname', 'h1', ...launchArgs], { env })
  await h2.weft(['launch', '--nickname', 'h2', ...launchArgs, h1.address], { env })
  await h1.weft(['run', 'c1', '--ip', '10.44.0.1/16', '-d', '--', 'sleep', 'infinity'])
  await h2.weft(['run', 'c2', '--ip', '10.44.0.2/16', '-d', '--', 'sleep', 'infinity'])
  const c1 = `${h1.containerPrefix}c1`
  const c2 = `${h2.containerPrefix}c2`
  await waitFor(async () => (await h1.exec('ip', ['netns', 'exec', c1, 'ping', '-c1', '-W1', '10.44.0.2'], { allowFail: true })).code === 0 || undefined,
    { timeoutMs: 15_000, what: 'overlay ping' })
  // each host also gets an overlay address on its bridge (weft expose): host-to-host RTT
  await h1.weft(['expose', '10.44.255.1/16'])
  await h2.weft(['expose', '10.44.255.2/16'])
  await waitFor(async () => (await h1.exec('ping', ['-c1', '-W1', '10.44.255.2'], { allowFail: true })).code === 0 || undefined,
    { timeoutMs: 15_000, what: 'host-to-host overlay ping' })
  const status = async (h) => JSON.parse((await h.weft(['status', '--json'])).stdout)
  const pids = [(await status(h1)).router.pid, (await status(h2)).router.pid]
  return {
    client: netnsEndpoint(h1, c1),
    server: netnsEndpoint(h2, c2),
    target: '10.44.0.2',
    pids,
    underlay: { client: hostEndpoint(h1), address: h2.address },
    hostPing: { client: hostEndpoint(h1), target: '10.44.255.2' },
    stop: async () => {
      await h1.weft(['stop'])
      await h2.weft(['stop'])
    },
  }
}
