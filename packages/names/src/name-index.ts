// The live entries of every owner, indexed both ways for the DNS server's two questions: which
// addresses has a name, and which names has an address. Tombstones are never indexed, so an
// address reused by a new container never answers with the name of the one that died.

import type { NameEntry } from './name-entry.js'

export class NameIndex {
  private readonly byName = new Map<string, Set<NameEntry>>()
  private readonly byAddress = new Map<string, Set<NameEntry>>()

  /** Live entries indexed. */
  size = 0

  /** Indexes `e` if it is live. */
  add(e: NameEntry): void {
    if (e.tombstone) return
    this.size++
    addTo(this.byName, e.name.toLowerCase(), e)
    addTo(this.byAddress, e.address, e)
  }

  /** Forgets `e` (the very object added). */
  remove(e: NameEntry): void {
    if (e.tombstone) return
    this.size--
    removeFrom(this.byName, e.name.toLowerCase(), e)
    removeFrom(this.byAddress, e.address, e)
  }

  /** Distinct addresses of the lowercase `name`, sorted. */
  addresses(name: string): string[] {
    const set = this.byName.get(name)
    if (set === undefined) return []
    return [...new Set([...set].map((e) => e.address))].sort()
  }

  /**
   * Distinct names of the canonical `address`, sorted by lowercase form; of names that differ
   * only in case, the one of the lowest owner id.
   */
  names(address: string): string[] {
    const set = this.byAddress.get(address)
    if (set === undefined) return []
    const chosen = new Map<string, NameEntry>()
    for (const e of set) {
      const key = e.name.toLowerCase()
      const current = chosen.get(key)
      if (current === undefined || e.owner < current.owner) chosen.set(key, e)
    }
    return [...chosen.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, e]) => e.name)
  }
}

function addTo(map: Map<string, Set<NameEntry>>, key: string, e: NameEntry): void {
  let set = map.get(key)
  if (set === undefined) map.set(key, (set = new Set()))
  set.add(e)
}

function removeFrom(map: Map<string, Set<NameEntry>>, key: string, e: NameEntry): void {
  const set = map.get(key)
  if (set === undefined) return
  set.delete(e)
  if (set.size === 0) map.delete(key)
}
