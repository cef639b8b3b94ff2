/*
 * Replays and forgeries from the peer's own underlay endpoint reach the fast path and die there.
 * Data datagrams h2 sends to h1 are captured on h1's eth0; then, from inside h2's namespace, an
 * AF_PACKET socket puts them back on h2's wire byte for byte (same source IP and port as h2's
 * router, so h1's fast path, not JS, is the one that sees them): one as captured (a replay), one
 * with its counter moved 2^20 ahead (a forgery: the header is the AEAD's associated data). h1
 * drops and counts both, and traffic keeps flowing both ways (a forgery must not move the window).
 *
 *   h1 198.18.0.11 (fast path)              h2 198.18.0.12 (fast path)
 *  ┌─────────────────────────────┐         ┌─────────────────────────────┐
 *  │ c1 10.47.1.1                │         │ c2 10.47.2.1                │
 *  │   └─ bridge weft ─ weft-tap │         │ weft-tap ─ bridge weft ─┘   │
 *  │          router ── eth0 ────┼─ sw br0 ┼──── eth0 ── router          │
 *  │     tcpdump ─┘              │         │     └─ AF_PACKET resend     │
 *  └─────────────────────────────┘         └─────────────────────────────┘
 */
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, readPcap } from '@weft/testing'
import { container, launch, metric, ping, waitEstablished, waitPing } from './support.js'

const ETH_BYTES = 14
const UDP_BYTES = 8
const COUNTER_OFFSET = 8  // in the data header (docs/WIRE.md §1)
const FORGED_COUNTER_STEP = 1n << 20n

/** Writes each hex-encoded frame to `iface` as is (AF_PACKET, raw). */
const RESEND = `import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for f in sys.argv[2:]: s.send(bytes.fromhex(f))`

/** Where a captured Ethernet/IPv4/UDP frame's UDP header and payload start. */
function offsets(frame: Buffer): { udp: number; payload: number } {
  const udp = ETH_BYTES + (frame[ETH_BYTES] & 0x0f) * 4
  return { udp, payload: udp + UDP_BYTES }
}

/** A copy of `frame` with the UDP checksum cleared (0 = none in IPv4; veth may capture it unfinished). */
function withoutChecksum(frame: Buffer): Buffer {
  const f = Buffer.from(frame)
  f.writeUInt16BE(0, offsets(f).udp + 6)
  return f
}

/** A copy of `frame` whose data header carries a counter `FORGED_COUNTER_STEP` ahead: its tag no longer verifies. */
function forged(frame: Buffer): Buffer {
  const f = withoutChecksum(frame)
  const at = offsets(f).payload + COUNTER_OFFSET
  f.writeBigUInt64LE(f.readBigUInt64LE(at) + FORGED_COUNTER_STEP, at)
  return f
}

const figures = {
  fastReplay: 'weft_fast_path_dropped_total{reason="replay"}',
  fastBadTag: 'weft_fast_path_dropped_total{reason="bad_tag"}',
  replay: 'weft_dropped_packets_total{reason="replay"}',
  badTag: 'weft_dropped_packets_total{reason="bad_tag"}',
  fastIn: 'weft_fast_path_datagrams_received_total',
}
type Figures = Record<keyof typeof figures, number>

async function read(h: LabHost): Promise<Figures> {
  const out = {} as Figures
  for (const [k, name] of Object.entries(figures)) out[k as keyof Figures] = await metric(h, name)
  return out
}

describe.sequential('fast path against replays and forgeries from the peer endpoint', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost
  let c1: string, c2: string
  let captured: Buffer[]
  let before: Figures

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2'] })
    ;[h1, h2] = lab.hosts()
    await launch(h1)
    await launch(h2, [h1.address])
    c1 = await container(h1, 'c1', '10.47.1.1/16')
    c2 = await container(h2, 'c2', '10.47.2.1/16')
    await waitEstablished(h1, 1)
    await waitEstablished(h2, 1)
    await waitPing(h2, c2, '10.47.1.1')
    // Data datagrams (version 1, kind 1) from h2, as h1 receives them
    const cap = await h1.capture('eth0', { filter: `udp and src host ${h2.address} and udp[8] = 1 and udp[9] = 1` })
    expect(await ping(h2, c2, '10.47.1.1', 3)).toBe(true)
    captured = readPcap(await cap.stop()).packets
    before = await read(h1)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('captured data datagrams h1 opened in its fast path', () => {
    expect(captured.length).toBeGreaterThanOrEqual(3)
    expect(before.fastIn).toBeGreaterThanOrEqual(3)
  })

  it('drops a replay and a forgery from h2\'s own endpoint, counted by reason', async () => {
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim()
    const frames = [withoutChecksum(captured[0]), withoutChecksum(captured[captured.length - 1]), forged(captured[captured.length - 1])]
    await h2.exec(python, ['-c', RESEND, 'eth0', ...frames.map((f) => f.toString('hex'))])
    let after = before
    for (let i = 0; i < 50 && (after.fastReplay < before.fastReplay + 2 || after.fastBadTag < before.fastBadTag + 1); i++) {
      await new Promise((r) => setTimeout(r, 100))
      after = await read(h1)
    }
    expect(after.fastReplay - before.fastReplay).toBe(2)
    expect(after.fastBadTag - before.fastBadTag).toBe(1)
    expect(after.replay - before.replay).toBe(2)
    expect(after.badTag - before.badTag).toBe(1)
  })

  it('keeps carrying traffic both ways in the fast path', async () => {
    const was = await read(h1)
    expect(await ping(h2, c2, '10.47.1.1', 3)).toBe(true)
    expect(await ping(h1, c1, '10.47.2.1', 3)).toBe(true)
    const now = await read(h1)
    expect(now.fastIn - was.fastIn).toBeGreaterThanOrEqual(3)
    expect(now.fastReplay).toBe(was.fastReplay)
    expect(now.fastBadTag).toBe(was.fastBadTag)
  })
})
