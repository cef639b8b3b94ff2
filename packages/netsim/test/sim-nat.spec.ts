import { describe, expect, it } from 'vitest'
import type { NatBehavior, SimNetwork } from '../src/index.js'
import { NAT_BEHAVIORS, createSimNetwork, runUntilQuiet } from '../src/index.js'
import { ep, inbox, sendText } from './fixtures.js'

//   h 192.168.0.2 ── nat 203.0.113.1 ── internet ──┬── a 198.51.100.1 (ports 1000, 2000)
//                                                  └── b 198.51.100.2 (port 1000)
function oneInside(mapping: NatBehavior, filtering: NatBehavior, seed = 1) {
  const net = createSimNetwork({ seed })
  net.addNat('nat', { publicAddress: '203.0.113.1', mapping, filtering })
  const h = net.addHost('h', { address: '192.168.0.2', behind: 'nat' }).bind(5000)
  const a1 = net.addHost('a', { address: '198.51.100.1' }).bind(1000)
  const a2 = net.host('a').bind(2000)
  const b = net.addHost('b', { address: '198.51.100.2' }).bind(1000)
  const seen = { h: inbox(h), a1: inbox(a1), a2: inbox(a2), b: inbox(b) }
  const run = () => runUntilQuiet(net, { maxMs: 1000 })
  return { net, h, a1, a2, b, seen, run }
}

const A1 = ep('198.51.100.1', 1000)
const A2 = ep('198.51.100.1', 2000)
const B = ep('198.51.100.2', 1000)

const short = { 'endpoint-independent': 'EI', 'address-dependent': 'AD', 'address-and-port-dependent': 'APD' } as const

describe('NAT mapping and filtering (RFC 4787)', () => {
  for (const mapping of NAT_BEHAVIORS) {
    for (const filtering of NAT_BEHAVIORS) {
      it(`${short[mapping]}M + ${short[filtering]}F`, () => {
        // Mapping: which public endpoints do A:1000, A:2000 and B see for one inside endpoint?
        const m = oneInside(mapping, filtering)
        sendText(m.h, 'hi', A1)
        sendText(m.h, 'hi', A2)
        sendText(m.h, 'hi', B)
        m.run()
        const [toA1, toA2, toB] = [m.seen.a1[0].from, m.seen.a2[0].from, m.seen.b[0].from]
        for (const f of [toA1, toA2, toB]) expect(f.startsWith('203.0.113.1:')).toBe(true)
        expect(toA1 === toA2).toBe(mapping !== 'address-and-port-dependent')
        expect(toA1 === toB).toBe(mapping === 'endpoint-independent')
        expect(m.net.nat('nat').mappings().length).toBe({ 'endpoint-independent': 1, 'address-dependent': 2, 'address-and-port-dependent': 3 }[mapping])

        // Filtering: h talked to A:1000 only; who may send to that mapping?
        const f = oneInside(mapping, filtering)
        sendText(f.h, 'open', A1)
        f.run()
        const mapped = f.seen.a1[0].from
        const [addr, port] = mapped.split(':')
        const pub = ep(addr, Number(port))
        sendText(f.a1, 'from a1', pub)
        sendText(f.a2, 'from a2', pub)
        sendText(f.b, 'from b', pub)
        f.run()
        const expected = ['from a1']
        if (filtering !== 'address-and-port-dependent') expected.push('from a2')
        if (filtering === 'endpoint-independent') expected.push('from b')
        expect(f.seen.h.map((r) => r.text)).toEqual(expected)
        expect(f.seen.h[0].from).toBe('198.51.100.1:1000')
        expect(f.net.counters().dropped['nat-filtered']).toBe(3 - expected.length)

        // Once h sent to B, B may use the mapping A caused, if the mapping is shared (EIM).
        sendText(f.h, 'to b', B)
        f.run()
        sendText(f.b, 'b again', pub)
        f.run()
        const bGetsThrough = f.seen.h.some((r) => r.text === 'b again')
        expect(bGetsThrough).toBe(filtering === 'endpoint-independent' || mapping === 'endpoint-independent')
      })
    }
  }

  it('drops datagrams to a public port nobody mapped', () => {
    const m = oneInside('endpoint-independent', 'endpoint-independent')
    sendText(m.a1, 'knock', ep('203.0.113.1', 5000))
    m.run()
    expect(m.seen.h).toEqual([])
    expect(m.net.counters().dropped['nat-no-mapping']).toBe(1)
  })
})

