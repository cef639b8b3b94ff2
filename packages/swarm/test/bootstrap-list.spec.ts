import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SwarmRendezvous, formatBootstrapList, isSwarmError, parseBootstrapList } from '@weft/swarm'

describe('parseBootstrapList', () => {
  it('reads HOST:PORT lists, IPv6 in brackets, and the word public', () => {
    expect(parseBootstrapList('198.18.0.10:49737')).toEqual({ kind: 'nodes', nodes: [{ host: '198.18.0.10', port: 49737 }] })
    expect(parseBootstrapList('a.example:1, [fd00::1]:65535')).toEqual({
      kind: 'nodes', nodes: [{ host: 'a.example', port: 1 }, { host: 'fd00::1', port: 65535 }],
    })
    expect(parseBootstrapList('public')).toEqual({ kind: 'public' })
    expect(formatBootstrapList(parseBootstrapList('[fd00::1]:5,h:6'))).toBe('[fd00::1]:5,h:6')
  })

  it.each(['', ' ', 'host', '1.2.3.4', '1.2.3.4:0', '1.2.3.4:65536', 'h:x', 'public,1.2.3.4:5', '[1.2.3.4]:5', 'fd00::1:5', 'a,b', ',', 'h:1,'])(
    'rejects %j with ERR_SWARM_BOOTSTRAP', (text) => {
      expect(() => parseBootstrapList(text)).toThrow(expect.objectContaining({ code: 'ERR_SWARM_BOOTSTRAP' }))
    },
  )

  it('answers any string with a list or ERR_SWARM_BOOTSTRAP, and round-trips what it accepts', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('1', '.', ':', ',', '[', ']', 'a', ' ', 'f') })), (text) => {
      try {
        const list = parseBootstrapList(text)
        expect(parseBootstrapList(formatBootstrapList(list))).toEqual(list)
        if (list.kind === 'nodes') {
          expect(list.nodes.length).toBeGreaterThan(0)
          for (const n of list.nodes) expect(n.port >= 1 && n.port <= 65535).toBe(true)
        }
      } catch (err) {
        expect(isSwarmError(err, 'ERR_SWARM_BOOTSTRAP')).toBe(true)
      }
    }), { numRuns: 2000 })
  })

  it('never hands HyperDHT an empty or implicit bootstrap list', () => {
    expect(() => SwarmRendezvous.bootstrapNodes({ kind: 'nodes', nodes: [] })).toThrow(expect.objectContaining({ code: 'ERR_SWARM_BOOTSTRAP' }))
    expect(SwarmRendezvous.bootstrapNodes({ kind: 'public' }).length).toBeGreaterThan(0)
  })
})
