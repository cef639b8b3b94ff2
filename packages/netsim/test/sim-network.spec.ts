import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { Bind, SimNetwork } from '../src/index.js'
import { NetsimError, createSimNetwork, runUntilQuiet } from '../src/index.js'
import { ep, inbox, sendText } from './fixtures.js'

//   a (10.0.0.1) ---- b (10.0.0.2) ---- c (10.0.0.3)      all on one realm, full mesh
function lan(seed = 1): SimNetwork {
  const net = createSimNetwork({ seed })
  net.addHost('a', { address: '10.0.0.1' })
  net.addHost('b', { address: '10.0.0.2' })
  net.addHost('c', { address: '10.0.0.3' })
  return net
}

describe('SimUdpBind (the Bind shape)', () => {
  it('delivers a copied slice with the sender endpoint, after the link delay, never inside send', () => {
    const net = lan()
    net.setLink('a', 'b', { delayMs: 7 })
    const a: Bind = net.host('a').bind(4000)
    const got = inbox(net.host('b').bind(5000))
    const buf = Buffer.from('xxhello worldyy')
    a.send(buf, 2, 11, ep('10.0.0.2', 5000))
    buf.write('changed!')
    expect(got).toEqual([])
    net.clock.advance(6.9)
    expect(got).toEqual([])
    net.clock.advance(0.1)
    expect(got).toEqual([{ text: 'hello world', from: '10.0.0.1:4000' }])
    expect(a.port).toBe(4000)
  })

  it('sends nothing after close and drops datagrams to a closed port as no-listener', async () => {
    const net = lan()
    const a = net.host('a').bind(4000)
    const b = net.host('b').bind(5000)
    const got = inbox(b)
    await b.close()
    sendText(a, 'to closed', ep('10.0.0.2', 5000))
    await a.close()
    sendText(a, 'late', ep('10.0.0.2', 5000))
    runUntilQuiet(net, { maxMs: 100 })
    expect(got).toEqual([])
    expect(net.counters().sent).toBe(1)
    expect(net.counters().dropped['no-listener']).toBe(1)
    // The port is free again.
    expect(net.host('b').bind(5000).port).toBe(5000)
  })

  it('rejects a busy port and a range outside the buffer; bind(0) picks a free ephemeral port', () => {
    const net = lan()
    const a = net.host('a')
    a.bind(4000)
    expect(() => a.bind(4000)).toThrow(expect.objectContaining({ code: 'ERR_PORT_IN_USE' }))
    expect(() => a.bind(4001).send(Buffer.alloc(4), 2, 3, ep('10.0.0.2', 1))).toThrow(NetsimError)
    const ports = new Set(Array.from({ length: 50 }, () => a.bind(0).port))
    expect(ports.size).toBe(50)
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(49152)
  })
})

describe('links', () => {
  it('honours loss: exact counts for a fixed seed, near the configured rate', () => {
    const run = (seed: number) => {
      const net = lan(seed)
      net.setLink('a', 'b', { loss: 0.25 })
      const a = net.host('a').bind(1)
      const got = inbox(net.host('b').bind(2))
      for (let i = 0; i < 2000; i++) sendText(a, `${i}`, ep('10.0.0.2', 2))
      runUntilQuiet(net, { maxMs: 100 })
      return { got: got.length, lost: net.counters().dropped.loss }
    }
    const r = run(7)
    expect(r.got + r.lost).toBe(2000)
    expect(Math.abs(r.lost - 500)).toBeLessThan(60)
    expect(r).toEqual({ got: 1524, lost: 476 })
    expect(run(7)).toEqual(r)
    expect(run(8)).not.toEqual(r)
  })

  it('drops datagrams over the MTU, counting IP and UDP headers', () => {
    const net = lan()
    net.setLink('a', 'b', { mtu: 1280 })
    const a = net.host('a').bind(1)
    const got = inbox(net.host('b').bind(2))
    a.send(Buffer.alloc(1252), 0, 1252, ep('10.0.0.2', 2))
    a.send(Buffer.alloc(1253), 0, 1253, ep('10.0.0.2', 2))
    a.send(Buffer.alloc(1253), 0, 1253, ep('10.0.0.3', 2)) // other link: default 1500
    runUntilQuiet(net, { maxMs: 100 })
    expect(got.map((g) => g.text.length)).toEqual([1252])
    expect(net.counters().dropped.mtu).toBe(1)
    expect(net.counters().dropped['no-listener']).toBe(1)
  })

  it('duplicates and reorders per the link, deterministically', () => {
    const net = lan(3)
    net.setLink('a', 'b', { duplicate: 0.2, reorder: 0.2, reorderDelayMs: 5 })
    const a = net.host('a').bind(1)
    const got = inbox(net.host('b').bind(2))
    for (let i = 0; i < 200; i++) {
      sendText(a, `${i}`, ep('10.0.0.2', 2))
      net.clock.advance(1)
    }
    runUntilQuiet(net, { maxMs: 100 })
    const seq = got.map((g) => Number(g.text))
    expect(seq.length).toBe(200 + net.counters().duplicated)
    expect(net.counters().duplicated).toBeGreaterThan(20)
    expect(new Set(seq).size).toBe(200)
    const outOfOrder = seq.filter((x, i) => i > 0 && x < seq[i - 1]).length
    expect(outOfOrder).toBeGreaterThan(10)
  })

  it('jitters delay within [delay, delay + jitter)', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 30 }), (seed, delayMs, jitterMs) => {
      const net = createSimNetwork({ seed, link: { delayMs, jitterMs } })
      net.addHost('a', { address: '10.0.0.1' })
      net.addHost('b', { address: '10.0.0.2' })
      const arrivals: number[] = []
      net.host('b').bind(2).onDatagram(() => arrivals.push(net.clock.now()))
      const a = net.host('a').bind(1)
      for (let i = 0; i < 20; i++) sendText(a, 'x', ep('10.0.0.2', 2))
      runUntilQuiet(net, { maxMs: 1000 })
      expect(arrivals.length).toBe(20)
      for (const t of arrivals) expect(t >= delayMs && t < delayMs + jitterMs + 0.001).toBe(true)
    }), { numRuns: 30 })
  })

  it('rejects nonsense link properties', () => {
    const net = lan()
    expect(() => net.setLink('a', 'b', { loss: 1.5 })).toThrow(/probability/)
    expect(() => net.setLink('a', 'b', { delayMs: -1 })).toThrow(NetsimError)
    expect(() => net.setLink('a', 'nobody', {})).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_NODE' }))
  })
})