describe('NAT mapping lifetime', () => {
  it('expires an idle mapping; outbound traffic refreshes it, inbound does not', () => {
    const m = oneInside('endpoint-independent', 'endpoint-independent')
    const nat = m.net.nat('nat')
    expect(nat.mappingTimeoutMs).toBe(30_000)
    sendText(m.h, 'open', A1)
    m.run()
    const first = m.seen.a1[0].from
    const pub = ep('203.0.113.1', Number(first.split(':')[1]))
    // Outbound every 20 s keeps it: after 100 s the same port still reaches h.
    for (let i = 0; i < 5; i++) {
      m.net.clock.advance(20_000)
      sendText(m.h, 'keepalive', A1)
      m.run()
    }
    expect(new Set(m.seen.a1.map((r) => r.from))).toEqual(new Set([first]))
    sendText(m.a1, 'in 1', pub)
    m.run()
    // Inbound every 10 s does not: the mapping dies 30 s after the last outbound.
    for (let i = 0; i < 4; i++) {
      m.net.clock.advance(10_000)
      sendText(m.a1, `in ${i + 2}`, pub)
      m.run()
    }
    expect(m.seen.h.map((r) => r.text)).toEqual(['in 1', 'in 2', 'in 3'])
    expect(m.net.counters().dropped['nat-no-mapping']).toBe(2)
    expect(nat.mappings()).toEqual([])
    // A new outbound makes a new mapping on a fresh (PRNG-drawn) port.
    sendText(m.h, 'again', A1)
    m.run()
    expect(m.seen.a1.at(-1)!.from).not.toBe(first)
  })

  it('forwards a public port to an inside host, from anyone', () => {
    const m = oneInside('address-and-port-dependent', 'address-and-port-dependent')
    m.net.nat('nat').forward(6783, 'h', 5000)
    sendText(m.b, 'inbound', ep('203.0.113.1', 6783))
    m.run()
    expect(m.seen.h).toEqual([{ text: 'inbound', from: '198.51.100.2:1000' }])
    sendText(m.h, 'reply', B)
    m.run()
    expect(m.seen.b).toEqual([{ text: 'reply', from: '203.0.113.1:6783' }])
    expect(() => m.net.nat('nat').forward(6783, 'h', 5001)).toThrow(expect.objectContaining({ code: 'ERR_PORT_IN_USE' }))
    expect(() => m.net.nat('nat').forward(6784, 'a', 5001)).toThrow(/not behind/)
  })
})

//   h1 10.1.0.2 ── n1 203.0.113.1 ─┐
//                                  ├── internet ── s 198.51.100.9 (rendezvous)
//   h2 10.2.0.2 ── n2 203.0.113.2 ─┘
function twoNats(mapping: NatBehavior, seed = 1): { net: SimNetwork; punched: () => [string[], string[]] } {
  const net = createSimNetwork({ seed, link: { delayMs: 10 } })
  net.addNat('n1', { publicAddress: '203.0.113.1', mapping, filtering: 'address-and-port-dependent' })
  net.addNat('n2', { publicAddress: '203.0.113.2', mapping, filtering: 'address-and-port-dependent' })
  const h1 = net.addHost('h1', { address: '10.1.0.2', behind: 'n1' }).bind(4000)
  const h2 = net.addHost('h2', { address: '10.2.0.2', behind: 'n2' }).bind(4000)
  const s = net.addHost('s', { address: '198.51.100.9' }).bind(3478)
  const atS = inbox(s)
  const got1 = inbox(h1)
  const got2 = inbox(h2)
  const punched = (): [string[], string[]] => {
    // Both register with the rendezvous server, which learns their public endpoints.
    sendText(h1, 'register', ep('198.51.100.9', 3478))
    sendText(h2, 'register', ep('198.51.100.9', 3478))
    runUntilQuiet(net, { maxMs: 1000 })
    const [e1, e2] = atS.map((r) => r.from.split(':')).map(([a, p]) => ep(a, Number(p)))
    // Simultaneous sends to what the server saw, then a second round.
    for (const round of ['punch', 'hello']) {
      sendText(h1, `${round} from h1`, e2)
      sendText(h2, `${round} from h2`, e1)
      runUntilQuiet(net, { maxMs: 1000 })
    }
    return [got1.map((r) => r.text), got2.map((r) => r.text)]
  }
  return { net, punched }
}

