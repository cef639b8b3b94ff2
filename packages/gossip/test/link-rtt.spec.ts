import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RTT_REPORT_MIN_CHANGE_FRACTION, RTT_REPORT_MIN_CHANGE_MS, reportedRtt } from '../src/index.js'

describe('reportedRtt', () => {
  it('reports the first measurement, rounded, and none without one', () => {
    expect(reportedRtt(undefined, 12.4)).toBe(12)
    expect(reportedRtt(null, 0.3)).toBe(0)
    expect(reportedRtt(5, null)).toBeNull()
  })

  it('keeps the reported value while measurements jitter, and follows a real change', () => {
    // a LAN: 0 and 1 ms alternate; the record must not change at every refresh
    let r: number | null = null
    const seen = new Set<number | null>()
    for (const m of [0.4, 1.2, 0.6, 1.4, 0.2, 2.4, 0.9]) seen.add((r = reportedRtt(r, m)))
    expect([...seen]).toEqual([0])
    expect(reportedRtt(40, 47)).toBe(40) // within 25 %
    expect(reportedRtt(40, 55)).toBe(55)
    expect(reportedRtt(40, 25)).toBe(25)
  })

  it('changes the value only past the band, and then to the measurement', () => {
    fc.assert(fc.property(fc.option(fc.nat({ max: 10_000 })), fc.double({ min: 0, max: 20_000, noNaN: true }), (reported, measured) => {
      const out = reportedRtt(reported, measured)!
      const m = Math.max(0, Math.round(measured)) // never -0
      if (reported === null) {
        expect(out).toBe(m)
        return
      }
      const band = Math.max(RTT_REPORT_MIN_CHANGE_MS, reported * RTT_REPORT_MIN_CHANGE_FRACTION)
      expect(out).toBe(Math.abs(m - reported) > band ? m : reported)
    }), { numRuns: 300 })
  })
})
