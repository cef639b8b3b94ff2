/**
 * Link liveness when only the native fast path hears the peer. The fast path counts what it
 * receives per session and the data path brings `lastReceivedAt` forward when the link monitor
 * reads it (every DATA_HEARTBEAT_INTERVAL_MS), not per datagram. This pins what that costs: no
 * false "down" while only the fast path receives, and "down" at most one monitor interval later
 * than a per-datagram timestamp would give.
 *
 *   dgram "peer" 127.0.0.1:P ──Data──► FastPath 127.0.0.1:F ──► Datapath ◄── LinkMonitor.tick()
 *
 * The clock is injected; the monitor's own timer is stopped and ticks are driven by hand.
 */
import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DataCipher } from '@weft/crypto'
import type { FastPath } from '@weft/tap'
import { ChannelTap, openFastPath } from '@weft/tap'
import { FastBind } from '@weft/udp'
import { DATA_HEADER_BYTES, PacketKind, writeDataHeader } from '@weft/wire'
import { Datapath, REKEY_AFTER_PACKETS } from '@weft/datapath'
import { DATA_DEAD_AFTER_MS, DATA_HEARTBEAT_INTERVAL_MS, LinkMonitor } from '../src/mesh/link-monitor.js'

const LOCAL = Buffer.from('02aabbccdd02', 'hex')
const PEER_MAC = Buffer.from('02aabbccdd01', 'hex')

/** A Data datagram on our session 5 carrying one 60-byte frame from the peer's MAC. */
function datagram(cipher: DataCipher, counter: bigint): Buffer {
  const f = Buffer.alloc(60, 0x5a)
  LOCAL.copy(f, 0)
  PEER_MAC.copy(f, 6)
  const plain = Buffer.concat([Buffer.from([0, f.length]), f])
  const buf = Buffer.alloc(DATA_HEADER_BYTES + plain.length + 16)
  writeDataHeader(buf, 0, PacketKind.Data, 5, counter)
  plain.copy(buf, DATA_HEADER_BYTES)
  cipher.seal(buf, DATA_HEADER_BYTES, plain.length, buf, 0, DATA_HEADER_BYTES, counter)
  return buf
}

let fast: FastPath
let peer: dgram.Socket
let dp: Datapath
let monitor: LinkMonitor
let now = 1_000_000
let toUs: DataCipher
let counter = 0n
const changes: Array<{ at: number; up: boolean }> = []

beforeEach(async () => {
  fast = openFastPath({ port: 0, address: '127.0.0.1', rekeyAfter: REKEY_AFTER_PACKETS })
  peer = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve))
  dp = new Datapath({ mtu: 1400 }, { tap: new ChannelTap(), bind: new FastBind(fast, false), fast, now: () => now })
  const key = randomBytes(32)
  toUs = new DataCipher(key)
  dp.addSession('peer', { localIndex: 5, remoteIndex: 6, sendKey: randomBytes(32), receiveKey: key }, { address: '127.0.0.1', port: peer.address().port })
  monitor = new LinkMonitor(dp, () => ['peer'], (_, up) => changes.push({ at: now, up }), () => now)
  monitor.close()  // ticks by hand below
})

afterEach(() => {
  fast.close()
  peer.close()
})

/** Datagrams the fast path opened (those it hands up as plaintext included) or handed up raw. */
function handled(): number {
  const c = fast.counters()
  return c.datagramsIn + c.upRaw
}

/**
 * Sends one datagram from the peer and waits until the fast path has it. Polls the addon's own
 * counters: `sessionStats()` would bring `lastReceivedAt` forward itself and hide what the link
 * monitor's read does.
 */
async function receive(): Promise<void> {
  const before = handled()
  await new Promise<void>((resolve) => peer.send(datagram(toUs, ++counter), fast.port, '127.0.0.1', () => resolve()))
  for (let i = 0; i < 200 && handled() === before; i++) await new Promise((r) => setTimeout(r, 5))
  expect(handled()).toBe(before + 1)
}

function tick(): void {
  now += DATA_HEARTBEAT_INTERVAL_MS
  monitor.tick()
}

describe('LinkMonitor over the fast path', () => {
  it('stays up on fast-path traffic alone and goes down at most one interval late', async () => {
    await receive()  // the first goes up to JS (its MAC is learnt there); the rest stay native
    const upBefore = fast.counters().upPlain + fast.counters().upRaw
    const ticks = Math.ceil((3 * DATA_DEAD_AFTER_MS) / DATA_HEARTBEAT_INTERVAL_MS)
    let lastArrival = now
    for (let i = 0; i < ticks; i++) {
      await receive()
      lastArrival = now
      tick()
    }
    expect(fast.counters().datagramsIn).toBeGreaterThanOrEqual(ticks)
    expect(fast.counters().upPlain + fast.counters().upRaw).toBe(upBefore)  // JS saw none of them
    expect(changes).toEqual([])  // 3x DATA_DEAD_AFTER_MS after JS last heard anything, still up

    // silence: where a per-datagram timestamp would go down, and where it does go down
    let exact = lastArrival
    while (exact - lastArrival <= DATA_DEAD_AFTER_MS) exact += DATA_HEARTBEAT_INTERVAL_MS
    for (let i = 0; i < ticks && changes.length === 0; i++) tick()
    expect(changes).toHaveLength(1)
    expect(changes[0].up).toBe(false)
    expect(changes[0].at).toBeGreaterThanOrEqual(exact)
    expect(changes[0].at - exact).toBeLessThanOrEqual(DATA_HEARTBEAT_INTERVAL_MS)

    await receive()  // and back up at the next tick
    tick()
    expect(changes[1]).toEqual({ at: now, up: true })
  })
})
