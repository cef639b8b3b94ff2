/**
 * The native fast path's receive side and control surface over loopback UDP, through its JS
 * entry points (no TAP attached: frames it would write count as tapDrops). A plain dgram socket
 * plays the peer: it seals datagrams with the JS cipher (@weft/crypto DataCipher), so these
 * tests also check that the fast path opens what the JS path seals.
 *
 *   dgram "peer" 127.0.0.1:P  ──Data/other──►  FastPath 127.0.0.1:F  ──up──► onRaw / onPlain
 *
 * Then fuzzing: random datagrams, random bundles sealed with the right key, random tables.
 */
import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DataCipher } from '@weft/crypto'
import type { FastPath, FastSessionEntry } from '@weft/tap'
import { createNativeDataCipher, createNativeReplayWindow, openFastPath } from '@weft/tap'
import { DATA_HEADER_BYTES, PacketKind, writeDataHeader } from '@weft/wire'

const TAG = 16
const PEER_MAC = Buffer.from('02aabbccdd01', 'hex')
const LOCAL_MAC = Buffer.from('02aabbccdd02', 'hex')
const macNum = (m: Buffer) => m.readUIntBE(0, 6)

function frame(dst: Buffer, src: Buffer, payload = 46): Buffer {
  const f = Buffer.alloc(14 + payload, 0x5a)
  dst.copy(f, 0)
  src.copy(f, 6)
  f.writeUInt16BE(0x88b5, 12)
  return f
}

function bundle(frames: Buffer[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => [Buffer.from([f.length >> 8, f.length & 255]), f]))
}

/** A datagram sealed by the JS cipher: what the JS data path sends. */
function seal(cipher: DataCipher, index: number, counter: bigint, plain: Buffer, kind = PacketKind.Data): Buffer {
  const buf = Buffer.alloc(DATA_HEADER_BYTES + plain.length + TAG)
  writeDataHeader(buf, 0, kind, index, counter)
  plain.copy(buf, DATA_HEADER_BYTES)
  cipher.seal(buf, DATA_HEADER_BYTES, plain.length, buf, 0, DATA_HEADER_BYTES, counter)
  return buf
}

/** The bundle rules of frame-bundle.ts, and whether a unicast source MAC is not the peer's. */
function referenceParse(b: Buffer): 'bad' | { frames: number; learn: boolean } {
  let pos = 0
  let frames = 0
  let learn = false
  while (pos < b.length) {
    if (b.length - pos < 2) return 'bad'
    const n = b.readUInt16BE(pos)
    pos += 2
    if (n < 14 || n > b.length - pos) return 'bad'
    const src = b.subarray(pos + 6, pos + 12)
    if ((src[0] & 1) === 0 && !src.equals(PEER_MAC)) learn = true
    pos += n
    frames++
  }
  return frames > 0 ? { frames, learn } : 'bad'
}

interface Rig {
  fast: FastPath
  peer: dgram.Socket
  peerPort: number
  /** The peer's cipher towards the fast path (the fast path's receive key). */
  toFast: DataCipher
  session: FastSessionEntry
  raw: Array<{ data: Buffer; address: string; port: number }>
  plain: Array<{ index: number; data: Buffer }>
}

let rig: Rig

async function openRig(): Promise<Rig> {
  const fast = openFastPath({ port: 0, address: '127.0.0.1', rekeyAfter: 2n ** 60n })
  const peer = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve))
  const rxKey = randomBytes(32)
  const session: FastSessionEntry = {
    localIndex: 7, remoteIndex: 9, peer: 1, sending: true, address: '127.0.0.1', port: peer.address().port,
    mtu: 1400, bundleCapacity: 1440, sender: createNativeDataCipher(randomBytes(32)),
    receiver: createNativeDataCipher(rxKey), replay: createNativeReplayWindow(),
    counter: new BigUint64Array(1), stats: new Float64Array(4),
  }
  const r: Rig = { fast, peer, peerPort: peer.address().port, toFast: new DataCipher(rxKey), session, raw: [], plain: [] }
  fast.onRaw((data, address, port) => r.raw.push({ data, address, port }))
  fast.onPlain((index, slab, off, len) => r.plain.push({ index, data: Buffer.from(slab.subarray(off, off + len)) }))
  fast.publish([session], Float64Array.from([macNum(PEER_MAC), 1, macNum(LOCAL_MAC), 0]))
  return r
}

