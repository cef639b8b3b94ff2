import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_ANTI_ENTROPY_INTERVAL_MS, GossipError, createGossipEngine, type GossipComponents, type GossipEngine,
  type GossipInit,
} from '../src/index.js'
import { GSetChannel, setOf } from './helpers/g-set-channel.js'
import { VirtualClock, seededRandom } from './helpers/virtual-clock.js'

interface Sent {
  peer: string
  channel: string
  payload: Uint8Array
}

function setup(init: Partial<GossipInit> = {}, components: Partial<GossipComponents> = {}) {
  const clock = new VirtualClock()
  const sent: Sent[] = []
  const warnings: Array<{ obj: object; msg: string }> = []
  const engine = createGossipEngine({ selfId: 'self', ...init }, {
    clock,
    random: seededRandom(1),
    send: (peer, channel, payload) => sent.push({ peer, channel, payload }),
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    ...components,
  })
  /** Runs the flush (and anything else due now). */
  const flush = (): void => clock.advance(0)
  return { clock, sent, warnings, engine, flush }
}

function to(sent: Sent[], peer: string, channel?: string): string[][] {
  return sent.filter((s) => s.peer === peer && (channel === undefined || s.channel === channel)).map((s) => setOf(s.payload))
}

const bytes = (xs: string[]): Uint8Array => new TextEncoder().encode(JSON.stringify(xs))

