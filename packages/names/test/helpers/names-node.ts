// A Names instance with a hand-turned clock and its published deltas kept, for unit tests.
import { createNames, encodeNames, type Names, type NamesInit, type NamesState } from '../../src/index.js'

export interface NamesNode {
  names: Names
  published: NamesState[]
  clock: { time: number, now(): number }
}

export function namesNode(selfId: string, init: Partial<NamesInit> = {}): NamesNode {
  const clock = { time: 0, now() { return this.time } }
  const published: NamesState[] = []
  const names = createNames({ selfId, ...init }, { clock, publish: (d) => published.push(d) })
  return { names, published, clock }
}

/** Canonical bytes of a state, as hex, for equality checks. */
export function bytesOf(state: NamesState): string {
  return Buffer.from(encodeNames(state)).toString('hex')
}

/** Passes every delta `from` published since `since` to `to` (through the codec). */
export function deliver(from: NamesNode, to: NamesNode, fromId: string, since = 0): number {
  const pending = from.published.slice(since)
  for (const d of pending) to.names.merge(to.names.decode(from.names.encode(d)), fromId)
  return from.published.length
}
