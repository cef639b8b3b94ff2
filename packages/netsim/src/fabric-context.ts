import type { Intercept } from './intercept.js'
import type { Prng } from './prng.js'
import type { MutableCounters } from './sim-counters.js'
import type { Topology } from './topology.js'
import type { TraceLog } from './trace-log.js'
import type { VirtualClock } from './virtual-clock.js'

/** What the datagram and stream engines share with their network. @internal */
export interface FabricContext {
  readonly clock: VirtualClock
  readonly topology: Topology
  readonly counters: MutableCounters
  readonly log: TraceLog
  /** The network's root stream; engines only ever use forks of it. */
  readonly prng: Prng
  readonly intercept: () => Intercept | undefined
}

/** Rounds a delay to whole microseconds so traces stay readable. @internal */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