describe('gossip engine', () => {
  it('sends the full state of every channel to a new neighbour, on the next flush', () => {
    const { engine, sent, flush } = setup()
    const a = new GSetChannel('a')
    const b = new GSetChannel('b')
    a.add('x', 'y')
    engine.registerChannel(a)
    engine.registerChannel(b)
    engine.addNeighbour('n1')
    expect(sent).toEqual([])
    flush()
    expect(sent.map((s) => [s.peer, s.channel, setOf(s.payload)])).toEqual([['n1', 'a', ['x', 'y']], ['n1', 'b', []]])
    expect(engine.stats().sent.a).toEqual({ messages: 1, bytes: sent[0].payload.length })
  })

  it('sends the full state of a channel registered later to every neighbour', () => {
    const { engine, sent, flush } = setup()
    engine.addNeighbour('n1')
    engine.addNeighbour('n2')
    flush()
    const c = new GSetChannel('late')
    c.add('z')
    engine.registerChannel(c)
    flush()
    expect(to(sent, 'n1', 'late')).toEqual([['z']])
    expect(to(sent, 'n2', 'late')).toEqual([['z']])
  })

  it('relays exactly what merge reports as new, to every neighbour but the sender', () => {
    const { engine, sent, flush } = setup()
    const ch = new GSetChannel('s')
    ch.add('old')
    engine.registerChannel(ch)
    for (const n of ['n1', 'n2', 'n3']) engine.addNeighbour(n)
    flush()
    sent.length = 0
    engine.receive('n1', 's', bytes(['old', 'new1', 'new2']))
    flush()
    expect(to(sent, 'n1')).toEqual([])
    expect(to(sent, 'n2')).toEqual([['new1', 'new2']])
    expect(to(sent, 'n3')).toEqual([['new1', 'new2']])
    sent.length = 0
    engine.receive('n2', 's', bytes(['new1', 'old']))
    flush()
    expect(sent).toEqual([]) // nothing new: relaying stops
    expect(engine.stats().received.s.messages).toBe(2)
  })

  it('accepts gossip from a peer that is not a neighbour and relays it to all neighbours', () => {
    const { engine, sent, flush } = setup()
    engine.registerChannel(new GSetChannel('s'))
    engine.addNeighbour('n1')
    flush()
    sent.length = 0
    engine.receive('stranger', 's', bytes(['x']))
    flush()
    expect(to(sent, 'n1')).toEqual([['x']])
  })

  it('publishes a local change to every neighbour; publishing on an unknown channel throws', () => {
    const { engine, sent, flush } = setup()
    const ch = new GSetChannel('s')
    engine.registerChannel(ch)
    engine.addNeighbour('n1')
    engine.addNeighbour('n2')
    flush()
    sent.length = 0
    engine.publish('s', ch.add('mine'))
    flush()
    expect(to(sent, 'n1')).toEqual([['mine']])
    expect(to(sent, 'n2')).toEqual([['mine']])
    expect(() => engine.publish('nope', new Set())).toThrow(expect.objectContaining({ name: 'GossipError', code: 'ERR_UNKNOWN_CHANNEL' }))
  })

  it('combines deltas queued for one neighbour into one message when the channel can', () => {
    for (const combine of [true, false]) {
      const { engine, sent, flush } = setup()
      const ch = new GSetChannel('s', { combine })
      engine.registerChannel(ch)
      engine.addNeighbour('n1')
      flush()
      sent.length = 0
      engine.publish('s', ch.add('a'))
      engine.publish('s', ch.add('b'))
      engine.receive('n9', 's', bytes(['c']))
      expect(engine.stats().queued).toBe(3)
      flush()
      expect(to(sent, 'n1')).toEqual(combine ? [['a', 'b', 'c']] : [['a'], ['b'], ['c']])
      expect(engine.stats().queued).toBe(0)
    }
  })

  it('sends one full state instead of the deltas it makes redundant', () => {
    const { engine, sent, flush } = setup()
    const ch = new GSetChannel('s', { combine: false })
    engine.registerChannel(ch)
    engine.addNeighbour('n1')
    flush()
    sent.length = 0
    engine.publish('s', ch.add('a'))
    engine.addNeighbour('n1') // a reconnect
    engine.publish('s', ch.add('b'))
    flush()
    expect(to(sent, 'n1')).toEqual([['a', 'b']])
  })

  it('drops, counts and logs what it cannot use, never throws, and changes nothing', () => {
    const { engine, sent, warnings, flush } = setup()
    const ch = new GSetChannel('s')
    ch.add('keep')
    ch.merge = () => {
      throw new Error('merge exploded')
    }
    const good = new GSetChannel('g')
    engine.registerChannel(ch)
    engine.registerChannel(good)
    engine.addNeighbour('n1')
    flush()
    sent.length = 0
    engine.receive('n1', 'unknown', bytes(['x']))
    engine.receive('n1', 'g', new Uint8Array([0xff, 0x00]))
    engine.receive('n1', 'g', 'not bytes' as unknown as Uint8Array)
    engine.receive('n1', 's', bytes(['x']))
    flush()
    const { drops } = engine.stats()
    expect(drops['unknown-channel']).toBe(1)
    expect(drops['bad-payload']).toBe(2)
    expect(drops['merge-failed']).toBe(1)
    expect(sent).toEqual([])
    expect([...good.items]).toEqual([])
    expect(warnings.map((w) => w.msg)).toEqual([
      'dropped gossip for an unknown channel', 'dropped a bad gossip message', 'dropped a bad gossip message',
      'dropped a gossip message its channel could not merge',
    ])
    expect(warnings[0].obj).toMatchObject({ peer: 'n1', channel: 'unknown', reason: 'unknown-channel' })
  })

  it('never throws on any channel name and payload, and counts every bad message once', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.oneof(fc.constant('g'), fc.string({ maxLength: 40 })), fc.uint8Array({ maxLength: 64 })), { maxLength: 20 }),
      (messages) => {
        const { engine } = setup()
        const ch = new GSetChannel('g')
        engine.registerChannel(ch)
        let bad = 0
        for (const [channel, payload] of messages) {
          let valid = channel === 'g'
          if (valid) {
            try {
              ch.decode(payload)
            } catch {
              valid = false
            }
          }
          if (!valid) bad++
          engine.receive('n1', channel, payload)
        }
        const { drops } = engine.stats()
        expect(drops['unknown-channel'] + drops['bad-payload']).toBe(bad)
      },
    ))
  })

  it('counts a send that throws instead of throwing', () => {
    const { engine, flush } = setup({}, { send: () => { throw new Error('connection gone') } })
    engine.registerChannel(new GSetChannel('s'))
    engine.addNeighbour('n1')
    flush()
    expect(engine.stats().drops['send-failed']).toBe(1)
    expect(engine.stats().sent.s.messages).toBe(0)
  })

  it('rejects bad channel names, a second channel of one name, and itself as a neighbour', () => {
    const { engine } = setup()
    for (const name of ['', 'UPPER', 'a_b', 'x'.repeat(33), 'é', 'a b']) {
      expect(() => engine.registerChannel(new GSetChannel(name)), name).toThrow(expect.objectContaining({ code: 'ERR_BAD_CHANNEL_NAME' }))
    }
    engine.registerChannel(new GSetChannel('x'.repeat(32)))
    engine.registerChannel(new GSetChannel('ipam-2'))
    expect(() => engine.registerChannel(new GSetChannel('ipam-2'))).toThrow(expect.objectContaining({ code: 'ERR_DUPLICATE_CHANNEL' }))
    expect(() => engine.addNeighbour('self')).toThrow(GossipError)
    expect(() => createGossipEngine({ selfId: 's', maxQueueBytesPerNeighbour: 0 }, { clock: new VirtualClock(), random: Math.random, send: () => {} }))
      .toThrow(expect.objectContaining({ code: 'ERR_BAD_ARGUMENT' }))
  })

  it('loses nothing when a send re-enters the engine in the middle of a flush', () => {
    // a synchronous transport: n1 answers the full state it gets with something new, at once
    let engine: GossipEngine | null = null
    const sent: Sent[] = []
    const clock = new VirtualClock()
    engine = createGossipEngine({ selfId: 'self' }, {
      clock, random: () => 0.5,
      send: (peer, channel, payload) => {
        sent.push({ peer, channel, payload })
        if (peer === 'n1' && setOf(payload).length === 1) engine!.receive('n1', channel, bytes(['from-n1']))
      },
    })
    const ch = new GSetChannel('s')
    ch.add('x')
    engine.registerChannel(ch)
    engine.addNeighbour('n1')
    engine.addNeighbour('n2')
    clock.advance(0)
    const received = new Set(sent.filter((s) => s.peer === 'n2').flatMap((s) => setOf(s.payload)))
    expect([...received].sort()).toEqual(['from-n1', 'x'])
    expect(clock.nextDue()).toBeGreaterThan(0) // nothing left but anti-entropy
  })

  it('forgets what was queued for a neighbour that is removed', () => {
    const { engine, sent, flush } = setup()
    const ch = new GSetChannel('s')
    engine.registerChannel(ch)
    engine.addNeighbour('n1')
    engine.addNeighbour('n2')
    engine.publish('s', ch.add('a'))
    engine.removeNeighbour('n1')
    expect(engine.neighbours()).toEqual(['n2'])
    flush()
    expect(to(sent, 'n1')).toEqual([])
    expect(to(sent, 'n2')).toEqual([['a']])
  })

  it('runs anti-entropy every jittered interval: the full state to one neighbour picked by random()', () => {
    // random() is replayed from this list: the first value sets the first interval; at each
    // round the engine draws the next interval, then the neighbour
    const values = [0, 0.5, 0.99, 0.5, 1 / 3]
    let i = 0
    const { engine, sent, clock, flush } = setup({}, { random: () => values[i++ % values.length] })
    const ch = new GSetChannel('s')
    ch.add('x')
    engine.registerChannel(ch)
    for (const n of ['n1', 'n2', 'n3']) engine.addNeighbour(n)
    flush()
    sent.length = 0
    const base = DEFAULT_ANTI_ENTROPY_INTERVAL_MS
    // first interval: random 0 -> 0.8 x base; the neighbour: 0.99 -> the last one
    clock.advance(0.8 * base - 1)
    expect(sent).toEqual([])
    clock.advance(1)
    expect(sent.map((s) => s.peer)).toEqual(['n3'])
    // the second interval drew 0.5 -> exactly base; then the neighbour drew 1/3 -> the second one
    clock.advance(base - 1)
    expect(sent).toHaveLength(1)
    clock.advance(1)
    expect(sent.map((s) => s.peer)).toEqual(['n3', 'n2'])
    expect(setOf(sent[1].payload)).toEqual(['x'])
  })

  it('keeps every interval within ±20 % of the configured one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 10, max: 100_000 }), (seed, interval) => {
      const clock = new VirtualClock()
      const times: number[] = []
      const engine = createGossipEngine({ selfId: 's', antiEntropyIntervalMs: interval }, { clock, random: seededRandom(seed), send: () => {} })
      engine.registerChannel(new GSetChannel('c'))
      engine.addNeighbour('n')
      let last = 0
      for (let k = 0; k < 20; k++) {
        const due = clock.nextDue()
        if (due === clock.now()) {
          clock.step()
          continue
        }
        times.push(due - last)
        last = due
        clock.step()
      }
      for (const t of times) {
        expect(t).toBeGreaterThanOrEqual(interval * 0.8 - 1e-6)
        expect(t).toBeLessThanOrEqual(interval * 1.2 + 1e-6)
      }
      engine.close()
    }), { numRuns: 50 })
  })

  it('stops every timer on close and ignores what arrives afterwards', () => {
    const { engine, clock } = setup()
    const ch = new GSetChannel('s')
    engine.registerChannel(ch)
    engine.addNeighbour('n1')
    expect(clock.pending()).toBe(2) // flush and anti-entropy
    engine.close()
    expect(clock.pending()).toBe(0)
    engine.receive('n1', 's', bytes(['x']))
    engine.publish('s', ch.add('y'))
    expect(engine.stats().drops.closed).toBe(1)
    expect(clock.pending()).toBe(0)
  })
})

