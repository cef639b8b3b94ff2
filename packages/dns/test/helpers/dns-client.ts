// A DNS client for tests, over UDP or TCP on loopback, built on dns-packet. Every query has a
// deadline (a test failing by timing out here fails loudly rather than hanging).
import dgram from 'node:dgram'
import net from 'node:net'
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet'

export const DEADLINE_MS = 5_000

export interface QueryOptions {
  id?: number
  /** EDNS UDP payload size: adds an OPT record. */
  edns?: number
  flags?: number
}

export function queryPacket(q: Question, options: QueryOptions = {}): Packet {
  const additionals: Answer[] = options.edns === undefined ? [] : [{
    name: '.', type: 'OPT', udpPayloadSize: options.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [],
  }]
  return { type: 'query', id: options.id ?? 4242, flags: options.flags ?? dnsPacket.RECURSION_DESIRED, questions: [q], additionals }
}

/** Sends raw bytes over UDP; resolves to the raw answer, or null after `waitMs`. */
export function udpExchange(port: number, bytes: Buffer, waitMs = DEADLINE_MS): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4')
    const timer = setTimeout(() => { socket.close(); resolve(null) }, waitMs)
    socket.on('message', (msg) => { clearTimeout(timer); socket.close(); resolve(msg) })
    socket.send(bytes, port, '127.0.0.1')
  })
}

/** Sends raw frames over one TCP connection; resolves to the raw answers, in arrival order, once `expect` came or after `waitMs`. */
export function tcpExchange(port: number, frames: Buffer[], expect = frames.length, waitMs = DEADLINE_MS): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const answers: Buffer[] = []
    let buffered = Buffer.alloc(0)
    const socket = net.connect({ host: '127.0.0.1', port })
    const done = (): void => { clearTimeout(timer); socket.destroy(); resolve(answers) }
    const timer = setTimeout(done, waitMs)
    socket.on('error', done)
    socket.on('close', done)
    socket.on('connect', () => {
      for (const f of frames) {
        const out = Buffer.alloc(2 + f.length)
        out.writeUInt16BE(f.length, 0)
        f.copy(out, 2)
        socket.write(out)
      }
      if (expect === 0) done()
    })
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        answers.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)))
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0))
      }
      if (answers.length >= expect) done()
    })
  })
}

export async function queryUdp(port: number, q: Question, options: QueryOptions = {}): Promise<DecodedPacket> {
  const answer = await udpExchange(port, dnsPacket.encode(queryPacket(q, options)))
  if (answer === null) throw new Error(`no UDP answer to ${q.name} ${q.type} within ${DEADLINE_MS} ms`)
  return dnsPacket.decode(answer)
}

export async function queryTcp(port: number, q: Question, options: QueryOptions = {}): Promise<DecodedPacket> {
  const [answer] = await tcpExchange(port, [dnsPacket.encode(queryPacket(q, options))])
  if (answer === undefined) throw new Error(`no TCP answer to ${q.name} ${q.type} within ${DEADLINE_MS} ms`)
  return dnsPacket.decode(answer)
}

/** The response code of a decoded packet (dns-packet decodes it; its types do not say so). */
export function rcodeOf(p: DecodedPacket): string {
  return (p as DecodedPacket & { rcode: string }).rcode
}

/** The data of the answers of one type, sorted. */
export function dataOf(p: DecodedPacket, type = 'A'): string[] {
  return (p.answers ?? []).filter((a) => a.type === type).map((a) => String((a as { data: unknown }).data)).sort()
}
