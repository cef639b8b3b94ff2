/**
 * The link monitor's choice between UDP and a swarm stream's datagrams (the carrier), on two
 * real data paths with a virtual clock and monitors ticked by hand.
 *
 *   a (10.0.0.1:6783) ── UDP: each direction blocked by the test at will ── b (10.0.0.2:6783)
 *        └────────── carrier: in-memory datagram channel, cut at will ──────────┘
 */
import { describe, expect, it } from 'vitest'
import { Datapath } from '@weft/datapath'
import { SWARM_DATAGRAM_MAX_BYTES } from '@weft/swarm'
import { ChannelTap } from '@weft/tap'
import { CarrierBind, SimNetwork, memoryChannelPair } from '@weft/udp'
import { DATA_HEARTBEAT_INTERVAL_MS, LinkMonitor } from '../../src/mesh/link-monitor.js'

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 2))

function lab() {
  let now = 1_000_000
  const net = new SimNetwork()
  const blocked = new Set<string>()  // "from>to" addresses
  net.intercept = (d) => !blocked.has(`${d.from.address}>${d.to.address}`)
  const [ca, cb] = memoryChannelPair()
  const events: string[] = []
  const make = (name: string, address: string, peerName: string, peerAddress: string, channel: typeof ca, key: number) => {
    const bind = new CarrierBind(net.bind(address, 6783))
    const dp = new Datapath({ mtu: 1376 }, { tap: new ChannelTap({ name }), bind, now: () => now })
    dp.addSession(peerName, { localIndex: key, remoteIndex: 3 - key, sendKey: Buffer.alloc(32, key), receiveKey: Buffer.alloc(32, 3 - key) }, { address: peerAddress, port: 6783 })
    bind.attach(peerName, channel)
    const monitor = new LinkMonitor(dp, () => [peerName], (_, up) => events.push(`${name} ${up ? 'up' : 'down'}`), () => now,
      (p) => bind.endpointOf(p), (_, carried) => events.push(`${name} ${carried ? 'carrier' : 'udp'}`))
    monitor.close()  // ticked by hand
    return { dp, bind, monitor }
  }
  const a = make('a', '10.0.0.1', 'b', '10.0.0.2', ca, 1)
  const b = make('b', '10.0.0.2', 'a', '10.0.0.1', cb, 2)
  /** `n` heartbeat intervals: both monitors tick, and what they sent arrives. */
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      now += DATA_HEARTBEAT_INTERVAL_MS
      a.monitor.tick()
      b.monitor.tick()
      await settle()
    }
  }
  const block = (from: string, to: string, on = true) => {
    const key = `${from}>${to}`
    if (on) blocked.add(key)
    else blocked.delete(key)
  }
  return { a, b, ca, cb, events, run, block }
}

describe('LinkMonitor with a carrier', () => {
  it('moves both ends onto the carrier when UDP stops, keeps the link up, and goes back when UDP works', async () => {
    const { a, b, events, run, block } = lab()
    await run(10)
    expect(events).toEqual([])
    expect(a.dp.carrierOf('b')).toBeUndefined()

    block('10.0.0.1', '10.0.0.2')
    block('10.0.0.2', '10.0.0.1')
    await run(10)
    expect(events.sort()).toEqual(['a carrier', 'b carrier'])
    expect(a.monitor.isUp('b')).toBe(true)
    expect(a.dp.carrierOf('b')).toEqual(a.bind.endpointOf('b'))
    expect(a.dp.mtuFor('b')).toBe(SWARM_DATAGRAM_MAX_BYTES - 48)

    events.length = 0
    block('10.0.0.1', '10.0.0.2', false)
    block('10.0.0.2', '10.0.0.1', false)
    await run(10)
    expect(events.sort()).toEqual(['a udp', 'b udp'])
    expect(b.dp.carrierOf('a')).toBeUndefined()
    expect(b.dp.mtuFor('a')).toBe(1376)
  })

  it('moves both ends when UDP works one way only: the deaf end tells the other', async () => {
    const { a, b, events, run, block } = lab()
    await run(10)
    block('10.0.0.2', '10.0.0.1')  // a hears nothing from b; b still hears a
    await run(15)
    expect(events.sort()).toEqual(['a carrier', 'b carrier'])
    expect(b.dp.directLiveness('a')!.peerHearsUdp).toBe(0)
    expect(a.monitor.isUp('b') && b.monitor.isUp('a')).toBe(true)
  })

  it('goes down when neither UDP nor the carrier carries anything', async () => {
    const { a, ca, cb, events, run, block } = lab()
    await run(10)
    ca.cut = true
    cb.cut = true
    block('10.0.0.1', '10.0.0.2')
    block('10.0.0.2', '10.0.0.1')
    await run(10)
    expect(events.sort()).toEqual(['a down', 'b down'])
    expect(a.monitor.isUp('b')).toBe(false)
    expect(a.dp.carrierOf('b')).toBeUndefined()
  })
})
