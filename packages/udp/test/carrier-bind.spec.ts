import { describe, expect, it } from 'vitest'
import type { Endpoint } from '../src/index.js'
import { CarrierBind, SimNetwork, isCarrierEndpoint, memoryChannelPair } from '../src/index.js'

//   a: CarrierBind(SimBind 10.0.0.1:6783) ── UDP (SimNetwork) ── b: CarrierBind(SimBind 10.0.0.2:6783)
//                         └────────── memory channel pair (a swarm stream's datagrams) ──────────┘

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1))

function pair() {
  const net = new SimNetwork()
  const a = new CarrierBind(net.bind('10.0.0.1', 6783))
  const b = new CarrierBind(net.bind('10.0.0.2', 6783))
  const [ca, cb] = memoryChannelPair()
  const got: Array<{ data: string; from: Endpoint }> = []
  b.onDatagram((data, from) => got.push({ data: data.toString(), from }))
  const toB = a.attach('peer-b', ca)
  const toA = b.attach('peer-a', cb)
  return { net, a, b, ca, cb, toA, toB, got }
}

describe('CarrierBind', () => {
  it('sends to a carrier endpoint over its channel and hands what arrives up from that endpoint', async () => {
    const { a, b, toA, toB, got, net } = pair()
    expect(toB).toEqual({ address: 'carrier:peer-b', port: 0 })
    expect(isCarrierEndpoint(toB)).toBe(true)
    expect(isCarrierEndpoint({ address: '10.0.0.2', port: 6783 })).toBe(false)
    expect(isCarrierEndpoint({ address: 'carrier:x', port: 1 })).toBe(false)  // only port 0
    const buf = Buffer.from('xxhelloyy')
    a.send(buf, 2, 5, toB)
    await tick()
    expect(got).toEqual([{ data: 'hello', from: toA }])
    expect(net.delivered).toBe(0)  // nothing went over UDP
    expect(a.counters).toMatchObject({ sent: 1, bytesSent: 5, noCarrier: 0 })
    expect(b.counters).toMatchObject({ received: 1, bytesReceived: 5 })
  })

  it('still sends UDP endpoints through the bind inside', async () => {
    const { a, got, net } = pair()
    a.send(Buffer.from('udp'), 0, 3, { address: '10.0.0.2', port: 6783 })
    await tick()
    expect(got).toEqual([{ data: 'udp', from: { address: '10.0.0.1', port: 6783 } }])
    expect(net.delivered).toBe(1)
  })

  it('counts sends to a detached or unknown carrier and ignores a detached channel', async () => {
    const { a, b, ca, cb, toB, got } = pair()
    a.detach('peer-b')
    a.send(Buffer.from('gone'), 0, 4, toB)
    a.send(Buffer.from('none'), 0, 4, { address: 'carrier:nobody', port: 0 })
    expect(a.counters.noCarrier).toBe(2)
    expect(ca.sent).toBe(0)
    // b detaches a's channel only when it is still the attached one
    const [newer] = memoryChannelPair()
    b.attach('peer-a', newer)
    b.detach('peer-a', cb)
    expect(b.endpointOf('peer-a')).toEqual({ address: 'carrier:peer-a', port: 0 })
    ca.send(Buffer.from('stale'))  // arrives on cb, which b no longer listens to
    await tick()
    expect(got).toEqual([])
  })

  it('detaches every carrier when closed', async () => {
    const { a, toB } = pair()
    await a.close()
    expect(a.endpointOf('peer-b')).toBeUndefined()
    a.send(Buffer.from('x'), 0, 1, toB)
    expect(a.counters.noCarrier).toBe(1)
  })
})
