import { NetsimError } from './errors.js'

/**
 * Seeded pseudo-random numbers: sfc32 (Chris Doty-Humphrey's small fast counting generator),
 * keyed through a murmur3 finaliser. Not for cryptography.
 *
 * `fork(label)` derives a sub-stream from this generator's key and the label only, never from
 * how far it has been consumed: consumers that each own a fork cannot perturb one another, and
 * adding a new consumer (a new fork) leaves every existing stream unchanged.
 */
export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number

  /** @internal Use `createPrng`. */
  constructor(
    private readonly key: readonly [number, number, number, number],
    /** Where this stream came from: `seed:N` then `/label` per fork. */
    readonly label: string,
  ) {
    ;[this.a, this.b, this.c, this.d] = key
    for (let i = 0; i < 12; i++) this.uint32()
  }

  /** A uniform integer in [0, 2^32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.uint32() / 4_294_967_296
  }

  /** A uniform integer in [min, maxInclusive]; the span may be at most 2^32. */
  int(min: number, maxInclusive: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(maxInclusive) || maxInclusive < min) {
      throw new NetsimError('ERR_INVALID_ARGUMENT', `int needs integers min <= max, got ${min}, ${maxInclusive}`)
    }
    const span = maxInclusive - min + 1
    if (span > 4_294_967_296) throw new NetsimError('ERR_INVALID_ARGUMENT', `int span ${span} is over 2^32`)
    return min + Math.floor(this.next() * span)
  }

  /** True with probability `p` (draws nothing when p <= 0 or p >= 1). */
  chance(p: number): boolean {
    if (p <= 0) return false
    if (p >= 1) return true
    return this.next() < p
  }

  /** A uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new NetsimError('ERR_INVALID_ARGUMENT', 'pick needs a non-empty array')
    return items[this.int(0, items.length - 1)]
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i)
      ;[items[i], items[j]] = [items[j], items[i]]
    }
    return items
  }

  /** An independent generator for `label`; the same label always gives the same stream. */
  fork(label: string): Prng {
    const h = fnv1a32(label)
    const k = this.key
    const next: [number, number, number, number] = [0, 0, 0, 0]
    for (let i = 0; i < 4; i++) {
      next[i] = fmix32((k[i] ^ fmix32((h + Math.imul(i + 1, 0x9e3779b9)) >>> 0) ^ rotl(k[(i + 1) & 3], 7)) >>> 0)
    }
    return new Prng(next, `${this.label}/${label}`)
  }
}

/** A generator for `seed` (any finite number; the same seed gives the same stream). */
export function createPrng(seed: number): Prng {
  if (!Number.isFinite(seed)) throw new NetsimError('ERR_INVALID_ARGUMENT', `seed must be a finite number, got ${seed}`)
  const lo = seed >>> 0
  const hi = Math.floor(seed / 4_294_967_296) >>> 0
  const frac = fnv1a32(String(seed % 1))
  const k0 = fmix32((lo ^ 0x9e3779b9) >>> 0)
  const k1 = fmix32((hi ^ 0x85ebca6b) >>> 0)
  const k2 = fmix32((k0 ^ rotl(k1, 13) ^ frac ^ 0x243f6a88) >>> 0)
  const k3 = fmix32((k1 ^ rotl(k0, 17) ^ 0xb7e15162) >>> 0)
  return new Prng([k0, k1, k2, k3], `seed:${seed}`)
}

/** FNV-1a over the UTF-16 code units of `s`. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function fmix32(x: number): number {
  let h = x
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0
}
