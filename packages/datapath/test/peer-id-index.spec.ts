import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PeerIdIndex, isPeerId, peerIdBytes } from '../src/index.js'

const rawId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b))
/** Ids that often share their first 6 bytes (the index's key), to exercise its chains. */
const crowdedId = fc.tuple(fc.constantFrom('000000000000', 'ffffffffffff', '0123456789ab'), rawId)
  .map(([prefix, raw]) => prefix + raw.toString('hex').slice(12))

describe('peer id index', () => {
  it('recognises peer ids: exactly 64 lowercase hex digits', () => {
    expect(isPeerId('ab'.repeat(32))).toBe(true)
    expect(isPeerId('AB'.repeat(32))).toBe(false)
    expect(isPeerId('ab'.repeat(32) + '0')).toBe(false)
    expect(isPeerId('ab'.repeat(31) + 'a')).toBe(false)
    expect(isPeerId('ag'.repeat(32))).toBe(false)
    expect(isPeerId('')).toBe(false)
    expect(peerIdBytes('01'.repeat(32)).equals(Buffer.alloc(32, 1))).toBe(true)
  })

  it('agrees with plain hex decoding for known and unknown ids', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(crowdedId, rawId.map((r) => r.toString('hex'))), { maxLength: 20 }),
      fc.array(fc.oneof(crowdedId, rawId.map((r) => r.toString('hex'))), { maxLength: 10 }),
      fc.nat({ max: 7 }),
      (known, probes, offset) => {
        const index = PeerIdIndex.of([...known, 'not an id', ''])
        for (const id of [...known, ...probes]) {
          const buf = Buffer.alloc(offset + 40, 0x5a)
          Buffer.from(id, 'hex').copy(buf, offset)
          expect(index.idAt(buf, offset)).toBe(id) // the slow reference: toString('hex')
          expect(index.find(buf, offset)).toBe(known.includes(id) ? id : undefined)
        }
      }), { numRuns: 500 })
  })

  it('is empty until built', () => {
    const buf = Buffer.alloc(32, 7)
    expect(PeerIdIndex.EMPTY.find(buf, 0)).toBeUndefined()
    expect(PeerIdIndex.EMPTY.idAt(buf, 0)).toBe('07'.repeat(32))
  })
})
