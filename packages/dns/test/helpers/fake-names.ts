// A NameSource over a plain map, with the same matching rules as @weft/names (case-insensitive,
// registered case kept), and a switch to make it throw.
import type { NameSource } from '../../src/index.js'

export class FakeNames implements NameSource {
  private readonly byName = new Map<string, { name: string, addresses: string[] }>()
  broken = false
  lookups = 0

  add(name: string, ...addresses: string[]): this {
    const key = name.toLowerCase()
    const entry = this.byName.get(key) ?? { name, addresses: [] }
    entry.addresses.push(...addresses)
    this.byName.set(key, entry)
    return this
  }

  lookup(name: string): readonly string[] {
    this.lookups++
    if (this.broken) throw new Error('names broken')
    return this.byName.get(name.toLowerCase())?.addresses ?? []
  }

  reverse(address: string): readonly string[] {
    if (this.broken) throw new Error('names broken')
    return [...this.byName.values()].filter((e) => e.addresses.includes(address)).map((e) => e.name)
  }
}
