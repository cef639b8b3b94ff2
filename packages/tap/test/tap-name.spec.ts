/**
 * TAP name validation: tapNameProblem against a byte-level model of the kernel's
 * dev_valid_name(), and then against the kernel itself (every accepted name is opened for real,
 * in this file's own namespace).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTap, TapError, tapNameProblem } from '../src/index.js'
import { TestNetns } from './netns.js'

const ns = new TestNetns()
beforeAll(() => {
  ns.create()
})
afterAll(() => ns.destroy())

/** The kernel rule, written another way: on the UTF-8 bytes read as Latin-1, by regex. */
function kernelAccepts(name: string): boolean {
  if (/\p{Cs}/u.test(name)) return false // a lone surrogate has no UTF-8 form
  const bytes = Buffer.from(name, 'utf8').toString('latin1')
  if (['.', '..', 'all', 'default'].includes(bytes)) return false
  return bytes.length <= 15 && !/[/:\0\t\n\v\f\r \xa0]/.test(bytes)
}

const tricky = fc.constantFrom('all', 'default', 'a', 'Z', '0', '-', '_', '.', '/', ':', ' ', '\t', '\n', '\v', '\u00a0', 'à', 'é', '€', '%', '\0', '\ud800', '\udc00', '😀', '\u2003', '\x7f')
const names = fc.oneof(
  fc.string({ unit: tricky, maxLength: 18 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ maxLength: 17 }),
)

describe('TAP names', () => {
  it('tapNameProblem agrees with a model of the kernel rule', () => {
    fc.assert(
      fc.property(names, (name) => {
        expect(tapNameProblem(name) === undefined).toBe(kernelAccepts(name))
      }),
      { numRuns: 3000 },
    )
  })

  it('openTap refuses every other name with ERR_TAP_NAME, before opening anything', () => {
    fc.assert(
      fc.property(names.filter((n) => tapNameProblem(n) !== undefined), (name) => {
        let error: unknown
        try {
          openTap({ name, netns: ns.path }).close()
        } catch (e) {
          error = e
        }
        expect(error).toBeInstanceOf(TapError)
        expect((error as TapError).code).toBe('ERR_TAP_NAME')
      }),
      { numRuns: 500 },
    )
    expect(JSON.parse(ns.run('ip', '-j', 'link', 'show')).map((l: { ifname: string }) => l.ifname)).toEqual(['lo'])
  })

  it('the kernel takes every name tapNameProblem accepts, unchanged', () => {
    // '%' asks the kernel to number the name; 'lo' exists already.
    const accepted = names.filter((n) => n !== '' && n !== 'lo' && !n.includes('%') && tapNameProblem(n) === undefined)
    fc.assert(
      fc.property(accepted, (name) => {
        const tap = openTap({ name, netns: ns.path })
        try {
          expect(tap.name).toBe(name)
          expect(ns.exists(name)).toBe(true)
        } finally {
          tap.close()
        }
      }),
      { numRuns: 50 },
    )
  })
})
