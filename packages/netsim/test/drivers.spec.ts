import { describe, expect, it } from 'vitest'
import { VirtualClock, createSimNetwork, runUntil, runUntilQuiet } from '../src/index.js'
import { ep, sendText } from './fixtures.js'

describe('runUntilQuiet', () => {
  it('is quiet at once with nothing pending', () => {
    const clock = new VirtualClock()
    expect(runUntilQuiet({ clock }, { maxMs: 100 })).toEqual({ elapsedMs: 0, quiet: true })
  })

  it('runs a conversation to its end', () => {
    const net = createSimNetwork({ seed: 1, link: { delayMs: 3 } })
    const a = net.addHost('a', { address: '10.0.0.1' }).bind(1)
    const b = net.addHost('b', { address: '10.0.0.2' }).bind(1)
    let hops = 0
    const bounce = (self: typeof a) => (data: Buffer, from: { address: string; port: number }) => {
      if (++hops < 10) self.send(data, 0, data.length, from)
    }
    a.onDatagram(bounce(a))
    b.onDatagram(bounce(b))
    sendText(a, 'ball', ep('10.0.0.2', 1))
    expect(runUntilQuiet(net, { maxMs: 1000 })).toEqual({ elapsedMs: 30, quiet: true })
    expect(hops).toBe(10)
  })

  it('gives up at exactly maxMs when traffic never stops', () => {
    const net = createSimNetwork({ seed: 1 })
    const a = net.addHost('a', { address: '10.0.0.1' }).bind(1)
    const b = net.addHost('b', { address: '10.0.0.2' }).bind(1)
    for (const s of [a, b]) s.onDatagram((d, from) => s.send(d, 0, d.length, from))
    sendText(a, 'forever', ep('10.0.0.2', 1))
    expect(runUntilQuiet(net, { maxMs: 250.5 })).toEqual({ elapsedMs: 250.5, quiet: false })
    expect(net.clock.now()).toBe(250.5)
  })

  it('treats a lone interval as quiet after quietMs, but not traffic it keeps causing', () => {
    const clock = new VirtualClock()
    let ticks = 0
    clock.setInterval(() => { ticks++ }, 100)
    expect(runUntilQuiet({ clock }, { maxMs: 10_000, quietMs: 250 })).toEqual({ elapsedMs: 250, quiet: true })
    expect(ticks).toBe(2)

    const net = createSimNetwork({ seed: 1, link: { delayMs: 10 } })
    const a = net.addHost('a', { address: '10.0.0.1' }).bind(1)
    net.addHost('b', { address: '10.0.0.2' }).bind(1)
    net.clock.setInterval(() => sendText(a, 'heartbeat', ep('10.0.0.2', 1)), 100)
    // Each heartbeat is in flight for 10 ms of every 100: never 150 ms without a one-shot timer.
    expect(runUntilQuiet(net, { maxMs: 1000, quietMs: 150 })).toEqual({ elapsedMs: 1000, quiet: false })
    // With quietMs 0 the gaps between heartbeats count as quiet.
    expect(runUntilQuiet(net, { maxMs: 1000 }).quiet).toBe(true)
  })
})

describe('runUntil', () => {
  it('stops at the callback that makes the predicate true', () => {
    const clock = new VirtualClock()
    let n = 0
    clock.setInterval(() => { n++ }, 7)
    expect(runUntil({ clock }, () => n === 3, { maxMs: 1000 })).toEqual({ elapsedMs: 21, met: true })
    expect(runUntil({ clock }, () => n === 3, { maxMs: 1000 })).toEqual({ elapsedMs: 0, met: true })
  })

  it('checks per step when asked, and reports a miss at maxMs', () => {
    const clock = new VirtualClock()
    let n = 0
    clock.setInterval(() => { n++ }, 7)
    expect(runUntil({ clock }, () => n >= 3, { maxMs: 1000, stepMs: 10 })).toEqual({ elapsedMs: 30, met: true })
    expect(runUntil({ clock }, () => n >= 1000, { maxMs: 100, stepMs: 30 })).toEqual({ elapsedMs: 100, met: false })
    expect(runUntil({ clock }, () => false, { maxMs: 50 })).toEqual({ elapsedMs: 50, met: false })
    expect(() => runUntil({ clock }, () => false, { maxMs: 50, stepMs: 0 })).toThrow(/stepMs/)
  })
})
