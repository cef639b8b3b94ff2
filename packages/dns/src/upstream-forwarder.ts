// Forwarding to the upstream resolvers: one query to all of them at once, the first good answer
// (NOERROR or NXDOMAIN) wins; if none comes in time, the first bad one (SERVFAIL, REFUSED, ...)
// if any, else nothing (the client gets SERVFAIL).
//
//   1. copy the client's query with a fresh random id (crypto, not the injected random: the id
//      and the fresh socket's port are all that stop an off-path forger)
//   2. send it to every upstream: over UDP from a new socket per family, or over TCP (a
//      connection per upstream) when the client asked over TCP
//   3. accept an answer only from an upstream's address and port, with our id, QR set, and the
//      same question (name compared case-insensitively); count the rest as ignored
//   4. settle once: close every socket, stop the timer, record the latency of a good answer

import dgram from 'node:dgram'
import { randomInt } from 'node:crypto'
import net from 'node:net'
import dnsPacket from 'dns-packet'
import type { DnsCounters } from './dns-stats.js'
import { RCODE } from './local-zone.js'
import { canonicalIp, type Upstream } from './resolv-conf.js'

/** The clock the forwarder times out on. */
export interface ForwarderClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The question an answer must repeat. */
export interface ForwardedQuestion {
  name: string
  type: string
  class: string
}

export class UpstreamForwarder {
  constructor(
    private readonly timeoutMs: number,
    private readonly clock: ForwarderClock,
    private readonly counters: DnsCounters,
  ) {}

  /**
   * Sends `query` to every upstream; resolves to the chosen answer (carrying the id we sent,
   * not the client's) or null. Never rejects.
   */
  forward(query: Buffer, question: ForwardedQuestion, upstreams: readonly Upstream[], tcp: boolean): Promise<Buffer | null> {
    this.counters.upstreamQueries++
    const id = randomInt(0, 0x10000)
    const out = Buffer.from(query)
    out.writeUInt16BE(id, 0)
    const started = this.clock.now()
    return new Promise((resolve) => {
      const closers: Array<() => void> = []
      let fallback: Buffer | null = null
      let bad = 0
      let settled = false
      const settle = (answer: Buffer | null, good: boolean): void => {
        if (settled) return
        settled = true
        this.clock.clearTimeout(timer)
        for (const close of closers) close()
        if (good) {
          this.counters.upstreamAnswers++
          this.counters.upstreamLatency(this.clock.now() - started)
        } else {
          this.counters.upstreamFailures++
        }
        resolve(answer)
      }
      const timer = this.clock.setTimeout(() => settle(fallback, false), this.timeoutMs)
      /** Returns false if the answer was ignored. */
      const onAnswer = (answer: Buffer, from: Upstream | undefined): boolean => {
        if (settled) return true
        if (from === undefined || !this.acceptable(answer, id, question)) {
          this.counters.upstreamIgnored++
          return false
        }
        const rcode = answer[3] & 0x0f
        if (rcode === RCODE.NOERROR || rcode === RCODE.NXDOMAIN) {
          settle(answer, true)
          return true
        }
        fallback ??= answer
        if (++bad === upstreams.length) settle(fallback, false)
        return true
      }
      const onFailure = (): void => {
        if (!settled && ++bad === upstreams.length) settle(fallback, false)
      }
      if (upstreams.length === 0) return settle(null, false)
      if (tcp) {
        for (const u of upstreams) closers.push(this.sendTcp(out, u, (answer) => { if (!onAnswer(answer, u)) onFailure() }, onFailure))
      } else {
        closers.push(...this.sendUdp(out, upstreams, onAnswer, onFailure))
      }
    })
  }

  private sendUdp(query: Buffer, upstreams: readonly Upstream[], onAnswer: (answer: Buffer, from: Upstream | undefined) => boolean, onFailure: () => void): Array<() => void> {
    const closers: Array<() => void> = []
    for (const family of [4, 6] as const) {
      const targets = upstreams.filter((u) => net.isIP(u.address) === family)
      if (targets.length === 0) continue
      const socket = dgram.createSocket(family === 4 ? 'udp4' : 'udp6')
      socket.on('error', () => { /* a failed send is reported to its callback */ })
      socket.on('message', (msg, rinfo) => {
        const from = canonicalIp(rinfo.address)
        onAnswer(msg, targets.find((u) => u.port === rinfo.port && u.address === from))
      })
      for (const u of targets) socket.send(query, u.port, u.address, (err) => { if (err) onFailure() })
      closers.push(() => { try { socket.close() } catch { /* closed already */ } })
    }
    return closers
  }

  private sendTcp(query: Buffer, u: Upstream, onAnswer: (answer: Buffer) => void, onFailure: () => void): () => void {
    const socket = net.connect({ host: u.address, port: u.port })
    let buffered = Buffer.alloc(0)
    let failed = false
    const fail = (): void => {
      if (failed) return
      failed = true
      socket.destroy()
      onFailure()
    }
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + query.length)
      frame.writeUInt16BE(query.length, 0)
      query.copy(frame, 2)
      socket.write(frame)
    })
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      if (buffered.length < 2) return
      const length = buffered.readUInt16BE(0)
      if (buffered.length < 2 + length) return
      failed = true // one answer per connection: whatever it is, this upstream is done
      socket.destroy()
      onAnswer(buffered.subarray(2, 2 + length))
    })
    socket.on('error', fail)
    socket.on('close', fail)
    return () => { failed = true; socket.destroy() }
  }

  /** Whether `answer` is a response to our query: our id, QR set, the same question. */
  private acceptable(answer: Buffer, id: number, question: ForwardedQuestion): boolean {
    if (answer.length < 12 || answer.readUInt16BE(0) !== id || (answer[2] & 0x80) === 0) return false
    try {
      const q = dnsPacket.decode(answer).questions?.[0]
      return q !== undefined && q.name.toLowerCase() === question.name.toLowerCase() &&
        q.type === question.type && (q.class ?? 'IN') === question.class
    } catch {
      return false
    }
  }
}

