import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { NetsimError, VirtualClock } from '../src/index.js'

describe('VirtualClock', () => {
  it('runs random schedules, nested ones included, in (due time, scheduling order)', () => {
    const timer = fc.record({
      delay: fc.integer({ min: 0, max: 50 }),
      children: fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 3 }),
      cancel: fc.boolean(),
    })
    fc.assert(fc.property(fc.array(timer, { maxLength: 40 }), fc.integer({ min: 0, max: 120 }), (specs, window) => {
      const clock = new VirtualClock()
      const ran: Array<{ at: number; seq: number; due: number }> = []
      const live = new Map<number, number>() // seq -> due, not yet run or cancelled
      let seq = 0
      const schedule = (delay: number, children: number[]) => {
        const mine = seq++
        const due = clock.now() + delay
        live.set(mine, due)
        const h = clock.setTimeout(() => {
          live.delete(mine)
          ran.push({ at: clock.now(), seq: mine, due })
          for (const c of children) schedule(c, [])
        }, delay)
        return { h, mine }
      }
      const handles = specs.map((s) => ({ ...schedule(s.delay, s.children), cancel: s.cancel }))
      for (const { h, mine, cancel } of handles) {
        if (cancel) {
          clock.clearTimeout(h)
          live.delete(mine)
        }
      }
      const count = clock.advance(window)
      expect(count).toBe(ran.length)
      expect(clock.now()).toBe(window)
      for (let i = 0; i < ran.length; i++) {
        expect(ran[i].at).toBe(ran[i].due)
        expect(ran[i].at).toBeLessThanOrEqual(window)
        if (i > 0) {
          const [a, b] = [ran[i - 1], ran[i]]
          expect(a.at < b.at || (a.at === b.at && a.seq < b.seq)).toBe(true)
        }
      }
      // Everything due in the window ran; everything left is due later.
      for (const due of live.values()) expect(due).toBeGreaterThan(window)
      expect(clock.pending()).toBe(live.size)
    }))
  })

  it('runs a timer scheduled for now, from a callback, in the same advance', () => {
    const clock = new VirtualClock()
    const order: string[] = []
    clock.setTimeout(() => {
      order.push('a')
      clock.setTimeout(() => order.push('c'), 0)
    }, 5)
    clock.setTimeout(() => order.push('b'), 5)
    expect(clock.advance(5)).toBe(3)
    expect(order).toEqual(['a', 'b', 'c'])
  })

  it('repeats intervals, and lets a callback clear its own', () => {
    const clock = new VirtualClock(100)
    const at: number[] = []
    const h = clock.setInterval(() => {
      at.push(clock.now())
      if (at.length === 3) clock.clearInterval(h)
    }, 10)
    expect(clock.pending('interval')).toBe(1)
    clock.advance(1000)
    expect(at).toEqual([110, 120, 130])
    expect(clock.pending()).toBe(0)
  })

  it('runNext jumps to the earliest timer; nextAt reports it', () => {
    const clock = new VirtualClock()
    const order: number[] = []
    clock.setTimeout(() => order.push(2), 20)
    clock.setTimeout(() => order.push(1), 10)
    expect(clock.nextAt()).toBe(10)
    expect(clock.runNext()).toBe(true)
    expect(clock.now()).toBe(10)
    expect(clock.runNext()).toBe(true)
    expect(clock.runNext()).toBe(false)
    expect(order).toEqual([1, 2])
    expect(clock.nextAt()).toBeUndefined()
  })

  it('counts timeouts and intervals apart and ignores foreign handles', () => {
    const clock = new VirtualClock()
    clock.setTimeout(() => {}, 1)
    const i = clock.setInterval(() => {}, 1)
    expect([clock.pending('timeout'), clock.pending('interval')]).toEqual([1, 1])
    clock.clearTimeout(42)
    clock.clearTimeout(undefined)
    clock.clearInterval(i)
    clock.clearInterval(i)
    expect(clock.pending()).toBe(1)
  })

  it('refuses to be advanced from inside a callback', () => {
    const clock = new VirtualClock()
    let caught: unknown
    clock.setTimeout(() => {
      try {
        clock.advance(1)
      } catch (err) {
        caught = err
      }
    }, 1)
    clock.advance(1)
    expect(caught).toBeInstanceOf(NetsimError)
    expect((caught as NetsimError).code).toBe('ERR_CLOCK_REENTRANT')
    expect(() => clock.advance(-1)).toThrow(NetsimError)
  })
})
