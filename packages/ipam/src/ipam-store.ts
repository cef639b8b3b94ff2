// Persistence seam. The allocator hands the store a snapshot after every change it must not
// lose (an allocation, a release, a donation given or received, a consensus promise, a takeover)
// and acknowledges the operation only when `save` resolves; it publishes its own ring changes to
// peers only after that too, so a `kill -9` at any moment loses nothing anyone was told. The
// router backs it with LMDB, one record per ring entry and per allocation, writing only what
// changed since the last save (daemon `lmdb-ipam-store.ts`); `MemoryIpamStore` is the test
// double, with a switch that holds saves back to play a crash before the acknowledgement.

import { IpamError } from './errors.js'
import type { IpamState } from './ipam-state.js'

/** One container's address, as persisted. */
export interface SnapshotAllocation {
  readonly containerId: string
  /** `a.b.c.d` */
  readonly address: string
  /** The subnet it was allocated in, `a.b.c.d/len`. */
  readonly subnet: string
}

/** Everything one peer's IPAM must find again after a restart. */
export interface IpamSnapshot {
  /** The peer that saved it. */
  readonly selfId: string
  /** The allocation range then, `a.b.c.d/len`. */
  readonly range: string
  /** The full `ipam` channel state (`encodeIpam` bytes): ring, consensus records, requests. */
  readonly state: Uint8Array
  /**
   * The same state, decoded and immutable, in snapshots the allocator saves (never in loaded
   * ones): a store that writes per entry compares it with what it saved last (by identity first).
   */
  readonly working?: IpamState
  /**
   * In the snapshots the allocator saves: the allocations put (or removed: null) since the
   * previous snapshot it made, by address, whether that one's save succeeded or not.
   */
  readonly allocationChanges?: ReadonlyMap<string, SnapshotAllocation | null>
  /** This peer's allocations. */
  readonly allocations: readonly SnapshotAllocation[]
}

/** Where the allocator keeps its snapshot. */
export interface IpamStore {
  /** The last snapshot saved, or undefined on a first start. Called once, at construction. */
  load(): IpamSnapshot | undefined
  /** Replaces the snapshot durably; resolves once it would survive a crash. */
  save(snapshot: IpamSnapshot): Promise<void>
}

/** An in-memory `IpamStore` for tests and benchmarks. */
export class MemoryIpamStore implements IpamStore {
  /** The last snapshot whose save resolved (what a restart would load). */
  saved: IpamSnapshot | undefined
  /** Saves that resolved. */
  saves = 0
  /** When set, every save rejects with this message. */
  failWith: string | null = null
  private holding = false
  private readonly held: Array<{ snapshot: IpamSnapshot; resolve: () => void }> = []

  constructor(initial?: IpamSnapshot) {
    this.saved = initial
  }

  load(): IpamSnapshot | undefined {
    return this.saved
  }

  save(snapshot: IpamSnapshot): Promise<void> {
    if (this.failWith !== null) return Promise.reject(new IpamError('ERR_STORE', this.failWith))
    if (this.holding) return new Promise((resolve) => this.held.push({ snapshot, resolve }))
    this.saved = snapshot
    this.saves++
    return Promise.resolve()
  }

  /** Holds every save from now on until `release()`: a crash now loses them. */
  hold(): void {
    this.holding = true
  }

  /** Completes the held saves in order and stops holding. */
  release(): void {
    this.holding = false
    for (const h of this.held.splice(0)) {
      this.saved = h.snapshot
      this.saves++
      h.resolve()
    }
  }

  /** Saves waiting in `hold()`. */
  get pending(): number {
    return this.held.length
  }
}

/** Creates an in-memory store, optionally holding `initial` as if saved before. */
export function createMemoryIpamStore(initial?: IpamSnapshot): MemoryIpamStore {
  return new MemoryIpamStore(initial)
}
