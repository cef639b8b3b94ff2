import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { BundleWriter, ETH_HEADER_BYTES, WireError, countFrames, forEachFrame } from '../src/index.js'

/** Reads a bundle back as copied frames (slow reference: visits after validating itself). */
function readAll(buf: Buffer, offset: number, length: number): { count: number, frames: Buffer[] } {
  const frames: Buffer[] = []
  const count = forEachFrame(buf, offset, length, (b, o, l) => frames.push(Buffer.from(b.subarray(o, o + l))))
  return { count, frames }
}

/** An independent parser: the bundle as frames, or null if any rule is broken. */
function referenceParse(bytes: Uint8Array): Uint8Array[] | null {
  const frames: Uint8Array[] = []
  let at = 0
  while (at < bytes.length) {
    if (at + 2 > bytes.length) return null
    const length = bytes[at] * 256 + bytes[at + 1]
    if (length < 14 || at + 2 + length > bytes.length) return null
    frames.push(bytes.slice(at + 2, at + 2 + length))
    at += 2 + length
  }
  return frames.length > 0 ? frames : null
}

const frameArb = fc.uint8Array({ minLength: ETH_HEADER_BYTES, maxLength: 200 })

describe('frame bundle', () => {
  it('writes [u16 BE length][frame] and reads the frames back', () => {
    const area = Buffer.alloc(100, 0xaa)
    const writer = new BundleWriter(area, 10, 80)
    const a = Buffer.alloc(14, 1)
    const b = Buffer.alloc(20, 2)
    expect(writer.add(a, 0, 14)).toBe(true)
    expect(writer.add(b, 0, 20)).toBe(true)
    expect(writer.length).toBe(2 + 14 + 2 + 20)
    expect(writer.count).toBe(2)
    expect([...area.subarray(10, 12)]).toEqual([0, 14])
    expect([...area.subarray(26, 28)]).toEqual([0, 20])
    expect(area[9]).toBe(0xaa)
    const { count, frames } = readAll(area, 10, writer.length)
    expect(count).toBe(2)
    expect(frames).toEqual([a, b])
  })

  it('refuses frames that do not fit or are not valid frame lengths', () => {
    const writer = new BundleWriter(Buffer.alloc(40), 0, 40)
    expect(writer.fits(13)).toBe(false)
    expect(writer.fits(65536)).toBe(false)
    expect(writer.fits(38)).toBe(true)
    expect(writer.fits(39)).toBe(false)
    expect(writer.add(Buffer.alloc(13), 0, 13)).toBe(false)
    expect(writer.add(Buffer.alloc(20), 10, 20)).toBe(false) // runs past the source
    expect(writer.add(Buffer.alloc(39), 0, 39)).toBe(false)
    expect(writer.count).toBe(0)
    expect(writer.add(Buffer.alloc(20), 0, 20)).toBe(true)
    expect(writer.fits(17)).toBe(false)
    expect(writer.fits(16)).toBe(true)
    writer.reset()
    expect(writer.length).toBe(0)
    expect(writer.count).toBe(0)
    expect(writer.fits(38)).toBe(true)
  })

  it('accepts 65535-byte frames and rejects an area outside the buffer', () => {
    const big = Buffer.alloc(65535, 7)
    const area = Buffer.alloc(65537)
    const writer = new BundleWriter(area, 0, 65537)
    expect(writer.add(big, 0, big.length)).toBe(true)
    expect(readAll(area, 0, writer.length).count).toBe(1)
    expect(() => new BundleWriter(Buffer.alloc(10), 5, 6)).toThrow(WireError)
    expect(() => new BundleWriter(Buffer.alloc(10), -1, 6)).toThrow(WireError)
  })

  it('round-trips any frames that fit, in order', () => {
    fc.assert(fc.property(fc.array(frameArb, { maxLength: 12 }), fc.nat({ max: 1500 }), (frames, capacity) => {
      const buf = Buffer.alloc(capacity + 3)
      const writer = new BundleWriter(buf, 3, capacity)
      const added: Uint8Array[] = []
      for (const frame of frames) {
        const fits = writer.fits(frame.length)
        expect(writer.add(Buffer.from(frame), 0, frame.length)).toBe(fits)
        if (fits) added.push(frame)
      }
      expect(writer.count).toBe(added.length)
      expect(writer.length).toBeLessThanOrEqual(capacity)
      const { count, frames: read } = readAll(buf, 3, writer.length)
      if (added.length === 0) {
        expect(count).toBe(-1) // an empty bundle is malformed
      } else {
        expect(count).toBe(added.length)
        expect(read.map((f) => [...f])).toEqual(added.map((f) => [...f]))
      }
    }))
  })

  it('rejects malformed bundles as a whole, visiting nothing', () => {
    const area = Buffer.alloc(200)
    const writer = new BundleWriter(area, 0, 200)
    writer.add(Buffer.alloc(20, 1), 0, 20)
    writer.add(Buffer.alloc(30, 2), 0, 30)
    const good = area.subarray(0, writer.length)
    const cases: Buffer[] = [
      Buffer.alloc(0),
      Buffer.concat([good, Buffer.from([0])]), // one trailing byte
      Buffer.concat([good, Buffer.from([0, 0])]), // zero padding
      Buffer.concat([good, Buffer.from([0, 13]), Buffer.alloc(13)]), // frame shorter than a header
      good.subarray(0, good.length - 1), // last frame truncated
      Buffer.concat([good, Buffer.from([0xff, 0xff]), Buffer.alloc(100)]), // length past the end
    ]
    for (const bytes of cases) {
      let visits = 0
      expect(forEachFrame(bytes, 0, bytes.length, () => visits++)).toBe(-1)
      expect(countFrames(bytes, 0, bytes.length)).toBe(-1)
      expect(visits).toBe(0)
    }
    expect(forEachFrame(good, 0, good.length + 1, () => {})).toBe(-1) // runs past the buffer
    expect(forEachFrame(good, -1, good.length, () => {})).toBe(-1)
  })

  it('agrees with a reference parser on arbitrary bytes', () => {
    // Bytes biased towards plausible bundles: random length prefixes around the sizes in play.
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      frameArb.map((f) => Buffer.concat([Buffer.from([f.length >> 8, f.length & 0xff]), f])),
    )
    fc.assert(fc.property(fc.array(chunk, { maxLength: 5 }), (parts) => {
      const bytes = Buffer.concat(parts)
      const expected = referenceParse(bytes)
      const { count, frames } = readAll(bytes, 0, bytes.length)
      if (expected === null) {
        expect(count).toBe(-1)
        expect(frames).toEqual([])
      } else {
        expect(count).toBe(expected.length)
        expect(frames.map((f) => [...f])).toEqual(expected.map((f) => [...f]))
      }
    }), { numRuns: 2000 })
  })
})
