import { REJECT_AFTER_MESSAGES, REPLAY_WINDOW_COUNTERS } from './constants.js'

// A sliding replay window over 64-bit packet counters, as in WireGuard (RFC 6479 style): a ring
// of 32-bit blocks holding one bit per counter, cleared block by block as the window advances.
//
//   accepted:  counter > highest                               (window moves forward)
//          or  highest - counter < 2048 and its bit is not set  (late, not yet seen)
//   rejected:  anything else, and every counter >= 2^64 - 2^13
//
// The ring has 128 blocks (4096 bits), more than 2048 + 32, so a counter inside the window never
// shares a block with one being cleared. Counters are bigint on the API; below 2^53 (years of
// traffic at line rate, far past any rekey) the window works on plain numbers, which avoids
// allocating a BigInt per packet. A window that has seen a counter >= 2^53 switches to exact
// bigint arithmetic for good. check/accept never throw and allocate nothing on the number path.

const BLOCK_BITS = 32
const RING_BLOCKS = 128
const RING_MASK = RING_BLOCKS - 1
const SAFE_LIMIT = 2n ** 53n
const WINDOW = REPLAY_WINDOW_COUNTERS
const WINDOW_BIG = BigInt(REPLAY_WINDOW_COUNTERS)
const BLOCK_BITS_BIG = BigInt(BLOCK_BITS)

export class ReplayWindow {
  readonly #ring = new Uint32Array(RING_BLOCKS)
  /** Highest accepted counter while it is below 2^53 (0 before any). */
  #last = 0
  /** Highest accepted counter once it reached 2^53; null before. */
  #lastBig: bigint | null = null

  /** True when `accept(counter)` would accept it; changes nothing. */
  check(counter: bigint): boolean {
    if (typeof counter !== 'bigint' || counter < 0n || counter >= REJECT_AFTER_MESSAGES) return false
    if (this.#lastBig === null && counter < SAFE_LIMIT) return this.#checkNumber(Number(counter))
    return this.#checkBig(counter)
  }

  /** Accepts and records `counter`; false for a replay, a too-old or an out-of-range counter. */
  accept(counter: bigint): boolean {
    if (typeof counter !== 'bigint' || counter < 0n || counter >= REJECT_AFTER_MESSAGES) return false
    if (this.#lastBig === null && counter < SAFE_LIMIT) return this.#acceptNumber(Number(counter))
    return this.#acceptBig(counter)
  }

  /** Forgets every counter (for a new session key). */
  reset(): void {
    this.#ring.fill(0)
    this.#last = 0
    this.#lastBig = null
  }

  #checkNumber(counter: number): boolean {
    if (counter > this.#last) return true
    if (this.#last - counter >= WINDOW) return false
    return (this.#ring[blockOf(counter)] & bitOf(counter)) === 0
  }

  #acceptNumber(counter: number): boolean {
    if (counter > this.#last) {
      this.#clearBlocks(Math.floor(this.#last / BLOCK_BITS), Math.floor(counter / BLOCK_BITS))
      this.#last = counter
    } else if (this.#last - counter >= WINDOW) {
      return false
    }
    return this.#mark(blockOf(counter), bitOf(counter))
  }

  #checkBig(counter: bigint): boolean {
    const last = this.#lastBig ?? BigInt(this.#last)
    if (counter > last) return true
    if (last - counter >= WINDOW_BIG) return false
    return (this.#ring[blockOfBig(counter)] & bitOfBig(counter)) === 0
  }

  #acceptBig(counter: bigint): boolean {
    const last = this.#lastBig ?? BigInt(this.#last)
    if (counter > last) {
      const blocks = counter / BLOCK_BITS_BIG - last / BLOCK_BITS_BIG
      const from = Number((last / BLOCK_BITS_BIG) & BigInt(RING_MASK))
      this.#clearBlocks(from, from + (blocks > BigInt(RING_BLOCKS) ? RING_BLOCKS : Number(blocks)))
      this.#lastBig = counter
    } else if (last - counter >= WINDOW_BIG) {
      return false
    }
    return this.#mark(blockOfBig(counter), bitOfBig(counter))
  }

  /** Zeroes the ring blocks after block `from` up to and including block `to` (absolute numbers). */
  #clearBlocks(from: number, to: number): void {
    const count = Math.min(to - from, RING_BLOCKS)
    for (let i = 1; i <= count; i++) this.#ring[(from + i) & RING_MASK] = 0
  }

  #mark(block: number, bit: number): boolean {
    const old = this.#ring[block]
    if ((old & bit) !== 0) return false
    this.#ring[block] = old | bit
    return true
  }
}

/** Ring block of a counter below 2^53 (`& RING_MASK` keeps the low bits of the exact integer). */
function blockOf(counter: number): number {
  return Math.floor(counter / BLOCK_BITS) & RING_MASK
}

function bitOf(counter: number): number {
  return 1 << (counter % BLOCK_BITS)
}

function blockOfBig(counter: bigint): number {
  return Number((counter / BLOCK_BITS_BIG) & BigInt(RING_MASK))
}

function bitOfBig(counter: bigint): number {
  return 1 << Number(counter % BLOCK_BITS_BIG)
}
