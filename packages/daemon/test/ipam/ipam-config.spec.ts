import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DaemonError, parseLaunchArgs } from '../../src/index.js'
import { defaultQuorum } from '../../src/ipam/ipam-config.js'

const env = { WEFT_HOME: '/tmp/weft-test-home' }
const A = 'a'.repeat(64)
const B = 'b'.repeat(64)

describe('--ipalloc-* flags', () => {
  it('defaults: the 10.32.0.0/12 range, the range as default subnet, consensus from the peers given', () => {
    expect(parseLaunchArgs([], env).ipam).toEqual({ range: '10.32.0.0/12', defaultSubnet: '10.32.0.0/12', mode: { kind: 'consensus', quorum: 1 }, modeDerived: true, reclaimAfterMs: null })
    expect(parseLaunchArgs(['198.18.0.2'], env).ipam.mode).toEqual({ kind: 'consensus', quorum: 2 })
    expect(parseLaunchArgs(['198.18.0.2', '198.18.0.3'], env).ipam.mode).toEqual({ kind: 'consensus', quorum: 2 })
    expect([0, 1, 2, 3, 4, 5].map(defaultQuorum)).toEqual([1, 2, 2, 3, 3, 4])
    expect(Object.isFrozen(parseLaunchArgs([], env).ipam)).toBe(true)
  })

  it('reads a range, a subnet, each init mode and reclamation', () => {
    const c = parseLaunchArgs(['--ipalloc-range', '10.40.0.0/16', '--ipalloc-default-subnet', '10.40.1.0/24', '--ipalloc-init', `seed=${B.toUpperCase()}, ${A}`, '--ipalloc-reclaim-after', '600'], env).ipam
    expect(c).toEqual({ range: '10.40.0.0/16', defaultSubnet: '10.40.1.0/24', mode: { kind: 'seed', peers: [A, B] }, modeDerived: false, reclaimAfterMs: 600_000 })
    expect(parseLaunchArgs(['--ipalloc-init', 'consensus=3'], env).ipam.mode).toEqual({ kind: 'consensus', quorum: 3 })
    expect(parseLaunchArgs(['--ipalloc-init', 'observer'], env).ipam.mode).toEqual({ kind: 'observer' })
  })

  it.each([
    [['--ipalloc-range', '10.32.0.1/12'], /--ipalloc-range .*host bits/],
    [['--ipalloc-range', '10.32.0.0/31'], /--ipalloc-range .*prefix length/],
    [['--ipalloc-range', 'fd00::/64'], /--ipalloc-range .*IPv6/],
    [['--ipalloc-default-subnet', '10.64.0.0/16'], /--ipalloc-default-subnet .*not within/],
    [['--ipalloc-init', 'consensus'], /--ipalloc-init consensus=N needs N/],
    [['--ipalloc-init', 'consensus=0'], /--ipalloc-init consensus=N needs N/],
    [['--ipalloc-init', 'seed='], /--ipalloc-init seed=PEERID/],
    [['--ipalloc-init', 'seed=host-a'], /--ipalloc-init .*not a peer id/],
    [['--ipalloc-init', `seed=${A},${A}`], /--ipalloc-init .*listed twice/],
    [['--ipalloc-init', 'leader'], /--ipalloc-init must be seed=PEERID,..., consensus=N or observer/],
    [['--ipalloc-reclaim-after', '0'], /--ipalloc-reclaim-after must be/],
    [['--ipalloc-reclaim-after', '1h'], /--ipalloc-reclaim-after must be/],
  ])('rejects %j with a DaemonError naming the flag', (argv, msg) => {
    expect(() => parseLaunchArgs(argv, env)).toThrow(DaemonError)
    expect(() => parseLaunchArgs(argv, env)).toThrow(msg)
  })

  it('answers any value of any --ipalloc flag with a config or a DaemonError', () => {
    const flag = fc.constantFrom('--ipalloc-range', '--ipalloc-default-subnet', '--ipalloc-init', '--ipalloc-reclaim-after')
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 40 })).map(([ip, n]) => `${ip}/${n}`),
      fc.constantFrom('observer', 'consensus=', 'seed=', 'net:10.32.0.0/12').chain((p) => fc.string({ maxLength: 70 }).map((s) => p + s)),
      fc.array(fc.stringMatching(/^[0-9a-f]{60,66}$/), { maxLength: 3 }).map((ids) => `seed=${ids.join(',')}`),
    )
    fc.assert(fc.property(fc.array(fc.tuple(flag, value), { maxLength: 4 }), (pairs) => {
      try {
        const c = parseLaunchArgs(pairs.flat(), env).ipam
        expect(Object.isFrozen(c)).toBe(true)
        expect(c.range).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
      } catch (err) {
        expect(err).toBeInstanceOf(DaemonError)
        expect((err as DaemonError).message).toMatch(/^--ipalloc-|^Option/)
      }
    }), { numRuns: 3000 })
  })
})
