/**
 * The behaviour every TapDevice shares, run against NativeTap (native-tap.spec.ts) and
 * ChannelTap (channel-tap.spec.ts). A harness knows how to make frames arrive at a device and
 * how to see frames leave it.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { TAP_MIN_FRAME_BYTES, TapError, type FrameBatch, type TapDevice } from '../src/index.js'

export interface TapHarness {
  readonly label: string
  open(init: { batchSize?: number }): TapDevice
  /**
   * Makes `count` new frames pending on `tap`, all of them before the device's next read.
   * Returns a function that tells the index (0..count-1) of one of those frames, or undefined.
   */
  stimulate(tap: TapDevice, count: number): (frame: Buffer) => number | undefined
  /** A frame `tap` accepts on write. */
  frame(tap: TapDevice): Buffer
  /** Frames written to `tap` that reached the other side so far. */
  delivered(tap: TapDevice): number
}

export interface Seen {
  counts: number[]
  frames: Buffer[]
  batches: Set<FrameBatch>
  slabs: Set<Buffer>
  layoutErrors: string[]
}

/** Records copies of every delivered frame until `done(seen)`; checks the slot layout as it goes. */
export function record(tap: TapDevice, done: (seen: Seen) => boolean): Promise<Seen> {
  return new Promise((resolve) => {
    const seen: Seen = { counts: [], frames: [], batches: new Set(), slabs: new Set(), layoutErrors: [] }
    tap.onBatch((batch) => {
      seen.counts.push(batch.count)
      seen.batches.add(batch)
      seen.slabs.add(batch.slab)
      for (let i = 0; i < batch.count; i++) {
        const start = batch.offsets[i]
        const end = start + batch.lengths[i]
        if (batch.lengths[i] === 0 || end > batch.slab.length || (i + 1 < batch.count && end > batch.offsets[i + 1])) {
          seen.layoutErrors.push(`frame ${i}: offset ${start} length ${batch.lengths[i]}`)
        }
        seen.frames.push(Buffer.from(batch.slab.subarray(start, end)))
      }
      if (done(seen)) resolve(seen)
    })
  })
}

/** Lets the event loop turn a few times (each turn polls I/O and runs microtasks). */
export async function loopTurns(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve))
}

export function describeTapCompliance(harness: TapHarness): void {
  describe(`TapDevice compliance: ${harness.label}`, () => {
    const opened: TapDevice[] = []
    const open = (init: { batchSize?: number } = {}): TapDevice => {
      const tap = harness.open(init)
      opened.push(tap)
      return tap
    }
    afterEach(() => {
      for (const tap of opened.splice(0)) tap.close()
    })

    it('has an interface name', () => {
      expect(open().name).toMatch(/^\S{1,15}$/)
    })

    it('delivers pending frames in order, in batches of at most batchSize, from one reused slab', async () => {
      const tap = open({ batchSize: 4 })
      const indexOf = harness.stimulate(tap, 10)
      const ours = (seen: Seen) => seen.frames.map(indexOf).filter((i) => i !== undefined)
      const seen = await record(tap, (s) => ours(s).length >= 10)
      expect(ours(seen)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(seen.counts[0]).toBe(4) // ten were pending: the first read fills the batch
      expect(seen.counts.every((c) => c >= 1 && c <= 4)).toBe(true)
      expect(seen.layoutErrors).toEqual([])
      expect(seen.slabs.size).toBe(1)
      expect(seen.batches.size).toBe(1)
      expect(tap.stats().framesRead).toBeGreaterThanOrEqual(10)
    })

    it('delivers to the latest handler only', async () => {
      const tap = open()
      const first = harness.stimulate(tap, 1)
      const seenFirst = await record(tap, (s) => s.frames.some((f) => first(f) !== undefined))
      const second = harness.stimulate(tap, 1)
      const seenSecond = await record(tap, (s) => s.frames.some((f) => second(f) !== undefined))
      expect(seenFirst.frames.filter((f) => second(f) !== undefined)).toEqual([])
      expect(seenSecond.frames.filter((f) => first(f) !== undefined)).toEqual([])
    })

    it('writes a frame that reaches the other side, and counts it', () => {
      const tap = open()
      const frame = harness.frame(tap)
      const before = harness.delivered(tap)
      expect(tap.write(frame, 0, frame.length)).toBe(true)
      expect(harness.delivered(tap)).toBe(before + 1)
      expect(tap.stats()).toMatchObject({ framesWritten: 1, writeDrops: 0 })
    })

    it('writes only frames in range and at least 14 bytes; never throws (fuzz)', () => {
      const tap = open()
      const frame = harness.frame(tap)
      const anyNumber = fc.oneof(
        fc.integer({ min: -4, max: 300 }),
        fc.double(),
        fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0.5, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER + 2),
      )
      let drops = 0
      let writes = 0
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 256 }), anyNumber, anyNumber, (size, offset, length) => {
          const buf = Buffer.alloc(size)
          frame.copy(buf) // a frame to the device at offset 0; zeros (dropped by the kernel) after
          const inRange = Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= size
          const ok = tap.write(buf, offset, length)
          if (ok) writes++
          else drops++
          expect(ok).toBe(inRange && length >= TAP_MIN_FRAME_BYTES)
        }),
        { numRuns: 300 },
      )
      expect(tap.stats()).toMatchObject({ framesWritten: writes, writeDrops: drops })
    })

    it('closes idempotently; then write is a counted false and onBatch throws ERR_TAP_CLOSED', () => {
      const tap = open()
      const frame = harness.frame(tap)
      tap.close()
      tap.close()
      expect(tap.write(frame, 0, frame.length)).toBe(false)
      expect(tap.stats()).toMatchObject({ framesWritten: 0, writeDrops: 1 })
      let error: unknown
      try {
        tap.onBatch(() => {})
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(TapError)
      expect((error as TapError).code).toBe('ERR_TAP_CLOSED')
    })

    it('stops delivering when a handler closes the device', async () => {
      const tap = open({ batchSize: 2 })
      harness.stimulate(tap, 6)
      const counts: number[] = []
      tap.onBatch((batch) => {
        counts.push(batch.count)
        tap.close()
      })
      while (counts.length === 0) await loopTurns(1)
      await loopTurns() // four frames were still pending: a live device would deliver them now
      expect(counts).toEqual([2])
    })
  })
}
