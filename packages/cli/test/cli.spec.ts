import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { COMMANDS, main } from '../src/index.js'

// The CLI contract without a router: usage errors exit 2 with one line naming the command,
// a missing router exits 1 saying how to start it, --help works everywhere.
let out: string
let err: string
const env = () => ({ WEFT_HOME: mkdtempSync(join(tmpdir(), 'weft-cli-')), PATH: process.env.PATH })

beforeEach(() => {
  out = ''
  err = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true })
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true })
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('weft CLI', () => {
  it('lists the commands with no arguments (exit 2) and with --help (exit 0)', async () => {
    expect(await main([], env())).toBe(2)
    expect(out).toContain('launch')
    expect(await main(['--help'], env())).toBe(0)
  })

  it.each(COMMANDS.map((c) => c.name))('%s --help prints its usage', async (name) => {
    expect(await main([name, '--help'], env())).toBe(0)
    expect(out).toMatch(/usage: weft /)
  })

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run'], /give exactly one container NAME/],
    [['run', 'web'], /give the command to run after --/],
    [['status', 'bogus'], /unknown status view/],
    [['ps', '--wide'], /Unknown option '--wide'.*weft ps --help/],
    [['launch', '--mtu', '12'], /--mtu/],
    [['connect'], /give exactly one peer address/],
  ])('%j is a usage error (exit 2) with one clear line', async (argv, msg) => {
    expect(await main(argv, env())).toBe(2)
    expect(err).toMatch(msg)
    expect(err.trim().split('\n')).toHaveLength(1)
    expect(err.startsWith('weft: ')).toBe(true)
  })

  it('says how to start the router when none is running (exit 1)', async () => {
    expect(await main(['status'], env())).toBe(1)
    expect(err).toMatch(/weft is not running.*weft launch/)
    expect(await main(['stop'], env())).toBe(0)
    expect(out).toMatch(/not running/)
  })

  it('answers any arguments with exit 1 or 2 and one error line, never a crash', async () => {
    // launch and reset act on the host when their arguments are valid; they are covered above
    const safe = COMMANDS.map((c) => c.name).filter((n) => n !== 'launch' && n !== 'reset' && n !== 'stop')
    await fc.assert(fc.asyncProperty(fc.constantFrom(...safe), fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('--', '-d', '--json', '--ip', '--name')), { maxLength: 6 }), async (name, args) => {
      err = ''
      const code = await main([name, ...args.filter((a) => a !== '--help' && a !== '-h')], env())
      expect([1, 2]).toContain(code)
      expect(err.startsWith('weft: ')).toBe(true)
    }), { numRuns: 300 })
  })
})
