
/**
 * The event log behind `SimNetwork.trace`: one compact line per event, `<ms> <event> <facts>`,
 * times rounded to the microsecond.
 * Same seed and same program give the same lines, byte for byte; payloads appear as a length and
 * an FNV-1a digest so a changed byte changes the trace.
 * @internal
 */
export class TraceLog {
  enabled = false
  private readonly lines: string[] = []

  constructor(private readonly now: () => number) {}

  record(event: string): void {
    if (this.enabled) this.lines.push(`${Math.round(this.now() * 1000) / 1000} ${event}`)
  }

  snapshot(): readonly string[] {
    return Object.freeze(this.lines.slice())
  }
}

/** `n=<length> #<fnv1a hex>` of a payload. */
export function describePayload(data: Uint8Array): string {
  let h = 0x811c9dc5
  for (let i = 0; i < data.length; i++) {
    h ^= data[i]
    h = Math.imul(h, 0x01000193)
  }
  return `n=${data.length} #${(h >>> 0).toString(16).padStart(8, '0')}`
}

