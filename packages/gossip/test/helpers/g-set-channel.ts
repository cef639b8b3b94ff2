// A grow-only set of strings: the smallest CRDT, to test the engine with something it does not know.
import type { GossipChannel } from '../../src/index.js'

export class GSetChannel implements GossipChannel<ReadonlySet<string>> {
  readonly items = new Set<string>()
  readonly combine?: (a: ReadonlySet<string>, b: ReadonlySet<string>) => ReadonlySet<string>
  merges = 0

  constructor(readonly name: string, options: { combine?: boolean } = {}) {
    if (options.combine !== false) this.combine = (a, b) => new Set([...a, ...b])
  }

  encode(data: ReadonlySet<string>): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...data].sort()))
  }

  decode(bytes: Uint8Array): ReadonlySet<string> {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) throw new Error('not a list of strings')
    return new Set(value as string[])
  }

  full(): ReadonlySet<string> {
    return new Set(this.items)
  }

  merge(incoming: ReadonlySet<string>): ReadonlySet<string> | null {
    this.merges++
    const fresh = new Set<string>()
    for (const x of incoming) {
      if (!this.items.has(x)) {
        this.items.add(x)
        fresh.add(x)
      }
    }
    return fresh.size > 0 ? fresh : null
  }

  /** A local change: returns the delta to publish. */
  add(...xs: string[]): ReadonlySet<string> {
    for (const x of xs) this.items.add(x)
    return new Set(xs)
  }
}

/** Decodes what the engine sent, for assertions. */
export function setOf(bytes: Uint8Array): string[] {
  return JSON.parse(new TextDecoder().decode(bytes)) as string[]
}
