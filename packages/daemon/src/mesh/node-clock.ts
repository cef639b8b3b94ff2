import type { Clock } from '@weft/gossip'

/** The gossip `Clock` over Node's timers; timers never keep the process alive on their own. */
export const NODE_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}
