// One query, whatever transport it came over: bytes in, bytes out (or null: no answer).
//
//   1. sanity   shorter than a header, or a response (QR set): drop and count
//   2. decode   dns-packet; undecodable: FORMERR echoing the id (12 bytes, never larger than
//               the query, so no amplification)
//   3. check    opcode QUERY, exactly one question, at most one OPT, EDNS version 0
//   4. local    the zone's answer (the domain, local single labels, overlay reverse lookups)
//   5. forward  cache, else every upstream at once; nothing good: SERVFAIL
//   6. size     over UDP, an answer larger than 512 bytes (or the client's EDNS size, at most
//               1232) goes out with TC set and no records, so the client retries over TCP

import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet } from 'dns-packet'
import { AnswerCache } from './answer-cache.js'
import { CLASSIC_UDP_PAYLOAD_BYTES, EDNS_VERSION, MAX_EDNS_UDP_PAYLOAD_BYTES, MAX_PENDING_FORWARDS } from './constants.js'
import type { DnsCounters, DnsResult } from './dns-stats.js'
import { RCODE, type LocalZone } from './local-zone.js'
import type { UpstreamForwarder } from './upstream-forwarder.js'
import type { UpstreamList } from './upstream-list.js'

export type Transport = 'udp' | 'tcp'

const QR = 0x80 // in byte 2
const OPCODE_QUERY = 0
const BADVERS = 16

export class QueryHandler {
  private pending = 0

  constructor(
    private readonly zone: LocalZone,
    private readonly cache: AnswerCache,
    private readonly forwarder: UpstreamForwarder,
    private readonly upstreams: UpstreamList,
    private readonly counters: DnsCounters,
  ) {}

  /** Answers `bytes` (a query read from `transport`); null: send nothing. Never rejects. */
  async handle(bytes: Buffer, transport: Transport): Promise<Buffer | null> {
    // 1. sanity
    if (bytes.length < 12) return this.drop('short')
    if ((bytes[2] & QR) !== 0) return this.drop('not-a-query')
    // 2. decode
    let query: DecodedPacket
    try {
      query = dnsPacket.decode(bytes)
    } catch {
      this.counters.query(undefined, 'formerr')
      return headerOnly(bytes, RCODE.FORMERR)
    }
    // 3. check
    const question = query.questions?.[0]
    const type = question?.type as string | undefined
    if (((bytes[2] >> 3) & 0x0f) !== OPCODE_QUERY) return this.reply(query, type, 'notimp', { rcode: RCODE.NOTIMP }, transport)
    const opts = (query.additionals ?? []).filter((r): r is OptAnswer => r.type === 'OPT')
    if (!(query.questions ?? []).every((q) => encodable(q.name))) {
      // a label dns-packet would write back differently (a dot or bytes that are not UTF-8)
      this.counters.query(undefined, 'formerr')
      return headerOnly(bytes, RCODE.FORMERR)
    }
    if (query.questions?.length !== 1 || question === undefined || opts.length > 1) {
      return this.reply(query, type, 'formerr', { rcode: RCODE.FORMERR }, transport)
    }
    if (opts.length === 1 && opts[0].ednsVersion > EDNS_VERSION) {
      return this.reply(query, type, 'badvers', { rcode: BADVERS }, transport)
    }
    // 4. local
    const local = this.zone.answer(question)
    if (local !== null) {
      return this.reply(query, type, local.result, { rcode: local.rcode, aa: true, answers: local.answers, authorities: local.authorities }, transport)
    }
    // 5. forward
    const key = AnswerCache.key(question, opts[0]?.flag_do === true, (query.flags ?? 0) & dnsPacket.CHECKING_DISABLED ? true : false)
    const cached = this.cache.get(key, query)
    if (cached !== null) {
      this.counters.cacheHits++
      return this.sized(query, type, 'cached', cached, transport)
    }
    this.counters.cacheMisses++
    const upstreams = this.upstreams.current()
    if (upstreams.length === 0 || this.pending >= MAX_PENDING_FORWARDS) return this.reply(query, type, 'servfail', { rcode: RCODE.SERVFAIL }, transport)
    this.pending++
    let answer: Buffer | null
    try {
      answer = await this.forwarder.forward(bytes, { name: question.name, type: question.type, class: question.class ?? 'IN' }, upstreams, transport === 'tcp')
    } finally {
      this.pending--
    }
    if (answer === null) return this.reply(query, type, 'servfail', { rcode: RCODE.SERVFAIL }, transport)
    this.cache.put(key, answer)
    const mine = Buffer.from(answer)
    mine.writeUInt16BE(query.id ?? 0, 0)
    const rcode = mine[3] & 0x0f
    return this.sized(query, type, rcode === RCODE.NOERROR || rcode === RCODE.NXDOMAIN ? 'forwarded' : 'servfail', mine, transport)
  }

