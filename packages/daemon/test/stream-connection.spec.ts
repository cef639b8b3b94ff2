import { Duplex } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { deriveNetworkKey } from '@weft/crypto'
import { SimNetwork } from '@weft/udp'
import type { TestRouter } from './helpers/loopback-routers.js'
import { frame, testRouter, until } from './helpers/loopback-routers.js'

// Control connections over any duplex stream (as the swarm hands them over): the same handshake,
// hello, data sessions and duplicate resolution as over TCP.
const KEY = deriveNetworkKey('stream test secret')

/**
 * Two connected in-memory duplex streams (node 20 has no stream.duplexPair). Like TCP and
 * Hyperswarm streams they deliver on a later tick, never inside the writer's call.
 */
function duplexPair(): [Duplex, Duplex] {
  const make = (): Duplex & { other?: Duplex } => new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      const other = (this as Duplex & { other: Duplex }).other
      setImmediate(() => other.push(chunk))
      cb()
    },
    destroy(err, cb) {
      (this as Duplex & { other: Duplex }).other.destroy()
      cb(err)
    },
  })
  const a = make()
  const b = make()
  a.other = b
  b.other = a
  return [a, b]
}

type Router = TestRouter
const router = (sim: SimNetwork, name: string, key = KEY) => testRouter(sim, name, { networkKey: key, eventReasons: true })

function link(a: Router, b: Router): void {
  const [sa, sb] = duplexPair()
  a.cm.adoptStream(sa, { address: 'swarm test', remoteHost: '127.0.0.1', initiator: true, via: 'swarm' })
  b.cm.adoptStream(sb, { address: 'swarm test', remoteHost: '127.0.0.1', initiator: false, via: 'swarm' })
}

const established = (r: Router) => r.cm.connections().filter((c) => c.state === 'established')

describe('ConnectionManager over a duplex stream', () => {
  it('runs the handshake and hello over the stream, installs data sessions, and shows the carrier', async () => {
    const sim = new SimNetwork()
    const a = await router(sim, 'a')
    const b = await router(sim, 'b')
    link(a, b)
    await until('both established', () => established(a).length === 1 && established(b).length === 1)
    expect(established(a)[0].path).toBe(`direct 127.0.0.1:${b.port} (control over swarm)`)
    expect(established(b)[0].direction).toBe('inbound')
    a.tap.inject(frame('020000000b01', '020000000a01'))
    await until('b receives', () => b.tap.written.length === 1)
  })

  it('trusts nothing from a stream whose far end lacks the network key', async () => {
    const sim = new SimNetwork()
    const a = await router(sim, 'a')
    const b = await router(sim, 'b', deriveNetworkKey('another network secret'))
    link(a, b)
    await until('handshake refused', () => b.events.some((e) => e.startsWith('handshake_failure')))
    await until('links gone', () => a.cm.connections().length === 0 && b.cm.connections().length === 0)
    expect(a.cm.peers()).toHaveLength(0)
    expect(b.cm.peers()).toHaveLength(0)
  })

  it('keeps exactly one connection, the same on both ends, for a peer reached by TCP and by stream', async () => {
    const sim = new SimNetwork()
    const a = await router(sim, 'a')
    const b = await router(sim, 'b')
    a.cm.addTarget(`127.0.0.1:${b.port}`)
    link(b, a)
    await until('one connection each', () => established(a).length === 1 && established(b).length === 1 &&
      a.cm.connections().length === 1 && b.cm.connections().length === 1)
    await new Promise((r) => setTimeout(r, 300))
    expect(a.cm.connections()).toHaveLength(1)
    expect(b.cm.connections()).toHaveLength(1)
    // the two ends kept the same connection: both TCP or both the stream
    expect(a.cm.connections()[0].path.endsWith('(control over swarm)')).toBe(b.cm.connections()[0].path.endsWith('(control over swarm)'))
    expect([...a.events, ...b.events]).toContain('duplicate')
    a.tap.inject(frame('020000000b01', '020000000a01'))
    await until('b receives', () => b.tap.written.length === 1)
  })
})
