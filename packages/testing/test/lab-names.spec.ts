import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isLabNamespace, isLabPrefix, labPrefixPid, makeLabPrefix, WEFT_BIN } from '../src/index.js'

describe('lab names', () => {
  it('encodes the pid in the prefix and keeps link names within 15 characters', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4_194_304 }), (pid) => {
      const prefix = makeLabPrefix(pid)
      expect(isLabPrefix(prefix)).toBe(true)
      expect(labPrefixPid(prefix)).toBe(pid)
      expect(`${prefix}abcdef`.length).toBeLessThanOrEqual(15)
      expect(isLabNamespace(`${prefix}-abcdef`, prefix)).toBe(true)
      expect(isLabNamespace(`${prefix}-h1-web`)).toBe(true)
    }))
  })

  it('does not match namespaces outside the pattern', () => {
    const prefix = makeLabPrefix()
    for (const name of ['', 'default', 'w', 'w-h1', 'wab-h1', 'wabcdefghi-h1', 'Wabcd-h1', `${prefix}`, `${prefix}-`, `${prefix}-/x`, `x${prefix}-h1`, `${prefix}-h1 x`, 'wg0-a']) {
      expect(isLabNamespace(name), name).toBe(false)
    }
    expect(isLabNamespace(`${prefix}-h1`, makeLabPrefix(1))).toBe(false)
    expect(labPrefixPid('nope')).toBeUndefined()
    // The shape alone is weak ("weave" = w + pid "ea" + "ave"): this is why sweepStaleLabs also
    // requires the lab's marker file, and destroy() only deletes its own exact prefix.
    expect(isLabNamespace('weave-h1')).toBe(true)
    expect(isLabNamespace('weave-h1', prefix)).toBe(false)
  })

  it('finds the CLI from the package location, not the cwd', () => {
    expect(WEFT_BIN).toMatch(/^\/.*\/packages\/cli\/dist\/bin\.js$/)
  })
})