async function send(...datagrams: Buffer[]): Promise<void> {
  for (const d of datagrams) await new Promise<void>((resolve) => rig.peer.send(d, rig.fast.port, '127.0.0.1', () => resolve()))
}

/** Waits until the fast path has dealt with `n` more datagrams (handled, up or dropped). */
async function settle(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(pred()).toBe(true)
}

beforeEach(async () => {
  rig = await openRig()
})

afterEach(() => {
  rig.fast.close()
  rig.peer.close()
})

describe('FastPath receive', () => {
  it('opens a Data datagram sealed by the JS cipher and hands up a bundle with a MAC to learn', async () => {
    const plain = bundle([frame(LOCAL_MAC, Buffer.from('02aabbccdd99', 'hex'))])
    await send(seal(rig.toFast, 7, 1n, plain))
    await settle(() => rig.plain.length === 1)
    expect(rig.plain[0]).toEqual({ index: 7, data: plain })
    expect(rig.session.stats[2]).toBe(1)
    expect(rig.fast.counters().upPlain).toBe(1)
  })

  it('delivers a bundle of known MACs itself (no TAP attached here: counted as tapDrops)', async () => {
    await send(seal(rig.toFast, 7, 1n, bundle([frame(LOCAL_MAC, PEER_MAC), frame(LOCAL_MAC, PEER_MAC, 100)])))
    await settle(() => rig.fast.counters().tapDrops === 2)
    expect(rig.plain).toHaveLength(0)
    expect(rig.raw).toHaveLength(0)
    expect(rig.fast.counters().datagramsIn).toBe(1)
  })

  it('drops and counts replays and forgeries', async () => {
    const good = seal(rig.toFast, 7, 5n, bundle([frame(LOCAL_MAC, PEER_MAC)]))
    const forged = Buffer.from(good)
    forged[DATA_HEADER_BYTES + 3] ^= 1
    const forgedHeader = Buffer.from(seal(rig.toFast, 7, 6n, bundle([frame(LOCAL_MAC, PEER_MAC)])))
    forgedHeader[8] ^= 1  // counter 6 -> 7: the header is authenticated
    await send(good, good, forged, forgedHeader)
    await settle(() => rig.fast.counters().replay + rig.fast.counters().badTag === 3)
    const c = rig.fast.counters()
    expect(c.replay).toBe(2)  // the copy, and the forgery of an already seen counter
    expect(c.badTag).toBe(1)
    expect(c.datagramsIn).toBe(1)
    // the window was not moved by the forgery: counter 7 still goes through
    await send(seal(rig.toFast, 7, 7n, bundle([frame(LOCAL_MAC, PEER_MAC)])))
    await settle(() => rig.fast.counters().datagramsIn === 2)
  })

  it('hands up untouched what is not established Data: other kinds, unknown index, another sender', async () => {
    const probe = seal(rig.toFast, 7, 1n, Buffer.alloc(30), PacketKind.Probe)
    const unknown = seal(rig.toFast, 8, 1n, bundle([frame(LOCAL_MAC, PEER_MAC)]))
    const short = Buffer.from([1, 1, 0])
    await send(probe, unknown, short)
    const other = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', resolve))
    const moved = seal(rig.toFast, 7, 2n, bundle([frame(LOCAL_MAC, PEER_MAC)]))
    await new Promise<void>((resolve) => other.send(moved, rig.fast.port, '127.0.0.1', () => resolve()))
    await settle(() => rig.raw.length === 4)
    const otherPort = other.address().port
    other.close()
    expect(rig.raw.map((r) => r.data)).toEqual([probe, unknown, short, moved])
    expect(rig.raw[0]).toMatchObject({ address: '127.0.0.1', port: rig.peerPort })
    expect(rig.raw[3].port).toBe(otherPort)
  })

  it('sends JS datagrams through the same socket', async () => {
    const got = new Promise<{ msg: Buffer; port: number }>((resolve) => rig.peer.once('message', (msg, r) => resolve({ msg, port: r.port })))
    expect(rig.fast.send(Buffer.from('xhellox'), 1, 5, '127.0.0.1', rig.peerPort)).toBe(true)
    expect(await got).toEqual({ msg: Buffer.from('hello'), port: rig.fast.port })
    expect(rig.fast.send(Buffer.from('x'), 0, 5, '127.0.0.1', rig.peerPort)).toBe(false)
    expect(rig.fast.send(Buffer.from('x'), 0, 1, 'not an address', rig.peerPort)).toBe(false)
  })
})

