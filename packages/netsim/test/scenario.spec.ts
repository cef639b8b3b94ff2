import { describe, expect, it } from 'vitest'
import type { Endpoint, SimHost, SimNetwork } from '../src/index.js'
import { createSimNetwork, runUntil, runUntilQuiet } from '../src/index.js'
import { accept, ep, sendText, watch } from './fixtures.js'

interface Peer {
  readonly host: SimHost
  /** Where the others reach it (its public endpoint). */
  readonly advertised: Endpoint
}

interface Topology {
  readonly net: SimNetwork
  readonly peers: readonly Peer[]
}

const EIM_APDF = { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' } as const

const topologies: Record<string, (seed: number) => Topology> = {
  //   p0 p1 p2 p3, all on the internet
  flat: (seed) => {
    const net = createSimNetwork({ seed })
    const peers = [0, 1, 2, 3].map((i) => ({ host: net.addHost(`p${i}`, { address: `198.51.100.${i + 1}` }), advertised: ep(`198.51.100.${i + 1}`, 6783) }))
    return { net, peers }
  },
  //   as flat, over links that lose 30%, duplicate 10% and jitter 20 ms
  lossy: (seed) => {
    const net = createSimNetwork({ seed, link: { delayMs: 15, jitterMs: 20, loss: 0.3, duplicate: 0.1 } })
    const peers = [0, 1, 2, 3].map((i) => ({ host: net.addHost(`p${i}`, { address: `198.51.100.${i + 1}` }), advertised: ep(`198.51.100.${i + 1}`, 6783) }))
    return { net, peers }
  },
  //   pN 10.N.0.2 ── nN 203.0.113.N (forwards 6783) ── internet
  'one NAT each': (seed) => {
    const net = createSimNetwork({ seed, link: { delayMs: 5 } })
    const peers = [1, 2, 3, 4].map((i) => {
      net.addNat(`n${i}`, { publicAddress: `203.0.113.${i}`, ...EIM_APDF })
      const host = net.addHost(`p${i}`, { address: `10.${i}.0.2`, behind: `n${i}` })
      net.nat(`n${i}`).forward(6783, `p${i}`, 6783)
      return { host, advertised: ep(`203.0.113.${i}`, 6783) }
    })
    return { net, peers }
  },
  //   p0 ─┐                                  ┌─ p2 198.51.100.2
  //   p1 ─┴─ home 203.0.113.1 (hairpin) ──────┤
  //            forwards 6783->p0, 6784->p1    └─ p3 10.0.0.2 ── home2 100.64.0.2 ── cgnat 203.0.113.9
  mixed: (seed) => {
    const net = createSimNetwork({ seed, link: { delayMs: 4, jitterMs: 2 } })
    const home = net.addNat('home', { publicAddress: '203.0.113.1', ...EIM_APDF, hairpin: true })
    const p0 = net.addHost('p0', { address: '192.168.1.2', behind: 'home' })
    const p1 = net.addHost('p1', { address: '192.168.1.3', behind: 'home' })
    home.forward(6783, 'p0', 6783)
    home.forward(6784, 'p1', 6783)
    const p2 = net.addHost('p2', { address: '198.51.100.2' })
    const cgnat = net.addNat('cgnat', { publicAddress: '203.0.113.9', ...EIM_APDF })
    const home2 = net.addNat('home2', { publicAddress: '100.64.0.2', ...EIM_APDF, behind: 'cgnat' })
    const p3 = net.addHost('p3', { address: '10.0.0.2', behind: 'home2' })
    cgnat.forward(7000, 'home2', 6783)
    home2.forward(6783, 'p3', 6783)
    return {
      net,
      peers: [
        { host: p0, advertised: ep('203.0.113.1', 6783) },
        { host: p1, advertised: ep('203.0.113.1', 6784) },
        { host: p2, advertised: ep('198.51.100.2', 6783) },
        { host: p3, advertised: ep('203.0.113.9', 7000) },
      ],
    }
  },
}

/**
 * Every peer pings every other peer's advertised endpoint every 100 ms until it has a pong from
 * each, and answers pings to whatever source it sees. Returns the pairs (i>j) that completed.
 */
function meshPing(t: Topology, maxMs: number): { done: Set<string>; met: boolean; elapsedMs: number } {
  const { net, peers } = t
  const done = new Set<string>()
  const binds = peers.map((p) => p.host.bind(6783))
  binds.forEach((bind, i) => {
    bind.onDatagram((data, from) => {
      const [kind, who] = data.toString().split(' ')
      if (kind === 'ping') sendText(bind, `pong ${i}`, from)
      else done.add(`${i}>${who}`)
    })
    const timer = net.clock.setInterval(() => {
      let missing = 0
      peers.forEach((p, j) => {
        if (j === i || done.has(`${i}>${j}`)) return
        missing++
        sendText(bind, `ping ${i}`, p.advertised)
      })
      if (missing === 0) net.clock.clearInterval(timer)
    }, 100)
  })
  const all = peers.length * (peers.length - 1)
  const r = runUntil(net, () => done.size === all, { maxMs })
  return { done, ...r }
}

describe('one scenario over several topologies', () => {
  for (const [name, build] of Object.entries(topologies)) {
    it(`every peer reaches every other: ${name}`, () => {
      const r = meshPing(build(11), 5000)
      expect(r.met).toBe(true)
      expect(r.done.size).toBe(12)
    })
  }

  it('cannot complete across a partition (the scenario can fail)', () => {
    const t = topologies['one NAT each'](11)
    t.net.partition(['p1'], ['n3'])
    const r = meshPing(t, 5000)
    expect(r.met).toBe(false)
    expect([...r.done].sort()).not.toContain('0>2')
    expect(r.done.size).toBe(10)
  })
})

describe('determinism', () => {
  /** A busy little world: NATs, jitter, loss, duplicates, reordering, a stream, a partition. */
  function world(seed: number): readonly string[] {
    const t = topologies.mixed(seed)
    const { net } = t
    net.trace(true)
    net.setDefaultLink({ loss: 0.1, duplicate: 0.05, reorder: 0.1 })
    meshPing(t, 3000)
    const server = accept(net.host('p2'), 80)
    const st = net.host('p3').connect(ep('198.51.100.2', 80))
    watch(st)
    for (let i = 0; i < 20; i++) st.write(Buffer.from(`chunk ${i}`))
    net.partition(['p3'], ['p2'])
    net.clock.advance(500)
    net.heal()
    runUntilQuiet(net, { maxMs: 5000 })
    st.close()
    runUntilQuiet(net, { maxMs: 5000 })
    expect(server.logs[0].data).toContain('chunk 19')
    if (process.env.SHOW_TRACE) console.log(net.trace().join("\n"))
    return net.trace()
  }

  it('gives byte-identical traces for the same seed and different ones for another', () => {
    const first = world(1)
    const again = world(1)
    expect(first.length).toBeGreaterThan(100)
    expect(again).toEqual(first)
    for (const event of ['udp.send', 'udp.deliver', 'udp.drop loss', 'nat.map', 'stream.stall', 'stream.resume', 'stream.data']) {
      expect(first.some((l) => l.includes(event))).toBe(true)
    }
    expect(world(2)).not.toEqual(first)
  })
})
