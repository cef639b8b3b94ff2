/**
 * Two data paths over real TAPs and loopback UDP, one with the native fast path and the other
 * with or without it: ping and a short TCP transfer (iperf3) between two namespaces, then a
 * check that the fast path carried the unicast traffic. The mixed pair shows the wire is the
 * same whichever side handles a packet.
 *
 *   ns A                                                                  ns B
 *   10.77.0.1/24 wf0 ─ TAP fd ─ Datapath A   127.0.0.1:pA ⇄ 127.0.0.1:pB   Datapath B ─ TAP fd ─ wf0 10.77.0.2/24
 *                               (this process, root namespace, loopback UDP only)
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import type { FastPath, NativeTap } from '@weft/tap'
import { openFastPath, openTap } from '@weft/tap'
import type { Bind } from '@weft/udp'
import { FastBind, openUdpBind } from '@weft/udp'
import { Datapath, REKEY_AFTER_PACKETS } from '@weft/datapath'
import { TestNetns } from '../../tap/test/netns.js'

const run = promisify(execFile)

interface Side {
  ns: TestNetns
  tap: NativeTap
  bind: Bind
  fast: FastPath | undefined
  dp: Datapath
}

const sides: Side[] = []

async function side(address: string, fastPath: boolean, rekeyAfter = REKEY_AFTER_PACKETS, gso = false): Promise<Side> {
  const ns = new TestNetns().create()
  const s: Partial<Side> = { ns }
  sides.push(s as Side)
  s.tap = openTap({ name: 'wf0', netns: ns.path })
  if (fastPath) {
    s.fast = openFastPath({ port: 0, address: '127.0.0.1', rekeyAfter, gso })
    s.bind = new FastBind(s.fast, false)
    s.tap.attachFastPath(s.fast)
  } else {
    s.bind = await openUdpBind({ port: 0, address: '127.0.0.1' })
  }
  s.dp = new Datapath({ mtu: 1400 }, { tap: s.tap, bind: s.bind, fast: s.fast })
  ns.ip(`addr add ${address}/24 dev wf0`, 'link set wf0 mtu 1400 up')
  return s as Side
}

/** Sessions A:ia <-> B:ib; B's only receives until A's first datagram on it when `rekey` (a rekey's answering side). */
function connect(a: Side, b: Side, ia = 11, ib = 22, rekey = false): void {
  const ab = randomBytes(32)
  const ba = randomBytes(32)
  a.dp.addSession('B', { localIndex: ia, remoteIndex: ib, sendKey: ab, receiveKey: ba }, { address: '127.0.0.1', port: b.bind.port })
  b.dp.addSession('A', { localIndex: ib, remoteIndex: ia, sendKey: ba, receiveKey: ab }, { address: '127.0.0.1', port: a.bind.port }, 1400, !rekey)
}

function inNs(ns: TestNetns, ...cmd: string[]): Promise<{ stdout: string }> {
  return run('ip', ['netns', 'exec', ns.name, ...cmd], { timeout: 30_000 })
}

const TRANSFER_BYTES = 4 * 1024 * 1024
// A one-off TCP sink in B that prints how many bytes it got, and a source in A that sends them.
const SINK = `const s = require('net').createServer((c) => { let n = 0; c.on('data', (d) => { n += d.length });
  c.on('end', () => { process.stdout.write(String(n)); c.end(); s.close() }) }).listen(5201, '10.77.0.2')`
const SOURCE = `const c = require('net').connect(5201, '10.77.0.2', () => { c.end(Buffer.alloc(${TRANSFER_BYTES}, 7)) });
  c.on('error', () => process.exit(1)); c.on('close', () => process.exit(0))`

/** ping, then 4 MB of TCP from A to B, counted by the receiver. */
async function exercise(a: Side, b: Side): Promise<void> {
  const ping = await inNs(a.ns, 'ping', '-c', '5', '-i', '0.2', '-W', '2', '10.77.0.2')
  expect(ping.stdout).toMatch(/5 received/)
  const sink = inNs(b.ns, process.execPath, '-e', SINK)
  let sent = false
  for (let i = 0; i < 20 && !sent; i++) {
    await new Promise((r) => setTimeout(r, 150))
    sent = await inNs(a.ns, process.execPath, '-e', SOURCE).then(() => true, () => false)
  }
  expect(sent).toBe(true)
  expect(Number((await sink).stdout)).toBe(TRANSFER_BYTES)
}

afterEach(async () => {
  for (const s of sides.splice(0)) {
    s.tap?.close()
    await s.bind?.close()
    s.ns.destroy()
  }
})

