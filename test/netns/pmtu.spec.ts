/*
 * Path-MTU discovery: h2's underlay drops every UDP datagram whose IP packet is over 800 bytes,
 * in and out, before either router starts (a tunnel, or a firewall that drops big UDP). The
 * configured overlay MTU (1376) would need 1452-byte IP packets; the routers must find 772-byte
 * datagrams (MTU 724) by probing, and carry big pings and TCP through them.
 *
 *   h1 198.18.0.11                          h2 198.18.0.12
 *  ┌─────────────────────────────┐         ┌─────────────────────────────────────┐
 *  │ c1 10.43.1.1                │         │                        c2 10.43.2.1 │
 *  │  └── bridge weft ─ weft-tap │         │ weft-tap ─ bridge weft ──┘          │
 *  │            router ─ eth0 ───┼─ sw br0 ┼─── eth0 ─ router                    │
 *  └─────────────────────────────┘         │   nft: udp, ip length > 800: drop   │
 *                                          └─────────────────────────────────────┘
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionInfo } from '@weft/api'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, readPcap, waitFor } from '@weft/testing'
import { FIXTURES, container, inContainer, launch, status, waitEstablished, waitPing } from './support.js'

const LIMIT = 800
const MAX_MTU = LIMIT - 28 - 48
const IPS = { c1: '10.43.1.1', c2: '10.43.2.1' }

describe.sequential('path-MTU discovery over a path that drops big UDP', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost
  let c1: string, c2: string

  /** The established connection once its path MTU is found. */
  const discovered = (h: LabHost) => waitFor(async () => {
    const c = (await status(h)).connections.find((x) => x.state === 'established')
    return c?.pmtu?.state === 'done' ? c : undefined
  }, { timeoutMs: 20_000, intervalMs: 200, what: `${h.name} to discover its path MTU` })

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2'] })
    ;[h1, h2] = lab.hosts()
    await lab.limitUdpSize(h2, LIMIT)
    await launch(h1)
    await launch(h2, [h1.address])
    c1 = await container(h1, 'c1', `${IPS.c1}/16`)
    c2 = await container(h2, 'c2', `${IPS.c2}/16`)
    await waitEstablished(h1, 1)
    await waitEstablished(h2, 1)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('finds the MTU the path carries on both routers and shows it in status', async () => {
    const found: ConnectionInfo[] = [await discovered(h1), await discovered(h2)]
    for (const c of found) {
      expect(c.mtu).toBeLessThanOrEqual(MAX_MTU)
      expect(c.mtu).toBeGreaterThanOrEqual(MAX_MTU - 8) // 3 tries per size: bad luck only lowers it a little
      expect(c.pmtu!.datagramBytes).toBe(c.mtu! + 48)
      expect(c.pmtu!.discoveredAt).toBeGreaterThan(c.establishedAt!)
    }
    const text = (await h1.weft(['status', 'connections'])).stdout
    expect(text).toContain(String(found[0].mtu))
  })

  it('carries a 10 kB ping, every datagram with DF and within the path', async () => {
    await waitPing(h1, c1, IPS.c2)
    const cap = await h1.capture('eth0', { filter: 'udp port 6783' })
    const r = await inContainer(h1, c1, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', '-s', '10000', IPS.c2])
    expect(r.stdout).toMatch(/3 received/)
    const pcap = readPcap(await cap.stop())
    const ip = pcap.packets.map((f) => f.subarray(14))
    expect(ip.length).toBeGreaterThan(2 * 3 * 14) // ~14 fragments of 724 bytes each way per ping
    expect(Math.max(...ip.map((p) => p.readUInt16BE(2)))).toBeLessThanOrEqual(LIMIT)
    expect(ip.every((p) => (p.readUInt16BE(6) & 0x4000) !== 0)).toBe(true) // DF, both routers
  })

  it('carries a 2 MB TCP transfer intact', async () => {
    const sink = h2.spawn('ip', ['netns', 'exec', c2, 'node', join(FIXTURES, 'tcp-sink.mjs'), '5002'])
    await waitFor(async () => sink.stderr().includes('listening') || undefined, { timeoutMs: 5000, what: 'sink to listen' })
    const source = await inContainer(h1, c1, 'node', [join(FIXTURES, 'tcp-source.mjs'), IPS.c2, '5002', '2'], 60_000)
    expect(source.code, source.stderr).toBe(0)
    await sink.wait()
    expect(sink.stdout().trim()).toBe(source.stdout.trim())
    expect(source.stdout.startsWith(`${2 * 1024 * 1024} `)).toBe(true)
  })
})