describe('FastPath fuzzing', () => {
  it('answers random datagrams with a counted drop or an upcall', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 20 }), async (ds) => {
      const before = { ...rig.fast.counters() }
      const raw = rig.raw.length
      await send(...ds.map((d) => Buffer.from(d)))
      // every datagram ends in exactly one of these
      const outcomes = () => {
        const c = rig.fast.counters()
        return rig.raw.length - raw + c.replay - before.replay + c.badTag - before.badTag + c.datagramsIn - before.datagramsIn
      }
      await settle(() => outcomes() === ds.length)
    }), { numRuns: 20 })
  })

  it('parses random bundles sealed with the right key as a reference parser does', async () => {
    const arbFrame = fc.record({
      src: fc.constantFrom(PEER_MAC, LOCAL_MAC, Buffer.from('02aabbccdd77', 'hex'), Buffer.from('03aabbccdd77', 'hex')),
      payload: fc.nat({ max: 80 }),
    }).map(({ src, payload }) => frame(LOCAL_MAC, src, payload))
    const arbBody = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.array(arbFrame, { minLength: 1, maxLength: 4 }).map(bundle),
      fc.tuple(fc.array(arbFrame, { minLength: 1, maxLength: 3 }).map(bundle), fc.integer({ min: -20, max: 20 }))
        .map(([b, cut]) => (cut < 0 ? b.subarray(0, Math.max(0, b.length + cut)) : Buffer.concat([b, Buffer.alloc(cut)]))),
    )
    let counter = 100n
    await fc.assert(fc.asyncProperty(fc.array(arbBody, { minLength: 1, maxLength: 10 }), async (bodies) => {
      const before = { ...rig.fast.counters() }
      const plain = rig.plain.length
      await send(...bodies.map((b) => seal(rig.toFast, 7, counter++, b)))
      await settle(() => rig.fast.counters().datagramsIn - before.datagramsIn === bodies.length)
      const want = { badBundle: 0, upPlain: 0, frames: 0 }
      for (const b of bodies) {
        const r = referenceParse(b)
        if (r === 'bad') want.badBundle++
        else if (r.learn) want.upPlain++
        else want.frames += r.frames
      }
      const c = rig.fast.counters()
      expect({ badBundle: c.badBundle - before.badBundle, upPlain: c.upPlain - before.upPlain, frames: c.tapDrops - before.tapDrops }).toEqual(want)
      expect(rig.plain.length - plain).toBe(want.upPlain)
    }), { numRuns: 30 })
  })

  it('refuses malformed tables with a TypeError and keeps the old one', async () => {
    const fields = ['localIndex', 'remoteIndex', 'peer', 'sending', 'address', 'port', 'mtu', 'bundleCapacity', 'sender', 'receiver', 'replay', 'counter', 'stats']
    fc.assert(fc.property(fc.constantFrom(...fields), fc.anything(), (field, value) => {
      const bad = { ...rig.session, [field]: value }
      try {
        rig.fast.publish([bad], new Float64Array(0))
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError)
      }
    }), { numRuns: 300 })
    expect(() => rig.fast.publish([rig.session], Float64Array.from([1.5, 0]))).toThrow(TypeError)
    expect(() => rig.fast.publish([rig.session, rig.session], new Float64Array(0))).toThrow(/twice/)
    // the rig's table is back in place: a valid datagram still goes through natively
    rig.fast.publish([rig.session], Float64Array.from([macNum(PEER_MAC), 1, macNum(LOCAL_MAC), 0]))
    await send(seal(rig.toFast, 7, 1n, bundle([frame(LOCAL_MAC, PEER_MAC)])))
    await settle(() => rig.fast.counters().datagramsIn === 1)
  })
})
