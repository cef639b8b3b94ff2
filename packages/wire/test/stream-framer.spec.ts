import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  MAX_CONTROL_MESSAGE_BYTES, MAX_HANDSHAKE_MESSAGE_BYTES, StreamFramer, WireError, encodeFrame,
} from '../src/index.js'

/** Cuts `bytes` at the given positions (any order, duplicates allowed). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let from = 0
  for (const point of points) {
    chunks.push(bytes.subarray(from, point))
    from = point
  }
  chunks.push(bytes.subarray(from))
  return chunks
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(WireError)
    expect((error as WireError).code).toBe(code)
    return
  }
  expect.fail(`expected WireError ${code}`)
}

describe('stream framing', () => {
  it('prefixes a big-endian u32 length', () => {
    expect([...encodeFrame(new Uint8Array([9, 8, 7]))]).toEqual([0, 0, 0, 3, 9, 8, 7])
    expect([...encodeFrame(new Uint8Array(0))]).toEqual([0, 0, 0, 0])
    expect(MAX_CONTROL_MESSAGE_BYTES).toBe(1024 * 1024)
    expect(MAX_HANDSHAKE_MESSAGE_BYTES).toBe(65535)
  })

  it('refuses to encode beyond the limit', () => {
    expectCode(() => encodeFrame(new Uint8Array(11), 10), 'ERR_FRAME_TOO_LARGE')
    expect(encodeFrame(new Uint8Array(10), 10).length).toBe(14)
    expectCode(() => encodeFrame(new Uint8Array(0), -1), 'ERR_BAD_ARGUMENT')
  })

  it('reassembles messages split at any byte, exactly', () => {
    const messages = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 })
    fc.assert(fc.property(messages, fc.array(fc.nat(), { maxLength: 20 }), (payloads, cuts) => {
      const stream = Buffer.concat(payloads.map((p) => encodeFrame(p, 300)))
      const framer = new StreamFramer(300)
      const out: Buffer[] = []
      for (const chunk of split(stream, cuts)) {
        out.push(...framer.push(chunk))
        expect(framer.buffered).toBeLessThanOrEqual(300 + 4)
      }
      expect(framer.buffered).toBe(0)
      expect(out.map((m) => [...m])).toEqual(payloads.map((p) => [...p]))
    }))
  })

  it('delivers a message byte by byte, including empty ones', () => {
    const stream = Buffer.concat([encodeFrame(Buffer.from('hi')), encodeFrame(new Uint8Array(0)), encodeFrame(Buffer.from('x'))])
    const framer = new StreamFramer()
    const out: string[] = []
    const seen: number[] = []
    for (const byte of stream) {
      out.push(...framer.push(Buffer.from([byte])).map((m) => m.toString()))
      seen.push(framer.buffered)
    }
    expect(out).toEqual(['hi', '', 'x'])
    expect(seen).toEqual([1, 2, 3, 4, 5, 0, 1, 2, 3, 0, 1, 2, 3, 4, 0])
  })

  it('returns buffers of their own, not views of the chunk', () => {
    const chunk = encodeFrame(Buffer.from('abc'))
    const [message] = new StreamFramer().push(chunk)
    chunk.fill(0)
    expect(message.toString()).toBe('abc')
  })

  it('fails for good on a length above the limit', () => {
    const framer = new StreamFramer(10)
    expect(framer.push(encodeFrame(new Uint8Array(10), 10))).toHaveLength(1)
    expectCode(() => framer.push(Buffer.from([0, 0, 0, 11])), 'ERR_FRAME_TOO_LARGE')
    expectCode(() => framer.push(encodeFrame(new Uint8Array(1))), 'ERR_FRAME_TOO_LARGE')
    expectCode(() => new StreamFramer(0x1_0000_0000), 'ERR_BAD_ARGUMENT')
  })

  it('raises its limit in place after the handshake, keeping buffered bytes', () => {
    const framer = new StreamFramer(MAX_HANDSHAKE_MESSAGE_BYTES)
    const big = new Uint8Array(100_000).fill(3)
    const stream = Buffer.concat([encodeFrame(Buffer.from('hs3')), encodeFrame(big)])
    expect(framer.push(stream.subarray(0, 9)).map((m) => m.toString())).toEqual(['hs3'])
    expect(framer.buffered).toBe(2)
    framer.maxMessageBytes = MAX_CONTROL_MESSAGE_BYTES
    expect(framer.maxMessageBytes).toBe(MAX_CONTROL_MESSAGE_BYTES)
    const [message] = framer.push(stream.subarray(9))
    expect(message.equals(big)).toBe(true)
    expectCode(() => { framer.maxMessageBytes = Number.NaN }, 'ERR_BAD_ARGUMENT')
  })

  it('never throws anything but ERR_FRAME_TOO_LARGE on garbage, nor buffers above max + 4', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), fc.nat({ max: 64 }),
      (chunks, max) => {
        const framer = new StreamFramer(max)
        try {
          for (const chunk of chunks) {
            for (const message of framer.push(Buffer.from(chunk))) expect(message.length).toBeLessThanOrEqual(max)
            expect(framer.buffered).toBeLessThanOrEqual(max + 4)
          }
        } catch (error) {
          expect((error as WireError).code).toBe('ERR_FRAME_TOO_LARGE')
        }
      }), { numRuns: 1000 })
  })
})