describe('hole punching', () => {
  it('works between two endpoint-independent-mapping NATs by simultaneous sends', () => {
    const { net, punched } = twoNats('endpoint-independent')
    expect(punched()).toEqual([['punch from h2', 'hello from h2'], ['punch from h1', 'hello from h1']])
    expect(net.counters().dropped['nat-filtered']).toBe(0)
  })

  it('fails between two address-and-port-dependent-mapping (symmetric) NATs', () => {
    const { net, punched } = twoNats('address-and-port-dependent')
    expect(punched()).toEqual([[], []])
    expect(net.counters().dropped['nat-filtered'] + net.counters().dropped['nat-no-mapping']).toBe(4)
  })

  it('fails when one side sends first and its datagram reaches a NAT with no permission yet', () => {
    const { net } = twoNats('endpoint-independent')
    const h1 = net.host('h1').bind(4001)
    const h2 = net.host('h2').bind(4001)
    const got2 = inbox(h2)
    // h1 guesses h2's mapping before h2 sent anything: the NAT has nothing, it is dropped.
    sendText(h1, 'early', ep('203.0.113.2', 40000))
    runUntilQuiet(net, { maxMs: 1000 })
    expect(got2).toEqual([])
    expect(net.counters().dropped['nat-no-mapping']).toBe(1)
  })
})

describe('hairpin and nested NATs', () => {
  //   x 192.168.0.2 ─┐
  //                  ├─ nat 203.0.113.1 ── internet ── s 198.51.100.9
  //   y 192.168.0.3 ─┘
  const setup = (hairpin: boolean) => {
    const net = createSimNetwork({ seed: 5 })
    net.addNat('nat', { publicAddress: '203.0.113.1', mapping: 'endpoint-independent', filtering: 'endpoint-independent', hairpin })
    const x = net.addHost('x', { address: '192.168.0.2', behind: 'nat' }).bind(1)
    const y = net.addHost('y', { address: '192.168.0.3', behind: 'nat' }).bind(1)
    const s = inbox(net.addHost('s', { address: '198.51.100.9' }).bind(1))
    sendText(x, 'x', ep('198.51.100.9', 1))
    sendText(y, 'y', ep('198.51.100.9', 1))
    runUntilQuiet(net, { maxMs: 100 })
    const [, yPort] = s[1].from.split(':')
    const gotY = inbox(y)
    sendText(x, 'via public', ep('203.0.113.1', Number(yPort)))
    runUntilQuiet(net, { maxMs: 100 })
    return { net, gotY, xPublic: s[0].from }
  }

  it('hairpins when enabled, showing the translated source', () => {
    const { gotY, xPublic } = setup(true)
    expect(gotY).toEqual([{ text: 'via public', from: xPublic }])
  })

  it('drops when hairpin is off', () => {
    const { gotY, net } = setup(false)
    expect(gotY).toEqual([])
    expect(net.counters().dropped['no-route']).toBe(1)
  })

  //   h 10.0.0.2 ── home 100.64.0.2 ── cgnat 203.0.113.1 ── internet ── s 198.51.100.9
  it('translates twice through a NAT behind a carrier-grade NAT', () => {
    const net = createSimNetwork({ seed: 2 })
    net.addNat('cgnat', { publicAddress: '203.0.113.1', mapping: 'endpoint-independent', filtering: 'address-dependent' })
    net.addNat('home', { publicAddress: '100.64.0.2', mapping: 'endpoint-independent', filtering: 'endpoint-independent', behind: 'cgnat' })
    const h = net.addHost('h', { address: '10.0.0.2', behind: 'home' }).bind(1)
    const gotH = inbox(h)
    const s = net.addHost('s', { address: '198.51.100.9' }).bind(1)
    s.onDatagram((data, from) => s.send(data, 0, data.length, from))
    sendText(h, 'echo', ep('198.51.100.9', 1))
    runUntilQuiet(net, { maxMs: 100 })
    expect(gotH).toEqual([{ text: 'echo', from: '198.51.100.9:1' }])
    expect(net.nat('cgnat').mappings()[0].internal.address).toBe('100.64.0.2')
  })
})
