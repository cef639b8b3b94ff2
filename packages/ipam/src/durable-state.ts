// Two copies of the channel state, so that peers only ever see what is saved:
//
//   working   everything: what peers sent, and every local write at once (allocations,
//             donations, promises); the allocator decides on it
//   durable   what peers sent, and local writes whose snapshot has been saved; `full()` and the
//             published deltas come from it
//
// Both are joins of the same inputs and durable <= working always. Saves are serialized: a local
// write starts a save at once if none is running, else the next save (after the running one)
// takes it along with everything written meanwhile (group commit). When a save resolves, the
// local writes it covered join `durable` and go to the engine (`publish`). A failed save rejects
// its waiters (the allocator undoes their operations) and is retried after STORE_RETRY_MS.

import type { Clock } from '@weft/gossip'
import { STORE_RETRY_MS } from './constants.js'
import { IpamError } from './errors.js'
import { EMPTY_IPAM_STATE, isEmptyIpam, joinIpam, type IpamJoin, type IpamState } from './ipam-state.js'
import type { IpamSnapshot, IpamStore } from './ipam-store.js'

export interface DurableStateComponents {
  store: IpamStore
  clock: Clock
  /** Hands a saved local change to the gossip engine. */
  publish(delta: IpamState): void
  /** The snapshot of `working` and everything else the allocator persists. */
  snapshot(working: IpamState): IpamSnapshot
  /** Told about a failed save (for logs and counters). */
  saveFailed(err: unknown): void
}

interface Waiter {
  readonly generation: number
  resolve(): void
  reject(err: IpamError): void
}

export class DurableState {
  private workingState: IpamState
  private durableState: IpamState
  /** Local writes not yet covered by a completed save. */
  private pendingLocal: IpamState = EMPTY_IPAM_STATE
  private generation = 0
  private savedGeneration = 0
  private saving = false
  private retryTimer: unknown = null
  private closed = false
  private readonly waiters: Waiter[] = []

  constructor(initial: IpamState, private readonly c: DurableStateComponents) {
    this.workingState = initial
    this.durableState = initial
  }

  get working(): IpamState {
    return this.workingState
  }

  get durable(): IpamState {
    return this.durableState
  }

  /** Applies a local write now; it is saved, then published. */
  local(delta: IpamState): IpamJoin {
    const j = joinIpam(this.workingState, delta)
    this.workingState = j.state
    this.pendingLocal = joinIpam(this.pendingLocal, delta).state
    this.touch()
    return j
  }

  /**
   * Applies what a peer sent to both copies. Returns the working join (what changed for the
   * allocator) and what was new to `durable` (what the engine relays).
   */
  remote(incoming: IpamState): { join: IpamJoin; relay: IpamState | null } {
    const join = joinIpam(this.workingState, incoming)
    const d = joinIpam(this.durableState, incoming)
    this.workingState = join.state
    this.durableState = d.state
    return { join, relay: d.delta }
  }

  /** Something the snapshot holds changed (the allocator's table, or `working`): save it. */
  touch(): void {
    this.generation++
    this.run()
  }

  /** Resolves once everything changed so far is saved (and its ring changes published). */
  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new IpamError('ERR_CLOSED', 'the allocator is closed'))
    const generation = this.generation
    if (this.savedGeneration >= generation) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.waiters.push({ generation, resolve, reject })
      this.run()
    })
  }

  /** Whether a save is running or due. */
  busy(): boolean {
    return this.saving || this.savedGeneration < this.generation
  }

  close(): void {
    this.closed = true
    if (this.retryTimer !== null) this.c.clock.clearTimeout(this.retryTimer)
    this.retryTimer = null
    for (const w of this.waiters.splice(0)) w.reject(new IpamError('ERR_CLOSED', 'the allocator closed before the change was saved'))
  }

  private run(): void {
    if (this.saving || this.closed || this.retryTimer !== null || this.savedGeneration >= this.generation) return
    const generation = this.generation
    const covered = this.pendingLocal
    this.pendingLocal = EMPTY_IPAM_STATE
    this.saving = true
    let saved: Promise<void>
    try {
      saved = Promise.resolve(this.c.store.save(this.c.snapshot(this.workingState)))
    } catch (err) {
      saved = Promise.reject(err)
    }
    saved.then(() => this.saved(generation, covered), (err: unknown) => this.failed(generation, covered, err))
  }

  private saved(generation: number, covered: IpamState): void {
    this.saving = false
    if (this.closed) return
    this.savedGeneration = Math.max(this.savedGeneration, generation)
    const j = joinIpam(this.durableState, covered)
    this.durableState = j.state
    if (j.delta !== null && !isEmptyIpam(j.delta)) this.c.publish(j.delta)
    this.settle(generation, null)
    this.run()
  }

  private failed(generation: number, covered: IpamState, err: unknown): void {
    this.saving = false
    if (this.closed) return
    this.pendingLocal = joinIpam(covered, this.pendingLocal).state
    this.c.saveFailed(err)
    const message = err instanceof Error ? err.message : String(err)
    this.settle(generation, new IpamError('ERR_STORE', `saving the IPAM state failed (${message.slice(0, 120)}); the operation was undone: check the store and retry`))
    this.retryTimer = this.c.clock.setTimeout(() => {
      this.retryTimer = null
      this.run()
    }, STORE_RETRY_MS)
  }

  private settle(generation: number, err: IpamError | null): void {
    const done = this.waiters.filter((w) => w.generation <= generation)
    if (done.length === 0) return
    const rest = this.waiters.filter((w) => w.generation > generation)
    this.waiters.length = 0
    this.waiters.push(...rest)
    for (const w of done) {
      if (err === null) w.resolve()
      else w.reject(err)
    }
  }
}