describe('partitions', () => {
  it('drops datagrams while partitioned and lets them flow after heal', () => {
    const net = lan()
    const a = net.host('a').bind(1)
    const got = inbox(net.host('b').bind(2))
    const gotC = inbox(net.host('c').bind(2))
    net.partition(['a'], ['b'])
    sendText(a, 'during', ep('10.0.0.2', 2))
    sendText(a, 'to c', ep('10.0.0.3', 2))
    runUntilQuiet(net, { maxMs: 100 })
    expect(got).toEqual([])
    expect(gotC.map((g) => g.text)).toEqual(['to c'])
    expect(net.counters().dropped.partition).toBe(1)
    net.heal()
    sendText(a, 'after', ep('10.0.0.2', 2))
    runUntilQuiet(net, { maxMs: 100 })
    expect(got.map((g) => g.text)).toEqual(['after'])
  })

  it('block is symmetric and unblock undoes one pair', () => {
    const net = lan()
    const a = net.host('a').bind(1)
    const b = net.host('b').bind(2)
    const gotA = inbox(a)
    const gotB = inbox(b)
    net.block('b', 'a')
    sendText(a, 'ab', ep('10.0.0.2', 2))
    sendText(b, 'ba', ep('10.0.0.1', 1))
    runUntilQuiet(net, { maxMs: 100 })
    expect([gotA.length, gotB.length]).toEqual([0, 0])
    net.unblock('a', 'b')
    sendText(b, 'ba', ep('10.0.0.1', 1))
    runUntilQuiet(net, { maxMs: 100 })
    expect(gotA.map((g) => g.text)).toEqual(['ba'])
  })
})

describe('intercept', () => {
  it('drops, alters and records datagrams as sent', () => {
    const net = lan()
    const seen: string[] = []
    net.intercept = (p) => {
      seen.push(`${p.host} ${p.from.port}>${p.to.address}:${p.to.port} ${p.data.toString()}`)
      if (p.data.toString() === 'drop me') return 'drop'
      if (p.data.toString() === 'alter me') return { data: Buffer.from('altered') }
      if (p.data.toString() === 'flip') p.data[0] = 0x46 // 'F'
      return 'deliver'
    }
    const a = net.host('a').bind(1)
    const got = inbox(net.host('b').bind(2))
    for (const t of ['drop me', 'alter me', 'flip', 'plain']) sendText(a, t, ep('10.0.0.2', 2))
    runUntilQuiet(net, { maxMs: 100 })
    expect(got.map((g) => g.text)).toEqual(['altered', 'Flip', 'plain'])
    expect(seen).toEqual(['a 1>10.0.0.2:2 drop me', 'a 1>10.0.0.2:2 alter me', 'a 1>10.0.0.2:2 flip', 'a 1>10.0.0.2:2 plain'])
    expect(net.counters().dropped.intercept).toBe(1)
    expect(net.counters().delivered).toBe(3)
  })
})

describe('topology errors', () => {
  it('refuses duplicate names, duplicate addresses in a realm and unknown NATs', () => {
    const net = lan()
    expect(() => net.addHost('a', { address: '10.0.0.9' })).toThrow(expect.objectContaining({ code: 'ERR_DUPLICATE_NAME' }))
    expect(() => net.addHost('d', { address: '10.0.0.1' })).toThrow(expect.objectContaining({ code: 'ERR_DUPLICATE_ADDRESS' }))
    expect(() => net.addHost('d', { address: '10.0.0.9', behind: 'nat' })).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_NODE' }))
    expect(() => net.addHost('d', { address: '10.0.0.9', behind: 'a' })).toThrow(/not a NAT/)
    expect(() => net.nat('a')).toThrow(/not a NAT/)
    expect(() => net.partition(['a'], ['zz'])).toThrow(NetsimError)
  })

  it('drops datagrams to an address nobody owns as no-route', () => {
    const net = lan()
    sendText(net.host('a').bind(1), 'x', ep('192.0.2.1', 1))
    runUntilQuiet(net, { maxMs: 10 })
    expect(net.counters().dropped['no-route']).toBe(1)
  })

  it('loops a datagram back to its own host and reads back link properties', () => {
    const net = lan()
    net.setDefaultLink({ delayMs: 2 })
    net.setLink('a', 'b', { delayMs: 9 })
    expect(net.link('b', 'a').delayMs).toBe(9)
    expect(net.link('a', 'c')).toMatchObject({ delayMs: 2, mtu: 1500, loss: 0 })
    const a = net.host('a')
    const got = inbox(a.bind(2))
    const sender = a.bind(1)
    sendText(sender, 'self', ep('10.0.0.1', 2))
    runUntilQuiet(net, { maxMs: 100 })
    expect(got).toEqual([{ text: 'self', from: '10.0.0.1:1' }])
    expect(sender.closed).toBe(false)
  })
})