  /** Encodes a response of our own to `query`. */
  private reply(query: DecodedPacket, type: string | undefined, result: DnsResult,
    r: { rcode: number, aa?: boolean, answers?: Answer[], authorities?: Answer[] }, transport: Transport): Buffer {
    const response = this.response(query, r.rcode, r.aa === true, r.answers ?? [], r.authorities ?? [])
    return this.sized(query, type, result, dnsPacket.encode(response), transport)
  }

  private response(query: DecodedPacket, rcode: number, aa: boolean, answers: Answer[], authorities: Answer[], tc = false): Packet {
    const opt = (query.additionals ?? []).find((r) => r.type === 'OPT')
    const flags = (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (tc ? dnsPacket.TRUNCATED_RESPONSE : 0) |
      ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE |
      ((query.flags ?? 0) & dnsPacket.CHECKING_DISABLED) | (rcode & 0x0f)
    const additionals: Answer[] = opt === undefined ? [] : [{
      name: '.', type: 'OPT', udpPayloadSize: MAX_EDNS_UDP_PAYLOAD_BYTES, extendedRcode: rcode >> 4, ednsVersion: EDNS_VERSION,
      flags: 0, flag_do: false, options: [],
    }]
    return { id: query.id, type: 'response', flags, questions: query.questions ?? [], answers, authorities, additionals }
  }

  /** Counts the result and, over UDP, swaps an answer too large for the client for a TC one. */
  private sized(query: DecodedPacket, type: string | undefined, result: DnsResult, answer: Buffer, transport: Transport): Buffer {
    this.counters.query(type, result)
    if (transport === 'tcp' || answer.length <= udpLimit(query)) return answer
    this.counters.truncated++
    return dnsPacket.encode(this.response(query, answer[3] & 0x0f, (answer[2] & 0x04) !== 0, [], [], true))
  }

  private drop(reason: 'short' | 'not-a-query'): null {
    this.counters.drop(reason)
    return null
  }
}

/** The largest UDP answer `query`'s sender takes: 512, or its EDNS size up to 1232. */
function udpLimit(query: DecodedPacket): number {
  const opt = (query.additionals ?? []).find((r): r is OptAnswer => r.type === 'OPT')
  if (opt === undefined) return CLASSIC_UDP_PAYLOAD_BYTES
  return Math.min(MAX_EDNS_UDP_PAYLOAD_BYTES, Math.max(CLASSIC_UDP_PAYLOAD_BYTES, opt.udpPayloadSize))
}

/** Whether dns-packet writes `name` back as the same labels, each at most 63 bytes. */
function encodable(name: string): boolean {
  if (name.includes('\uFFFD') || Buffer.byteLength(name) > 253) return false
  if (name === '.') return true
  for (const label of name.split('.')) if (label.length === 0 || Buffer.byteLength(label) > 63) return false
  return true
}

/** A bare response header: the query's id, opcode and RD, QR set, `rcode`, no sections. */
function headerOnly(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12)
  query.copy(out, 0, 0, 2)
  out[2] = QR | (query[2] & 0x79) // opcode and RD kept, AA and TC clear
  out[3] = 0x80 | rcode // RA
  return out
}
