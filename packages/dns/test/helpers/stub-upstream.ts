// A stub upstream resolver for tests, on 127.0.0.1 at a random port, UDP and TCP: it answers
// from a table of records, or as `behaviour` says (an error code, silence, a delay), and counts
// what it was asked. Nothing ever leaves loopback.
import dgram from 'node:dgram'
import net from 'node:net'
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet'

export interface StubBehaviour {
  /** Answer with this rcode and no records (e.g. 'SERVFAIL', 'REFUSED'). */
  rcode?: 'SERVFAIL' | 'REFUSED'
  /** Never answer. */
  silent?: boolean
  /** Answer this much later, in milliseconds. */
  delayMs?: number
  /** Answer UDP queries with TC set and no records. */
  truncateUdp?: boolean
  /** Answer with this id instead of the query's (a forged answer). */
  wrongId?: boolean
}

export class StubUpstream {
  readonly records = new Map<string, Answer[]>()
  behaviour: StubBehaviour = {}
  readonly asked: Array<{ name: string, type: string, transport: 'udp' | 'tcp' }> = []
  port = 0
  private udp = dgram.createSocket('udp4')
  private tcp = net.createServer()
  private readonly sockets = new Set<net.Socket>()

  /** Adds records answering `name` (lowercase) `type`. */
  add(name: string, type: string, ...answers: Answer[]): this {
    this.records.set(`${name.toLowerCase()} ${type}`, answers)
    return this
  }

  async start(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => { this.udp.once('error', reject); this.udp.bind(0, '127.0.0.1', () => resolve()) })
        this.port = this.udp.address().port
        await new Promise<void>((resolve, reject) => { this.tcp.once('error', reject); this.tcp.listen(this.port, '127.0.0.1', () => resolve()) })
        break
      } catch (err) {
        if (attempt > 10) throw err
        this.udp.close()
        this.udp = dgram.createSocket('udp4')
        this.tcp = net.createServer()
      }
    }
    this.udp.on('message', (msg, rinfo) => this.answer(msg, 'udp', (out) => this.udp.send(out, rinfo.port, rinfo.address)))
    this.tcp.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
      socket.on('error', () => socket.destroy())
      let buffered = Buffer.alloc(0)
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk])
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const frame = buffered.subarray(2, 2 + buffered.readUInt16BE(0))
          buffered = buffered.subarray(2 + frame.length)
          this.answer(Buffer.from(frame), 'tcp', (out) => {
            const framed = Buffer.alloc(out.length + 2)
            framed.writeUInt16BE(out.length, 0)
            out.copy(framed, 2)
            if (!socket.destroyed) socket.write(framed)
          })
        }
      })
    })
    return this.port
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
    ])
  }

  private answer(msg: Buffer, transport: 'udp' | 'tcp', send: (out: Buffer) => void): void {
    let query: DecodedPacket
    try {
      query = dnsPacket.decode(msg)
    } catch {
      return
    }
    const q = query.questions![0]
    this.asked.push({ name: q.name, type: q.type, transport })
    const b = this.behaviour
    if (b.silent) return
    const records = this.records.get(`${q.name.toLowerCase()} ${q.type}`)
    const known = [...this.records.keys()].some((k) => k.startsWith(`${q.name.toLowerCase()} `))
    const rcode = b.rcode ?? (known ? 'NOERROR' : 'NXDOMAIN')
    const flags = dnsPacket.RECURSION_AVAILABLE | (query.flags! & dnsPacket.RECURSION_DESIRED) |
      (b.truncateUdp && transport === 'udp' ? dnsPacket.TRUNCATED_RESPONSE : 0) |
      ({ NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const)[rcode]
    const answers = b.rcode !== undefined || (b.truncateUdp && transport === 'udp') ? [] : (records ?? []).map((r) => ({ ...r, name: q.name }))
    const authorities: Answer[] = answers.length === 0 && b.rcode === undefined
      ? [{ name: 'example.test', type: 'SOA', ttl: 60, data: { mname: 'ns.example.test', rname: 'host.example.test', serial: 1, minimum: 30 } }]
      : []
    const out = dnsPacket.encode({ id: b.wrongId ? (query.id! + 1) & 0xffff : query.id, type: 'response', flags, questions: query.questions, answers, authorities })
    if (b.delayMs !== undefined) setTimeout(() => send(out), b.delayMs)
    else send(out)
  }
}
