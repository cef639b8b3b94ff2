// This router's own name entries, kept in the store (one meta record) so a restart registers
// them again before it gossips. Saves are coalesced: at most one write in flight, the newest
// list written last. Reading is lenient: anything malformed is skipped and logged.

import type { NameEntry } from '@weft/names'
import type { Store } from '@weft/store'
import type { Logger } from 'pino'

/** One stored entry. */
export interface StoredEntry {
  name: string
  address: string
  containerId: string
}

export class OwnEntries {
  private pending: StoredEntry[] | null = null
  private writing: Promise<void> = Promise.resolve()
  private busy = false

  constructor(private readonly store: Store, private readonly key: string, private readonly logger: Logger) {}

  /** The stored entries, at most `max`; malformed ones are skipped. */
  load(max: number): StoredEntry[] {
    const value = this.store.getMeta(this.key)
    if (value === undefined) return []
    if (!Array.isArray(value)) {
      this.logger.warn({ key: this.key }, 'stored dns entries are not a list: ignored')
      return []
    }
    const out: StoredEntry[] = []
    for (const item of value.slice(0, max)) {
      const r = item as Record<string, unknown> | null
      if (r !== null && typeof r === 'object' && typeof r.n === 'string' && typeof r.a === 'string' && typeof r.c === 'string') {
        out.push({ name: r.n, address: r.a, containerId: r.c })
      } else {
        this.logger.warn({ key: this.key }, 'skipped a malformed stored dns entry')
      }
    }
    return out
  }

  /** Schedules writing `entries` (the whole own list). */
  save(entries: readonly NameEntry[]): void {
    this.pending = entries.map((e) => ({ name: e.name, address: e.address, containerId: e.containerId }))
    if (this.busy) return
    this.busy = true
    this.writing = this.drain()
  }

  /** Resolves once every scheduled write is done. */
  async flush(): Promise<void> {
    await this.writing
  }

  private async drain(): Promise<void> {
    while (this.pending !== null) {
      const list = this.pending
      this.pending = null
      try {
        await this.store.putMeta(this.key, list.map((e) => ({ n: e.name, a: e.address, c: e.containerId })))
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, 'cannot store the dns entries of this router')
      }
    }
    this.busy = false
  }
}
