import { describe, expect, it } from 'vitest'
import type { ControlConnection } from '../../src/control/control-connection.js'
import { PeerLink, RTT_WINDOW } from '../../src/control/peer-link.js'

const link = () => new PeerLink({} as ControlConnection, '192.0.2.1:6783', 'outbound', null, 0)

describe('PeerLink RTT', () => {
  it('reports the smallest of the last RTT_WINDOW samples: one slow answer (a busy event loop) does not count', () => {
    const l = link()
    expect(l.rttMs).toBeNull()
    l.addRttSample(3)
    l.addRttSample(28)
    expect(l.rttMs).toBe(3)
    expect(l.toInfo('x').rttMs).toBe(3)
  })

  it('forgets samples older than the window, so a path that got slower is seen', () => {
    const l = link()
    l.addRttSample(1)
    for (let i = 0; i < RTT_WINDOW - 1; i++) l.addRttSample(40)
    expect(l.rttMs).toBe(1)
    l.addRttSample(40)
    expect(l.rttMs).toBe(40)
  })
})