describe('fast path between two namespaces', () => {
  it('fast path on both ends: ping and TCP, the unicast traffic carried natively', async () => {
    const a = await side('10.77.0.1', true)
    const b = await side('10.77.0.2', true)
    connect(a, b)
    await exercise(a, b)
    // 4 MB at MTU 1400 is ~3000 segments from A to B; the ACKs going back are fewer
    const ca = a.dp.fastPathCounters()
    const cb = b.dp.fastPathCounters()
    expect(ca?.framesIn).toBeGreaterThan(2000)
    expect(cb?.framesOut).toBeGreaterThan(2000)
    expect(cb?.framesIn).toBeGreaterThan(10)
    expect(ca?.framesOut).toBeGreaterThan(10)
    expect((ca?.badTag ?? 1) + (cb?.badTag ?? 1) + (ca?.replay ?? 1) + (cb?.replay ?? 1)).toBe(0)
    expect(a.dp.drops().bad_tag + b.dp.drops().bad_tag).toBe(0)
    // what the fast path carried shows in the session counters the control path reads
    expect(a.dp.sessionStats()[0].packetsSent).toBeGreaterThanOrEqual(a.dp.fastPathCounters()?.datagramsSent ?? Infinity)
  })

  it('with UDP GSO on the sender: runs go out as GSO messages, every datagram arrives and opens', async () => {
    const a = await side('10.77.0.1', true, REKEY_AFTER_PACKETS, true)
    const b = await side('10.77.0.2', true)
    connect(a, b)
    await exercise(a, b)
    const ca = a.dp.fastPathCounters()
    const cb = b.dp.fastPathCounters()
    expect(ca?.gsoSends).toBeGreaterThan(0)
    expect(cb?.gsoSends).toBe(0)
    expect(ca?.sendDrops).toBe(0)
    expect(cb?.framesOut).toBeGreaterThan(2000)
    expect((cb?.badTag ?? 1) + (cb?.replay ?? 1) + (cb?.badBundle ?? 1)).toBe(0)
    // the kernel cut each GSO message back into the datagrams it was made of
    expect(b.dp.sessionStats()[0].packetsReceived).toBe(a.dp.sessionStats()[0].packetsSent)
  })

  it('follows a rekey: the new sessions take over natively once promoted, the old ones go', async () => {
    const a = await side('10.77.0.1', true)
    const b = await side('10.77.0.2', true)
    connect(a, b)
    await exercise(a, b)
    connect(a, b, 12, 23, true)
    const ping = await inNs(a.ns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', '10.77.0.2')
    expect(ping.stdout).toMatch(/3 received/)
    expect(b.dp.sendingIndex('A')).toBe(23) // promoted by A's first datagram on it
    a.dp.removeSession(11)
    b.dp.removeSession(22)
    const before = { a: a.dp.fastPathCounters(), b: b.dp.fastPathCounters() }
    await exercise(a, b)
    expect((b.dp.fastPathCounters()?.framesOut ?? 0) - (before.b?.framesOut ?? 0)).toBeGreaterThan(2000)
    expect((a.dp.fastPathCounters()?.framesOut ?? 0) - (before.a?.framesOut ?? 0)).toBeGreaterThan(10)
    const [sa] = a.dp.sessionStats()
    expect(sa.localIndex).toBe(12)
    expect(sa.packetsReceived).toBeGreaterThan(10)
  })

  it('stops sealing at the rekey limit and counts what it could not send', async () => {
    const a = await side('10.77.0.1', true, 10n)
    const b = await side('10.77.0.2', true)
    connect(a, b)
    const ping = await inNs(a.ns, 'ping', '-c', '20', '-i', '0.05', '-W', '1', '10.77.0.2').catch((e: { stdout: string }) => e)
    const received = Number(/(\d+) received/.exec(ping.stdout)?.[1])
    expect(received).toBeGreaterThan(0)
    expect(received).toBeLessThan(10)  // ARP and the first pings used up A's 10 counters
    expect(a.dp.fastPathCounters()?.counterExhausted).toBeGreaterThan(0)
    expect(a.dp.drops().counter_exhausted).toBe(a.dp.fastPathCounters()?.counterExhausted)
  })

  it('fast path on one end, JS on the other: same wire, both ways', async () => {
    const a = await side('10.77.0.1', true)
    const b = await side('10.77.0.2', false)
    connect(a, b)
    await exercise(a, b)
    const c = a.dp.fastPathCounters()
    expect(c?.framesIn).toBeGreaterThan(2000)
    expect(c?.framesOut).toBeGreaterThan(10)
    expect(b.dp.fastPathCounters()).toBeUndefined()
    expect(b.dp.traffic().framesToTap).toBeGreaterThan(2000)
  })
})
