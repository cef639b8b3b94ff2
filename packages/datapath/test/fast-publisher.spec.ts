/**
 * The data path keeping the native fast path's table in step (fast-publisher.ts), over loopback
 * UDP with an in-memory TAP (not attached to the fast path: frames it would write count as
 * tapDrops). A dgram socket plays the peer, sealing with the JS cipher.
 *
 *   dgram "peer" 127.0.0.1:P ──Data──► FastPath 127.0.0.1:F ─┬─ native (known MACs)
 *                                                            └─ up to Datapath (learning) ─► ChannelTap
 */
import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DataCipher } from '@weft/crypto'
import type { FastPath } from '@weft/tap'
import { ChannelTap, openFastPath } from '@weft/tap'
import { FastBind } from '@weft/udp'
import { DATA_HEADER_BYTES, PacketKind, writeDataHeader } from '@weft/wire'
import { Datapath, MAC_MAX_AGE_MS, REKEY_AFTER_PACKETS } from '@weft/datapath'

const PEER_MAC = '02:aa:bb:cc:dd:01'
const LOCAL = Buffer.from('02aabbccdd02', 'hex')

/** A Data datagram from PEER_MAC to LOCAL on our session `index`, sealed with `cipher`. */
function datagram(cipher: DataCipher, counter: bigint, index = 5): Buffer {
  const f = Buffer.alloc(60, 0x5a)
  LOCAL.copy(f, 0)
  Buffer.from(PEER_MAC.replaceAll(':', ''), 'hex').copy(f, 6)
  const plain = Buffer.concat([Buffer.from([0, f.length]), f])
  const buf = Buffer.alloc(DATA_HEADER_BYTES + plain.length + 16)
  writeDataHeader(buf, 0, PacketKind.Data, index, counter)
  plain.copy(buf, DATA_HEADER_BYTES)
  cipher.seal(buf, DATA_HEADER_BYTES, plain.length, buf, 0, DATA_HEADER_BYTES, counter)
  return buf
}

let fast: FastPath
let peer: dgram.Socket
let tap: ChannelTap
let dp: Datapath
let now = 1_000_000
let toUs: DataCipher

beforeEach(async () => {
  fast = openFastPath({ port: 0, address: '127.0.0.1', rekeyAfter: REKEY_AFTER_PACKETS })
  peer = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve))
  tap = new ChannelTap()
  dp = new Datapath({ mtu: 1400 }, { tap, bind: new FastBind(fast, false), fast, now: () => now })
  const key = randomBytes(32)
  toUs = new DataCipher(key)
  dp.addSession('peer', { localIndex: 5, remoteIndex: 6, sendKey: randomBytes(32), receiveKey: key }, { address: '127.0.0.1', port: peer.address().port })
})

afterEach(() => {
  fast.close()
  peer.close()
})

async function send(d: Buffer): Promise<void> {
  await new Promise<void>((resolve) => peer.send(d, fast.port, '127.0.0.1', () => resolve()))
}

async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(pred()).toBe(true)
}

describe('FastPublisher', () => {
  it('learns a new MAC through JS, then carries that peer natively', async () => {
    await send(datagram(toUs, 1n))
    await until(() => tap.written.length === 1)  // up as plaintext, delivered and learnt by JS
    expect(dp.macEntries()).toEqual([expect.objectContaining({ owner: 'peer' })])
    await send(datagram(toUs, 2n))
    await until(() => fast.counters().tapDrops === 1)  // natively (the ChannelTap is not its TAP)
    expect(tap.written).toHaveLength(1)
    expect(fast.counters().upPlain).toBe(1)
    const [s] = dp.sessionStats()
    expect(s.packetsReceived).toBe(2)
    expect(s.lastReceivedAt).toBe(now)
  })

  it('keeps a MAC only the fast path sees from expiring, and lets it go once unseen', async () => {
    await send(datagram(toUs, 1n))
    await until(() => tap.written.length === 1)
    now += MAC_MAX_AGE_MS - 1000
    await send(datagram(toUs, 2n))
    await until(() => fast.counters().tapDrops === 1)
    now += 2000  // past the age of the JS-learnt sighting; the native one refreshes it
    expect(dp.expireMacs()).toBe(0)
    now += MAC_MAX_AGE_MS + 1
    expect(dp.expireMacs()).toBe(1)
    // forgotten, republished: the next datagram goes up to JS again
    await send(datagram(toUs, 3n))
    await until(() => tap.written.length === 2)
  })

  it('takes a removed session off the fast path', async () => {
    await send(datagram(toUs, 1n))
    await until(() => tap.written.length === 1)
    dp.removeSession(5)
    const raw = fast.counters().upRaw
    await send(datagram(toUs, 2n))
    await until(() => fast.counters().upRaw === raw + 1)  // up untouched, JS counts it unknown
    expect(dp.drops().unknown_session).toBe(1)
  })
})

describe('FastPublisher and hole-punched paths', () => {
  const PUNCHED = 'ab'.repeat(32)

  it('carries a relayed session natively while it has a punched endpoint, and not after', async () => {
    const key = randomBytes(32)
    const cipher = new DataCipher(key)
    dp.addRelayedSession(PUNCHED, { localIndex: 7, remoteIndex: 8, sendKey: randomBytes(32), receiveKey: key })
    const d = (counter: bigint) => datagram(cipher, counter, 7)
    const raw = fast.counters().upRaw
    await send(d(1n))  // not punched: up untouched, and JS takes it for a punch arrival
    await until(() => fast.counters().upRaw === raw + 1)
    expect(tap.written).toHaveLength(1)

    dp.setPunched(PUNCHED, { address: '127.0.0.1', port: peer.address().port })
    await send(d(2n))
    await until(() => fast.counters().tapDrops === 1)  // natively now (its MAC was learnt for it)
    expect(fast.counters().upRaw).toBe(raw + 1)
    expect(dp.sessionStats().find((s) => s.peer === PUNCHED)!.packetsReceived).toBe(2)

    dp.setPunched(PUNCHED, undefined)
    await send(d(3n))
    await until(() => fast.counters().upRaw === raw + 2)  // back to JS
  })
})

