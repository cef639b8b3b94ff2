import { describe, expect, it } from 'vitest'
import { CHANNEL_TAP_QUEUE_FRAMES, ChannelTap, createChannelTapPair, type TapDevice } from '../src/index.js'
import { taggedFrame } from './frames.js'
import { describeTapCompliance, loopTurns, record } from './tap-compliance.js'

const PEER_MAC = '02:00:00:00:00:01'
let nextTag = 1

describeTapCompliance({
  label: 'ChannelTap',
  open: (init) => new ChannelTap(init),
  stimulate(tap, count) {
    const first = nextTag
    nextTag += count
    for (let i = 0; i < count; i++) (tap as ChannelTap).inject(taggedFrame(PEER_MAC, first + i))
    return (frame) => {
      const i = frame.readUInt32BE(14) - first
      return i >= 0 && i < count ? i : undefined
    }
  },
  frame: () => taggedFrame(PEER_MAC, 0),
  delivered: (tap: TapDevice) => (tap as ChannelTap).written.length,
})

describe('ChannelTap', () => {
  it('delivers on a microtask, not synchronously, and only once a handler is set', async () => {
    const tap = new ChannelTap()
    expect(tap.inject(taggedFrame(PEER_MAC, 7))).toBe(true)
    await loopTurns()
    expect(tap.pending).toBe(1)
    const counts: number[] = []
    tap.onBatch((b) => counts.push(b.count))
    expect(counts).toEqual([])
    await Promise.resolve()
    expect(counts).toEqual([1])
    expect(tap.pending).toBe(0)
  })

  it('flush() delivers everything queued synchronously, in batches', () => {
    const tap = new ChannelTap({ batchSize: 3 })
    const counts: number[] = []
    tap.onBatch((b) => counts.push(b.count))
    for (let i = 0; i < 7; i++) tap.inject(taggedFrame(PEER_MAC, i))
    expect(tap.flush()).toBe(7)
    expect(counts).toEqual([3, 3, 1])
    expect(tap.flush()).toBe(0)
  })

  it('flush() from inside a handler does nothing (the batch is still borrowed)', () => {
    const tap = new ChannelTap({ batchSize: 1 })
    const inner: number[] = []
    tap.onBatch(() => inner.push(tap.flush()))
    tap.inject(taggedFrame(PEER_MAC, 1))
    tap.inject(taggedFrame(PEER_MAC, 2))
    expect(tap.flush()).toBe(2)
    expect(inner).toEqual([0, 0])
  })

  it('copies injected frames: changing the original later changes nothing', () => {
    const tap = new ChannelTap()
    const frame = taggedFrame(PEER_MAC, 42)
    tap.inject(frame)
    frame.fill(0)
    const got: Buffer[] = []
    tap.onBatch((b) => got.push(Buffer.from(b.slab.subarray(b.offsets[0], b.offsets[0] + b.lengths[0]))))
    tap.flush()
    expect(got[0].readUInt32BE(14)).toBe(42)
  })

  it('refuses empty and oversized frames as read errors, and a full queue', () => {
    const tap = new ChannelTap({ slotSize: 100 })
    expect(tap.inject(Buffer.alloc(0))).toBe(false)
    expect(tap.inject(Buffer.alloc(101))).toBe(false)
    expect(tap.inject(Buffer.alloc(100))).toBe(true)
    expect(tap.stats().readErrors).toBe(2)
    for (let i = 1; i < CHANNEL_TAP_QUEUE_FRAMES; i++) expect(tap.inject(Buffer.alloc(60))).toBe(true)
    expect(tap.inject(Buffer.alloc(60))).toBe(false)
    expect(tap.pending).toBe(CHANNEL_TAP_QUEUE_FRAMES)
    tap.close()
    expect(tap.pending).toBe(0)
    expect(tap.inject(Buffer.alloc(60))).toBe(false)
  })

  it('keeps copies of written frames and calls onWrite, or keeps none when asked', () => {
    const hooked: Buffer[] = []
    const tap = new ChannelTap({ onWrite: (f) => hooked.push(f) })
    const frame = taggedFrame(PEER_MAC, 5)
    tap.write(frame, 0, frame.length)
    frame.fill(0)
    expect(tap.written).toHaveLength(1)
    expect(tap.written[0].readUInt32BE(14)).toBe(5)
    expect(hooked[0]).toEqual(tap.written[0])
    const quiet = new ChannelTap({ keepWritten: false })
    expect(quiet.write(frame, 0, frame.length)).toBe(true)
    expect(quiet.written).toEqual([])
  })

  it('a pair carries frames written on one end to the other end', async () => {
    const [a, b] = createChannelTapPair()
    expect([a.name, b.name]).toEqual(['chtap0', 'chtap1'])
    const atB = record(b, (s) => s.frames.length >= 2)
    const atA = record(a, (s) => s.frames.length >= 1)
    a.write(taggedFrame(PEER_MAC, 1), 0, 60)
    a.write(taggedFrame(PEER_MAC, 2), 0, 60)
    b.write(taggedFrame(PEER_MAC, 3), 0, 60)
    expect((await atB).frames.map((f) => f.readUInt32BE(14))).toEqual([1, 2])
    expect((await atA).frames.map((f) => f.readUInt32BE(14))).toEqual([3])
    b.close()
    expect(a.write(taggedFrame(PEER_MAC, 4), 0, 60)).toBe(true) // the cable end is gone, not the device
  })

  it('rejects batchSize and slotSize out of range with a RangeError naming the option', () => {
    for (const batchSize of [0, -1, 1.5, 1025, Number.NaN]) {
      expect(() => new ChannelTap({ batchSize })).toThrow(/batchSize/)
      expect(() => new ChannelTap({ batchSize })).toThrow(RangeError)
    }
    for (const slotSize of [0, 59, 1_048_577, 2.5]) expect(() => new ChannelTap({ slotSize })).toThrow(/slotSize/)
    expect(() => new ChannelTap({ batchSize: 1024, slotSize: 1_048_576 })).toThrow(/batchSize \* slotSize/)
  })
})
