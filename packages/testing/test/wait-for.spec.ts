import { describe, expect, it } from 'vitest'
import { LabError, waitFor } from '../src/index.js'

describe('waitFor', () => {
  it('resolves with the first value that is not undefined or false', async () => {
    let n = 0
    const v = await waitFor(async () => (++n >= 3 ? { n } : n === 1 ? undefined : false), { timeoutMs: 10_000, intervalMs: 1, what: 'three probes' })
    expect(v).toEqual({ n: 3 })
  })

  it('treats a throwing probe as not yet', async () => {
    let n = 0
    const v = await waitFor(async () => {
      if (++n < 3) throw new Error('not ready')
      return 'ok'
    }, { timeoutMs: 10_000, intervalMs: 1, what: 'a flaky probe' })
    expect(v).toBe('ok')
  })

  it('gives up naming what it waited for and the last probe error', async () => {
    const err = await waitFor(async () => { throw new Error('connection refused') }, { timeoutMs: 30, intervalMs: 5, what: 'the router socket' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LabError)
    expect((err as LabError).code).toBe('ERR_LAB_WAIT_TIMEOUT')
    expect((err as LabError).message).toContain('the router socket')
    expect((err as LabError).message).toContain('connection refused')
  })

  it('probes at least once even with a zero timeout', async () => {
    expect(await waitFor(async () => 7, { timeoutMs: 0, what: 'x' })).toBe(7)
  })
})
