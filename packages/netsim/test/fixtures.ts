import type { Endpoint, SimHost, SimListener, SimStream, SimUdpBind } from '../src/index.js'

export interface Received {
  readonly text: string
  readonly from: string
}

/** Records what a bind receives as `text` and `from` (`address:port`). */
export function inbox(bind: SimUdpBind): Received[] {
  const got: Received[] = []
  bind.onDatagram((data, from) => got.push({ text: data.toString(), from: `${from.address}:${from.port}` }))
  return got
}

export function sendText(bind: SimUdpBind, text: string, to: Endpoint): void {
  const b = Buffer.from(text)
  bind.send(b, 0, b.length, to)
}

/** Everything a stream end sees, in order. */
export interface StreamLog {
  data: string
  events: string[]
}

export function watch(stream: SimStream): StreamLog {
  const log: StreamLog = { data: '', events: [] }
  stream.on('connect', () => log.events.push('connect'))
  stream.on('data', (d) => { log.data += d.toString() })
  stream.on('close', (reason) => log.events.push(`close:${reason}`))
  return log
}

/** Accepts streams on `port`, logging each accepted end. */
export function accept(host: SimHost, port: number): { ends: SimStream[]; logs: StreamLog[]; listener: SimListener } {
  const ends: SimStream[] = []
  const logs: StreamLog[] = []
  const listener = host.listen(port, (s) => {
    ends.push(s)
    logs.push(watch(s))
  })
  return { ends, logs, listener }
}

export const ep = (address: string, port: number): Endpoint => ({ address, port })
