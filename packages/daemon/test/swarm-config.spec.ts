import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseLaunchArgs } from '../src/config.js'

const env = { WEFT_HOME: '/tmp/weft-test-home' }

describe('--swarm flags', () => {
  it('reads --swarm with an explicit bootstrap list, or the word public', () => {
    expect(parseLaunchArgs(['--swarm', '--swarm-bootstrap', '198.18.0.10:49737'], env).swarm)
      .toEqual({ bootstrap: { kind: 'nodes', nodes: [{ host: '198.18.0.10', port: 49737 }] } })
    expect(parseLaunchArgs(['--swarm', '--swarm-bootstrap', 'public'], env).swarm).toEqual({ bootstrap: { kind: 'public' } })
    expect(parseLaunchArgs([], env).swarm).toBeNull()
  })

  it('refuses --swarm without a bootstrap list: the public DHT is never a silent default', () => {
    expect(() => parseLaunchArgs(['--swarm'], env)).toThrow(/--swarm needs --swarm-bootstrap .*public/)
    expect(() => parseLaunchArgs(['--swarm-bootstrap', '198.18.0.10:1'], env)).toThrow(/without --swarm/)
    expect(() => parseLaunchArgs(['--swarm', '--swarm-bootstrap', '198.18.0.10'], env)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
  })

  it('answers any --swarm-bootstrap value with a config or ERR_CONFIG', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      try {
        const cfg = parseLaunchArgs(['--swarm', '--swarm-bootstrap', text], env)
        expect(cfg.swarm).not.toBeNull()
      } catch (err) {
        expect((err as { code?: string }).code).toBe('ERR_CONFIG')
      }
    }), { numRuns: 500 })
  })
})
