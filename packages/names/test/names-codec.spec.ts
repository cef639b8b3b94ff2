// The `dns` channel's wire format: random states round-trip byte for byte; random and mutated
// bytes either decode to a valid state or throw ERR_BAD_PAYLOAD, never anything else; each rule
// of the format is enforced.
import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { decodeNames, encodeNames, NamesError, type NamesState } from '../src/index.js'
import { peerId, stateArb } from './helpers/arbitraries.js'

const packr = new Packr({ useRecords: false, moreTypes: false, variableMapSize: true })
const P = Buffer.from(peerId(1), 'hex')
const entry = { n: 'web', a: Buffer.from([10, 32, 0, 5]), c: 'c1', v: 2, t: false }
const message = (peers: unknown[], extra: Record<string, unknown> = {}) => packr.pack({ v: 1, p: peers, ...extra })
const peer = (fields: Record<string, unknown> = {}) => ({ i: P, f: 0, e: [entry], ...fields })

function rejection(bytes: Uint8Array): string {
  try {
    decodeNames(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(NamesError)
    expect((err as NamesError).code).toBe('ERR_BAD_PAYLOAD')
    return (err as NamesError).reason!
  }
  return 'accepted'
}

/** Decodes or throws ERR_BAD_PAYLOAD; whatever decodes re-encodes to a valid message. */
function decodesCleanly(bytes: Uint8Array): void {
  let state: NamesState
  try {
    state = decodeNames(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(NamesError)
    expect((err as NamesError).code).toBe('ERR_BAD_PAYLOAD')
    return
  }
  const again = encodeNames(state)
  expect(Buffer.from(encodeNames(decodeNames(again))).equals(Buffer.from(again))).toBe(true)
}

describe('names codec', () => {
  it('round-trips random states to identical bytes', () => {
    fc.assert(fc.property(stateArb(), (state) => {
      const bytes = encodeNames(state)
      const back = decodeNames(bytes)
      expect(Buffer.from(encodeNames(back)).equals(Buffer.from(bytes))).toBe(true)
      expect(back.size).toBe(state.size)
    }), { numRuns: 500 })
  })

  it('never throws anything but ERR_BAD_PAYLOAD on random or mutated bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => decodesCleanly(bytes)), { numRuns: 3000 })
    fc.assert(fc.property(stateArb(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (state, flips, cut) => {
      const bytes = Buffer.from(encodeNames(state))
      for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value
      decodesCleanly(bytes)
      decodesCleanly(bytes.subarray(0, cut % (bytes.length + 1)))
    }), { numRuns: 3000 })
  })

  it('accepts a well-formed message', () => {
    expect(rejection(message([peer()]))).toBe('accepted')
    const state = decodeNames(message([peer({ e: [{ ...entry, a: Buffer.alloc(16, 0xfd) }] })]))
    expect(state.get(peerId(1))!.entries[0]).toEqual({ owner: peerId(1), name: 'web', address: 'fdfd:fdfd:fdfd:fdfd:fdfd:fdfd:fdfd:fdfd', containerId: 'c1', version: 2, tombstone: false })
  })

  it('enforces every rule of the format', () => {
    expect(rejection(Buffer.from([0xc1]))).toBe('not-msgpack')
    expect(rejection(Buffer.from([0xd4, 0x01, 0x00]))).toBe('not-msgpack') // an extension
    expect(rejection(Buffer.concat([message([peer()]), Buffer.from([0])]))).toBe('not-msgpack')
    expect(rejection(packr.pack({ v: 2, p: [] }))).toBe('bad-version')
    expect(rejection(message([peer()], { x: 1 }))).toBe('bad-field')
    expect(rejection(message([peer(), peer()]))).toBe('bad-field') // a peer twice
    expect(rejection(message([peer({ i: Buffer.alloc(31) })]))).toBe('bad-field')
    expect(rejection(message([peer({ f: -1 })]))).toBe('bad-field')
    expect(rejection(message([peer({ f: 2 })]))).toBe('bad-field') // entry not above the floor
    expect(rejection(message([peer({ f: 2 ** 53 })]))).toBe('bad-field')
    expect(rejection(message([peer({ e: [entry, { ...entry, n: 'WEB', c: 'c2' }] })]))).toBe('bad-field') // a key twice
    expect(rejection(message([peer({ e: [{ ...entry, n: 'bad name' }] })]))).toBe('bad-field')
    expect(rejection(message([peer({ e: [{ ...entry, a: Buffer.alloc(5) }] })]))).toBe('bad-field')
    expect(rejection(message([peer({ e: [{ ...entry, a: '10.32.0.5' }] })]))).toBe('bad-field')
    expect(rejection(message([peer({ e: [{ ...entry, c: 'x'.repeat(129) }] })]))).toBe('bad-field')
    expect(rejection(message([peer({ e: [{ ...entry, v: 0 }] })]))).toBe('bad-field')
    expect(rejection(message([peer({ e: [{ ...entry, v: 1.5 }] })]))).toBe('bad-field')
    expect(rejection(message([peer({ e: [{ ...entry, t: 1 }] })]))).toBe('bad-field')
    expect(rejection(message([peer({ e: [{ ...entry, t: true }] })]))).toBe('bad-field') // a tombstone with a container id
    expect(rejection(message([peer({ e: [{ ...entry, n: 'Web', c: '', t: true }] })]))).toBe('bad-field') // not lowercase
    expect(rejection(message([peer({ e: [{ n: 'web', a: entry.a, c: '', v: 1 }] })]))).toBe('bad-field') // a field missing
  })
})
