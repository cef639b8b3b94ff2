import { describe, expect, it } from 'vitest'
import type { SimNetwork } from '../src/index.js'
import { createSimNetwork, runUntil, runUntilQuiet } from '../src/index.js'
import { accept, ep, inbox, sendText, watch } from './fixtures.js'

//   c 10.0.0.1 ──── s 10.0.0.2
function pair(init: { seed?: number; streamTimeoutMs?: number } = {}): SimNetwork {
  const net = createSimNetwork({ seed: init.seed ?? 1, streamTimeoutMs: init.streamTimeoutMs })
  net.addHost('c', { address: '10.0.0.1' })
  net.addHost('s', { address: '10.0.0.2' })
  return net
}

const S = ep('10.0.0.2', 6783)

describe('SimStream', () => {
  it('connects, carries bytes both ways in order under heavy jitter, and closes gracefully', () => {
    const net = pair({ seed: 4 })
    net.setLink('c', 's', { delayMs: 5, jitterMs: 50, loss: 0.3, reorder: 0.5 })
    const server = accept(net.host('s'), 6783)
    const st = net.host('c').connect(S)
    const client = watch(st)
    expect(st.state).toBe('connecting')
    const chunks = Array.from({ length: 100 }, (_, i) => `<${i}>`)
    const writtenAt = new Map<string, number>()
    const write = (c: string) => {
      writtenAt.set(c, net.clock.now())
      st.write(Buffer.from(c))
    }
    const transit: number[] = []
    for (const c of chunks.slice(0, 10)) write(c) // before connect: held until open
    runUntil(net, () => st.state === 'open', { maxMs: 1000 })
    server.ends[0].on('data', (d) => transit.push(net.clock.now() - writtenAt.get(d.toString())!))
    for (const c of chunks.slice(10)) {
      write(c)
      net.clock.advance(1)
    }
    server.ends[0].write(Buffer.from('pong'))
    st.close()
    runUntilQuiet(net, { maxMs: 10_000 })
    expect(server.logs[0].data).toBe(chunks.join(''))
    // Each chunk took at least the link delay: in order, yet no faster than the wire.
    expect(transit.length).toBe(100)
    for (const t of transit) expect(t).toBeGreaterThanOrEqual(5)
    expect(Math.max(...transit)).toBeGreaterThan(30)
    expect(server.logs[0].events).toEqual(['close:remote'])
    expect(client.events).toEqual(['connect', 'close:local'])
    expect(server.ends[0].remoteEndpoint).toEqual(ep('10.0.0.1', st.localEndpoint.port))
    expect(net.openStreams()).toBe(0)
    expect(st.write(Buffer.from('late'))).toBe(false)
  })

  it('shows the jitter is real: the same link reorders datagrams', () => {
    const net = pair({ seed: 4 })
    net.setLink('c', 's', { delayMs: 5, jitterMs: 50 })
    const got = inbox(net.host('s').bind(1))
    const b = net.host('c').bind(1)
    for (let i = 0; i < 50; i++) {
      sendText(b, `${i}`, ep('10.0.0.2', 1))
      net.clock.advance(1)
    }
    runUntilQuiet(net, { maxMs: 1000 })
    const seq = got.map((g) => Number(g.text))
    expect(seq).not.toEqual([...seq].sort((x, y) => x - y))
  })

  it('is refused when nothing listens', () => {
    const net = pair()
    const log = watch(net.host('c').connect(S))
    runUntilQuiet(net, { maxMs: 1000 })
    expect(log.events).toEqual(['close:refused'])
    expect(net.clock.now()).toBe(2) // one round trip of 1 ms links
  })

  it('breaks after the timeout when the path stays partitioned, on both ends', () => {
    const net = pair({ streamTimeoutMs: 5000 })
    const server = accept(net.host('s'), 6783)
    const st = net.host('c').connect(S)
    const client = watch(st)
    runUntilQuiet(net, { maxMs: 100 })
    net.partition(['c'], ['s'])
    const cut = net.clock.now()
    st.write(Buffer.from('lost'))
    const r = runUntil(net, () => st.state === 'closed', { maxMs: 60_000 })
    expect(r).toEqual({ met: true, elapsedMs: 5000 })
    expect(net.clock.now() - cut).toBe(5000)
    expect(client.events).toEqual(['connect', 'close:timeout'])
    expect(server.logs[0].events).toEqual(['close:timeout'])
    expect(server.logs[0].data).toBe('')
  })

  it('holds bytes across a short partition and delivers them in order after heal', () => {
    const net = pair({ streamTimeoutMs: 5000 })
    const server = accept(net.host('s'), 6783)
    const st = net.host('c').connect(S)
    runUntilQuiet(net, { maxMs: 100 })
    st.write(Buffer.from('a'))
    net.partition(['s'], ['c'])
    st.write(Buffer.from('b'))
    net.clock.advance(4000)
    st.write(Buffer.from('c'))
    expect(server.logs[0].data).toBe('a')
    net.heal()
    runUntilQuiet(net, { maxMs: 100 })
    expect(server.logs[0].data).toBe('abc')
    net.clock.advance(10_000)
    expect(st.state).toBe('open')
    expect(server.logs[0].events).toEqual([])
  })

  it('works outbound from behind a NAT; inbound needs a forward', () => {
    //   c 192.168.0.2 ── nat 203.0.113.1 ── internet ── s 198.51.100.2
    const net = createSimNetwork({ seed: 3, streamTimeoutMs: 2000 })
    const nat = net.addNat('nat', { publicAddress: '203.0.113.1', mapping: 'endpoint-independent', filtering: 'endpoint-independent' })
    const c = net.addHost('c', { address: '192.168.0.2', behind: 'nat' })
    const s = net.addHost('s', { address: '198.51.100.2' })
    const server = accept(s, 6783)
    const out = c.connect(ep('198.51.100.2', 6783))
    runUntilQuiet(net, { maxMs: 100 })
    expect(out.state).toBe('open')
    expect(server.ends[0].remoteEndpoint.address).toBe('203.0.113.1')
    expect(nat.mappings().filter((m) => m.proto === 'tcp').length).toBe(1)
    out.close()
    runUntilQuiet(net, { maxMs: 100 })
    expect(nat.mappings().filter((m) => m.proto === 'tcp')).toEqual([])

    const inside = accept(c, 6783)
    const t0 = net.clock.now()
    const blocked = watch(s.connect(ep('203.0.113.1', 6783)))
    runUntilQuiet(net, { maxMs: 10_000 })
    expect(blocked.events).toEqual(['close:timeout'])
    expect(net.clock.now() - t0).toBe(2000)
    expect(inside.ends).toEqual([])

    nat.forward(6783, 'c', 6783)
    const fwd = s.connect(ep('203.0.113.1', 6783))
    fwd.write(Buffer.from('through the forward'))
    runUntilQuiet(net, { maxMs: 100 })
    expect(fwd.state).toBe('open')
    expect(inside.logs[0].data).toBe('through the forward')
    expect(inside.ends[0].remoteEndpoint).toEqual(ep('198.51.100.2', fwd.localEndpoint.port))
  })

  it('breaks when a NAT on the path is partitioned from the far host', () => {
    const net = createSimNetwork({ seed: 3, streamTimeoutMs: 1000 })
    net.addNat('nat', { publicAddress: '203.0.113.1', mapping: 'endpoint-independent', filtering: 'endpoint-independent' })
    const c = net.addHost('c', { address: '192.168.0.2', behind: 'nat' })
    const server = accept(net.addHost('s', { address: '198.51.100.2' }), 1)
    const log = watch(c.connect(ep('198.51.100.2', 1)))
    runUntilQuiet(net, { maxMs: 100 })
    net.partition(['nat'], ['s'])
    runUntilQuiet(net, { maxMs: 10_000 })
    expect(log.events).toEqual(['connect', 'close:timeout'])
    expect(server.logs[0].events).toEqual(['close:timeout'])
  })

  it('stops accepting after the listener closes; open streams and removed listeners stay put', () => {
    const net = pair()
    const s = net.host('s')
    const server = accept(s, 6783)
    const first = net.host('c').connect(S)
    const firstLog = watch(first)
    runUntilQuiet(net, { maxMs: 100 })
    const listener = server.listener
    listener.close()
    expect(listener.closed).toBe(true)
    const second = watch(net.host('c').connect(S))
    const dropped: string[] = []
    const onData = (d: Buffer) => dropped.push(d.toString())
    first.on('data', onData).off('data', onData)
    server.ends[0].write(Buffer.from('still here'))
    server.ends[0].close()
    runUntilQuiet(net, { maxMs: 100 })
    expect(second.events).toEqual(['close:refused'])
    expect(firstLog.data).toBe('still here')
    expect(firstLog.events).toEqual(['connect', 'close:remote'])
    expect(server.logs[0].events).toEqual(['close:local'])
    expect(dropped).toEqual([])
  })

  it('holds a connect made during a partition and completes it after heal', () => {
    const net = pair({ streamTimeoutMs: 5000 })
    const server = accept(net.host('s'), 6783)
    net.partition(['c'], ['s'])
    const st = net.host('c').connect(S)
    st.write(Buffer.from('queued'))
    net.clock.advance(3000)
    expect(st.state).toBe('connecting')
    net.heal()
    runUntilQuiet(net, { maxMs: 100 })
    expect(st.state).toBe('open')
    expect(server.logs[0].data).toBe('queued')
  })

  it('connects a host to itself over its loop hop', () => {
    const net = pair()
    const c = net.host('c')
    const self = accept(c, 7)
    const st = c.connect(ep('10.0.0.1', 7))
    st.write(Buffer.from('me'))
    runUntilQuiet(net, { maxMs: 100 })
    expect(self.logs[0].data).toBe('me')
    expect(() => c.listen(7, () => {})).toThrow(expect.objectContaining({ code: 'ERR_PORT_IN_USE' }))
  })
})
