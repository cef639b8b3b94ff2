import { MAX_CAPTURED_OUTPUT_BYTES } from './constants.js'

/** Accumulates a process's output stream, keeping at most `limit` bytes (the tail). */
export class OutputBuffer {
  private chunks: Buffer[] = []
  private size = 0
  private cached: string | undefined = ''

  constructor (private readonly limit: number = MAX_CAPTURED_OUTPUT_BYTES) {}

  push (chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    this.cached = undefined
    if (this.size > this.limit * 2) this.compact()
  }

  toString (): string {
    if (this.cached === undefined) {
      this.compact()
      this.cached = this.chunks.length === 0 ? '' : this.chunks[0].toString('utf8')
    }
    return this.cached
  }

  private compact (): void {
    let all = Buffer.concat(this.chunks)
    if (all.length > this.limit) all = all.subarray(all.length - this.limit)
    this.chunks = all.length === 0 ? [] : [all]
    this.size = all.length
  }
}

/** The last `bytes` characters of `text`, marked when cut. */
export function tail (text: string, bytes: number): string {
  return text.length <= bytes ? text : `...${text.slice(text.length - bytes)}`
}
