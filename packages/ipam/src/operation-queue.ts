// Allocations and claims that cannot finish at once wait here. Each holds a timeout timer; `pump`
// (run by the allocator after every change) retries them all, and reports the space the waiting
// ones lack so the broker can ask for it. One operation per container and subnet at a time: a
// second call for the same key waits for the first and then runs (and finds its result).

import type { Clock } from '@weft/gossip'
import type { Allocation, Held } from './allocation-table.js'
import { IpamError, type IpamErrorCode } from './errors.js'
import type { SpaceNeed } from './space-broker.js'

/** What an attempt reports: finished, waiting, or waiting for space. */
export type Attempt = true | false | SpaceNeed

/** The steps an attempt may end with. */
export interface AttemptTools {
  /** Finishes with `held`, acknowledged once saved. */
  ack(held: Held): true
  /** Finishes with an error. */
  fail(code: IpamErrorCode, message: string): true
}

export interface QueueHost {
  readonly clock: Clock
  readonly timeoutMs: number
  /** Resolves once everything so far is saved. */
  flush(): Promise<void>
  /** Undoes an allocation whose save failed. */
  undo(held: Held): void
  /** Why an operation waiting in `[lo, hi)` is still waiting, for the timeout error. */
  why(lo: number, hi: number): string | null
  /** Runs the queue again (after a timeout). */
  wake(): void
}

interface PendingOp {
  readonly lo: number
  readonly hi: number
  attempt(): Attempt
  fail(err: IpamError): void
  timer: unknown
}

export class OperationQueue {
  private readonly ops = new Set<PendingOp>()
  private readonly inflight = new Map<string, Promise<Allocation>>()

  constructor(private readonly host: QueueHost) {}

  get size(): number {
    return this.ops.size
  }

  /** Queues an operation on `key` waiting in `[lo, hi)`; the caller runs `pump` next. */
  add(key: string, lo: number, hi: number, attempt: (tools: AttemptTools) => Attempt): Promise<Allocation> {
    const running = this.inflight.get(key)
    if (running !== undefined) {
      return running.catch(() => undefined).then(() => {
        const p = this.add(key, lo, hi, attempt)
        this.host.wake()
        return p
      })
    }
    const promise = new Promise<Allocation>((resolve, reject) => {
      const tools: AttemptTools = {
        ack: (held) => {
          this.host.flush().then(() => resolve(held.allocation), (err: unknown) => {
            this.host.undo(held)
            reject(err)
          })
          return true
        },
        fail: (code, message) => {
          reject(new IpamError(code, message))
          return true
        },
      }
      const op: PendingOp = { lo, hi, timer: null, attempt: () => attempt(tools), fail: reject }
      op.timer = this.host.clock.setTimeout(() => {
        if (!this.ops.delete(op)) return
        reject(new IpamError('ERR_TIMEOUT', `no address after ${this.host.timeoutMs} ms: ${this.host.why(lo, hi) ?? 'the space did not arrive'}`))
        this.host.wake()
      }, this.host.timeoutMs)
      this.ops.add(op)
    })
    this.inflight.set(key, promise)
    const done = (): void => {
      if (this.inflight.get(key) === promise) this.inflight.delete(key)
    }
    promise.then(done, done)
    return promise
  }

  /** Retries every operation once; returns whether any finished, and what the rest need. */
  runOnce(): { settled: boolean; needs: SpaceNeed[] } {
    const needs: SpaceNeed[] = []
    let settled = false
    for (const op of [...this.ops]) {
      const r = op.attempt()
      if (r === true) {
        this.ops.delete(op)
        this.host.clock.clearTimeout(op.timer)
        settled = true
      } else if (r !== false) {
        needs.push(r)
      }
    }
    return { settled, needs }
  }

  /** Rejects every waiting operation. */
  close(err: IpamError): void {
    for (const op of this.ops) {
      this.host.clock.clearTimeout(op.timer)
      op.fail(err)
    }
    this.ops.clear()
  }
}
