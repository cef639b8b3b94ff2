import type { TargetInfo } from '@weft/api'
import { RETRY_INITIAL_MS, RETRY_MAX_MS } from '../constants.js'

interface TargetState {
  address: string
  attempts: number
  timer: NodeJS.Timeout | null
  nextAttemptAt: number | null
  lastError: string
  /** Peer reached through this target, while connected. */
  peerId: string | null
  dialling: boolean
}

/**
 * The addresses this router keeps connecting to, with jittered exponential backoff.
 * It only schedules; `dial` (injected) opens the connection and reports back through
 * `connected` and `failed`.
 */
export class TargetDialer {
  private readonly targets = new Map<string, TargetState>()
  private stopped = false

  constructor(
    private readonly dial: (address: string) => void,
    private readonly random: () => number = Math.random,
  ) {}

  add(address: string): void {
    if (this.targets.has(address)) return
    this.targets.set(address, { address, attempts: 0, timer: null, nextAttemptAt: null, lastError: '', peerId: null, dialling: false })
    this.schedule(address, 0)
  }

  remove(address: string): boolean {
    const t = this.targets.get(address)
    if (!t) return false
    if (t.timer) clearTimeout(t.timer)
    this.targets.delete(address)
    return true
  }

  has(address: string): boolean {
    return this.targets.has(address)
  }

  connected(address: string, peerId: string): void {
    const t = this.targets.get(address)
    if (!t) return
    t.attempts = 0
    t.lastError = ''
    t.peerId = peerId
    t.dialling = false
  }

  /** The dial or the connection failed: retry later with backoff. */
  failed(address: string, reason: string): void {
    const t = this.targets.get(address)
    if (!t) return
    t.dialling = false
    t.peerId = null
    t.lastError = reason
    t.attempts++
    const base = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** Math.min(t.attempts - 1, 20))
    this.schedule(address, base / 2 + this.random() * (base / 2))
  }

  /** A peer went away: retry every target that led to it. */
  peerLost(peerId: string, reason: string): void {
    for (const t of this.targets.values()) if (t.peerId === peerId) this.failed(t.address, reason)
  }

  list(): Array<Omit<TargetInfo, 'discovered'>> {
    return [...this.targets.values()].map((t) => ({
      address: t.address,
      state: t.peerId ? 'connected' : t.dialling ? 'connecting' : t.timer ? 'retrying' : 'idle',
      attempts: t.attempts,
      nextAttemptAt: t.nextAttemptAt,
      lastError: t.lastError,
    }))
  }

  stop(): void {
    this.stopped = true
    for (const t of this.targets.values()) if (t.timer) clearTimeout(t.timer)
  }

  private schedule(address: string, delayMs: number): void {
    const t = this.targets.get(address)
    if (!t || this.stopped) return
    if (t.timer) clearTimeout(t.timer)
    t.nextAttemptAt = Date.now() + delayMs
    t.timer = setTimeout(() => {
      t.timer = null
      t.nextAttemptAt = null
      if (!this.targets.has(address) || this.stopped) return
      t.dialling = true
      this.dial(address)
    }, delayMs)
    t.timer.unref()
  }
}