describe('gossip engine queue bound', () => {
  // A flood of deltas while the neighbour's flush never runs: the queue stays within the bound,
  // what is dropped is counted, and the next anti-entropy sends the full state, which holds all.
  const flood = fc.record({
    max: fc.integer({ min: 64, max: 4096 }),
    combine: fc.boolean(),
    items: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 200 }),
  })

  it('never holds more than the bound for a neighbour, and repairs what it dropped at the next anti-entropy', () => {
    fc.assert(fc.property(flood, ({ max, combine, items }) => {
      const { engine, sent, clock } = setup({ maxQueueBytesPerNeighbour: max, antiEntropyIntervalMs: 1000 }, { random: () => 0 })
      const ch = new GSetChannel('s', { combine })
      engine.registerChannel(ch)
      engine.addNeighbour('n1')
      clock.advance(0)
      sent.length = 0
      let queuedMax = 0
      for (const item of items) {
        engine.publish('s', ch.add(item))
        queuedMax = Math.max(queuedMax, engine.stats().queuedBytes)
        expect(engine.stats().queuedBytes).toBeLessThanOrEqual(max)
      }
      const dropped = engine.stats().drops['queue-overflow']
      const received = new Set<string>()
      clock.advance(0) // flush what is left
      for (const s of sent) for (const x of setOf(s.payload)) received.add(x)
      if (dropped > 0) expect(received.size).toBeLessThan(ch.items.size)
      clock.advance(800) // first anti-entropy (random 0 -> 0.8 x interval): full state for n1
      for (const s of sent) for (const x of setOf(s.payload)) received.add(x)
      expect([...received].sort()).toEqual([...ch.items].sort())
      expect(queuedMax).toBeLessThanOrEqual(max)
    }), { numRuns: 200 })
  })

  it('drops every delta of an overflowing queue, counts them, and flags only that neighbour', () => {
    // random() 0.99: every interval is 1.196 x 1000 ms, and anti-entropy picks the last neighbour (n2)
    const { engine, sent, warnings, clock } = setup({ maxQueueBytesPerNeighbour: 100, antiEntropyIntervalMs: 1000 }, { random: () => 0.99 })
    const ch = new GSetChannel('s', { combine: false })
    engine.registerChannel(ch)
    engine.addNeighbour('n1')
    engine.addNeighbour('n2')
    // full states are read at flush time: they hold no bytes, and deltas queued behind them are covered
    engine.publish('s', ch.add('covered'))
    expect(engine.stats()).toMatchObject({ queued: 2, queuedBytes: 0 })
    clock.advance(0)
    sent.length = 0
    engine.removeNeighbour('n2')
    engine.addNeighbour('n2')
    engine.publish('s', ch.add('a'.repeat(40))) // 44 bytes each
    engine.publish('s', ch.add('b'.repeat(40)))
    expect(engine.stats().queuedBytes).toBe(88)
    engine.publish('s', ch.add('c'.repeat(40)))
    expect(engine.stats()).toMatchObject({ queuedBytes: 0, queued: 1 }) // n1 dropped 3; n2 waits for its full state
    expect(engine.stats().drops['queue-overflow']).toBe(3)
    expect(warnings[0]).toMatchObject({ obj: { peer: 'n1', reason: 'queue-overflow', dropped: 3 } })
    clock.advance(0)
    expect(to(sent, 'n1')).toEqual([])
    expect(to(sent, 'n2')).toEqual([['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), 'covered']])
    // anti-entropy picks n2 at random, and n1 because it was flagged
    clock.advance(1195)
    expect(to(sent, 'n1')).toEqual([])
    clock.advance(1)
    const all = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), 'covered']
    expect(to(sent, 'n1')).toEqual([all])
    expect(to(sent, 'n2')).toEqual([all, all])
    // the flag is cleared: the next round serves only the random pick
    clock.advance(1196)
    expect(to(sent, 'n1')).toEqual([all])
  })
})
