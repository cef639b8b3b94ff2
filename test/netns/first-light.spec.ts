/*
 * First light: two routers, two containers each, an encrypted overlay between them.
 *
 *   h1 198.18.0.11                          h2 198.18.0.12
 *  ┌─────────────────────────────┐         ┌─────────────────────────────┐
 *  │ c1a 10.40.1.1  c1b 10.40.1.2│         │ c2a 10.40.2.1  c2b 10.40.2.2│
 *  │     └──── bridge weft ────┐ │         │ ┌──── bridge weft ────┘     │
 *  │            weft-tap ─ router│         │router ─ weft-tap            │
 *  │                   eth0 ─────┼─ sw br0 ┼───── eth0                   │
 *  └─────────────────────────────┘         └─────────────────────────────┘
 *                 h3 198.18.0.13 (wrong secret) ──┘
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, readPcap, waitFor } from '@weft/testing'
import { FIXTURES, container, inContainer, launch, ping, status, waitEstablished, waitPing } from './support.js'

const IPS = { c1a: '10.40.1.1', c1b: '10.40.1.2', c2a: '10.40.2.1', c2b: '10.40.2.2' }
const CIDR = (ip: string) => `${ip}/16`

describe.sequential('two hosts, two containers each', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost, h3: LabHost
  const ns: Record<string, string> = {}

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2', 'h3'] })
    ;[h1, h2, h3] = lab.hosts()
    await launch(h1)
    await launch(h2, [h1.address])
    ns.c1a = await container(h1, 'c1a', CIDR(IPS.c1a))
    ns.c1b = await container(h1, 'c1b', CIDR(IPS.c1b))
    ns.c2a = await container(h2, 'c2a', CIDR(IPS.c2a))
    ns.c2b = await container(h2, 'c2b', CIDR(IPS.c2b))
    await waitEstablished(h1, 1)
    await waitEstablished(h2, 1)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('connects the routers with the encrypted handshake and shows it in status', async () => {
    const s1 = await status(h1)
    const s2 = await status(h2)
    const c = s1.connections.find((x) => x.state === 'established')!
    expect(c.peer?.id).toBe(s2.router.id)
    expect(c.peer?.nickname).toBe('h2')
    expect(c.encryption).toMatch(/Noise_XXpsk0/)
    expect(c.udpEndpoint).toBe(`${h2.address}:6783`)
    expect(s2.targets.map((t) => t.address)).toEqual([h1.address])
    const text = (await h1.weft(['status', 'connections'])).stdout
    expect(text).toMatch(/established/)
    expect(text).toContain(s2.router.shortId)
  })

  it('lets every container ping every other, across hosts and on one host', async () => {
    const hostOf = (name: string) => (name.startsWith('c1') ? h1 : h2)
    await waitPing(h1, ns.c1a, IPS.c2a)
    for (const from of Object.keys(IPS)) {
      for (const [to, ip] of Object.entries(IPS)) {
        if (from === to) continue
        expect(await ping(hostOf(from), ns[from], ip), `${from} -> ${to}`).toBe(true)
      }
    }
  })

  it('carries a 50 MB TCP transfer intact and encrypted on the wire', async () => {
    const canary = 'WEFT-CLEAR-TEXT-CANARY'
    const cap = await h1.capture('eth0', { filter: 'udp port 6783' })
    const sink = h2.spawn('ip', ['netns', 'exec', ns.c2b, 'node', join(FIXTURES, 'tcp-sink.mjs'), '5001'])
    await waitFor(async () => sink.stderr().includes('listening') || undefined, { timeoutMs: 5000, what: 'sink to listen' })
    const source = await inContainer(h1, ns.c1a, 'node', [join(FIXTURES, 'tcp-source.mjs'), IPS.c2b, '5001', '50'], 120_000)
    expect(source.code, source.stderr).toBe(0)
    await sink.wait()
    expect(sink.stdout().trim()).toBe(source.stdout.trim())
    expect(source.stdout.startsWith(`${50 * 1024 * 1024} `)).toBe(true)
    // a recognisable 16-byte payload, then check the capture never shows it in clear
    await inContainer(h1, ns.c1a, 'ping', ['-c', '3', '-i', '0.2', '-p', Buffer.from(canary.slice(0, 16)).toString('hex'), IPS.c2a])
    const pcap = readPcap(await cap.stop())
    expect(pcap.packets.length).toBeGreaterThan(1000)
    const all = Buffer.concat(pcap.packets)
    expect(all.includes(Buffer.from(canary.slice(0, 16)))).toBe(false)
  })

  it('drops and counts a replayed datagram and a forged one', async () => {
    const cap = await h2.capture('eth0', { filter: `udp and dst port 6783 and src host ${h1.address}` })
    await ping(h1, ns.c1a, IPS.c2a, 2)
    const pcap = readPcap(await cap.stop())
    const frame = pcap.packets.at(-1)!
    const payload = frame.subarray(14 + 20 + 8) // Ethernet, IPv4 (no options), UDP
    expect(payload[0]).toBe(1) // version
    const before = (await status(h2)).drops
    const send = (hex: string) => h1.exec('node', ['-e', `
      const s = require('node:dgram').createSocket('udp4');
      s.send(Buffer.from('${hex}', 'hex'), 6783, '${h2.address}', () => s.close())`])
    await send(payload.toString('hex'))
    const forged = Buffer.from(payload)
    forged[forged.length - 1] ^= 0x55
    forged.writeUInt32LE(forged.readUInt32LE(8) + 1000, 8) // a fresh counter, so only the tag can reject it
    await send(forged.toString('hex'))
    const after = await waitFor(async () => {
      const d = (await status(h2)).drops
      return d.replay > before.replay && d.bad_tag > before.bad_tag ? d : undefined
    }, { timeoutMs: 5000, what: 'replay and bad_tag drops to be counted' })
    expect(after.replay).toBe(before.replay + 1)
    expect(after.bad_tag).toBe(before.bad_tag + 1)
    expect(await ping(h1, ns.c1a, IPS.c2a)).toBe(true)
  })

  it('keeps running with its state when its ports get garbage', async () => {
    const before = await status(h2)
    await h1.exec('node', ['-e', `
      const net = require('node:net'); const dgram = require('node:dgram'); const crypto = require('node:crypto');
      const s = dgram.createSocket('udp4');
      let n = 0
      for (let i = 0; i < 200; i++) s.send(crypto.randomBytes(i % 90), 6783, '${h2.address}', () => { if (++n === 200) s.close() })
      for (let i = 0; i < 5; i++) {
        const c = net.connect(6783, '${h2.address}', () => { c.write(crypto.randomBytes(3000)); c.end() })
        c.on('error', () => {})
      }`])
    await waitFor(async () => {
      const d = (await status(h2)).drops
      const total = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0)
      return total(d) >= total(before.drops) + 200 || undefined
    }, { timeoutMs: 5000, what: 'h2 to count 200 garbage datagrams as drops' })
    const after = await status(h2)
    expect(after.router.pid).toBe(before.router.pid)
    expect(after.connections.filter((c) => c.state === 'established')).toHaveLength(1)
    expect(after.containers).toBe(2)
    expect(await ping(h1, ns.c1a, IPS.c2a)).toBe(true)
  })

  it('exposes the host on the overlay and hides it again', async () => {
    await h1.weft(['expose', '10.40.1.254/16'])
    await waitFor(async () => (await h1.ping(IPS.c2a)) || undefined, { timeoutMs: 5000, what: 'h1 host to reach c2a' })
    expect((await status(h1)).exposed).toEqual(['10.40.1.254/16'])
    await h1.weft(['hide', '10.40.1.254/16'])
    expect(await h1.ping(IPS.c2a)).toBe(false)
    expect((await status(h1)).exposed).toEqual([])
  })

  it('never lets a router with the wrong secret connect or pass a packet', async () => {
    const failuresBefore = await handshakeFailures(h1)
    await launch(h3, [h1.address], 'not the network secret')
    const c3 = await container(h3, 'c3', CIDR('10.40.3.1'))
    await waitFor(async () => (await handshakeFailures(h1)) > failuresBefore || undefined, { timeoutMs: 10_000, what: 'h1 to reject h3' })
    const s3 = await status(h3)
    expect(s3.connections.filter((c) => c.state === 'established')).toHaveLength(0)
    expect(s3.targets[0].lastError).not.toBe('')
    const s1 = await status(h1)
    expect(s1.peers.map((p) => p.nickname)).toEqual(['h2'])
    expect(await ping(h3, c3, IPS.c1a)).toBe(false)
    await h3.weft(['stop'])
  })

  it('recovers after kill -9 of a router: containers talk again without re-running them', async () => {
    const before = await status(h1)
    process.kill(before.router.pid, 'SIGKILL')
    await waitFor(async () => ((await h1.weft(['status'], { allowFail: true })).code !== 0) || undefined, { timeoutMs: 5000, what: 'h1 router to die' })
    await launch(h1)
    const after = await status(h1)
    expect(after.router.id).toBe(before.router.id)
    expect(after.containers).toBe(2)
    await waitEstablished(h1, 1, 20_000)
    await waitPing(h1, ns.c1a, IPS.c2b, 10_000)
    expect(await ping(h2, ns.c2a, IPS.c1b)).toBe(true)
  })
})

async function handshakeFailures(h: LabHost): Promise<number> {
  const r = await h.exec('node', ['-e', `
    require('node:http').get('http://127.0.0.1:6784/metrics', (res) => {
      let t = ''; res.on('data', (c) => t += c); res.on('end', () => console.log(t))
    })`])
  let n = 0
  for (const line of r.stdout.split('\n')) if (line.startsWith('weft_handshake_failures_total{')) n += Number(line.split(' ').at(-1))
  return n
}
