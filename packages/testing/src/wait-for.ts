import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_WAIT_INTERVAL_MS } from './constants.js'
import { LabError } from './errors.js'

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Give up after this long. */
  timeoutMs: number
  /** Pause between probes (default 50 ms). */
  intervalMs?: number
  /** What is awaited, for the error message ("h2 to answer ping"). */
  what: string
}

/**
 * Calls `probe` until it returns something other than `undefined`/`false` and resolves with
 * that. A probe that throws counts as "not yet". On timeout, rejects with ERR_LAB_WAIT_TIMEOUT
 * naming `what` and the last probe error.
 */
export async function waitFor<T> (probe: () => Promise<T | undefined | false>, opts: WaitForOptions): Promise<T> {
  const interval = opts.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS
  const deadline = Date.now() + opts.timeoutMs
  let lastError: unknown
  let probes = 0
  for (;;) {
    probes++
    try {
      const v = await probe()
      if (v !== undefined && v !== false) return v
    } catch (e) {
      lastError = e
    }
    if (Date.now() >= deadline) break
    await sleep(Math.max(0, Math.min(interval, deadline - Date.now())))
  }
  const last = lastError === undefined
    ? ''
    : `; last probe error: ${lastError instanceof Error ? lastError.message : String(lastError)}`
  throw new LabError('ERR_LAB_WAIT_TIMEOUT', `gave up waiting for ${opts.what} after ${opts.timeoutMs} ms (${probes} probes)${last}`, { cause: lastError })
}
