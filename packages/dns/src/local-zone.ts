// Answers from the names: the DNS domain, single-label names that are local names, and reverse
// lookups of addresses that have names or lie in the overlay ranges. Anything else is not ours
// (null) and goes upstream.
//
//   web.weft.local.  A/AAAA/ANY  every address of `web` of that family, shuffled; NOERROR with no
//                                answer (and the SOA) for another type or family; NXDOMAIN (and
//                                the SOA) if `web` has no address
//   weft.local.      SOA/ANY     the SOA; any other type: NOERROR, no answer
//   web.             A/AAAA      as web.weft.local. when `web` is a local name; else upstream
//   5.0.32.10.in-addr.arpa. PTR  `name.weft.local.` for every name of 10.32.0.5; NXDOMAIN if it
//                                has none and lies in an overlay range; else upstream
//
// Names match case-insensitively; answers carry the question's name exactly as asked (so a
// client checking 0x20 case randomisation accepts them) and PTR targets the registered case.

import type { Answer, Question } from 'dns-packet'
import { type BlockList, isIP } from 'node:net'
import type { DnsResult } from './dns-stats.js'
import type { NameSource } from './name-source.js'
import { addressOfReverseName, isReverseName } from './reverse-name.js'

/** Response codes the zone gives (RFC 1035 numbers). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const

/** What the zone answers for a question that is ours. */
export interface LocalAnswer {
  rcode: number
  result: DnsResult
  answers: Answer[]
  authorities: Answer[]
}

export interface LocalZoneInit {
  /** The domain without its trailing dot, in the configured case. */
  domain: string
  ttl: number
  /** Overlay ranges: reverse lookups there are answered here even when nothing has the address. */
  overlay: BlockList
}

export class LocalZone {
  private readonly lowerDomain: string
  private readonly soa: Answer

  constructor(private readonly init: LocalZoneInit, private readonly names: NameSource, private readonly random: () => number) {
    this.lowerDomain = init.domain.toLowerCase()
    this.soa = {
      name: init.domain, type: 'SOA', class: 'IN', ttl: init.ttl,
      data: { mname: `ns.${init.domain}`, rname: `hostmaster.${init.domain}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: init.ttl },
    }
  }

  /** The answer to `q` if it is ours, else null (forward it). */
  answer(q: Question): LocalAnswer | null {
    const lower = q.name.toLowerCase()
    const inDomain = lower === this.lowerDomain || lower.endsWith(`.${this.lowerDomain}`)
    const inClass = q.class === undefined || q.class === 'IN' || q.class === 'ANY'
    if (inDomain) {
      if (!inClass) return { rcode: RCODE.REFUSED, result: 'refused', answers: [], authorities: [] }
      if (lower === this.lowerDomain) return this.apex(q)
      return this.addresses(q, q.name.slice(0, -this.lowerDomain.length - 1), true)
    }
    if (!inClass) return null
    if (isReverseName(lower)) return this.pointers(q, lower)
    if (!lower.includes('.') && lower !== '') return this.addresses(q, q.name, false)
    return null
  }

  private apex(q: Question): LocalAnswer {
    if (q.type === 'SOA' || (q.type as string) === 'ANY') return this.ok([this.soa])
    return this.ok([], [this.soa])
  }

  private addresses(q: Question, relative: string, authoritative: boolean): LocalAnswer | null {
    let found: readonly string[]
    try {
      found = this.names.lookup(relative)
    } catch {
      return { rcode: RCODE.SERVFAIL, result: 'servfail', answers: [], authorities: [] }
    }
    const soa = authoritative ? [this.soa] : []
    const valid = found.filter((a) => typeof a === 'string' && isIP(a) !== 0)
    if (valid.length === 0) return authoritative ? { rcode: RCODE.NXDOMAIN, result: 'nxdomain', answers: [], authorities: soa } : null
    const type = q.type as string
    const wanted = valid.filter((a) => (isIP(a) === 4 ? type === 'A' || type === 'ANY' : type === 'AAAA' || type === 'ANY'))
    const answers = this.shuffle([...new Set(wanted)]).map((a): Answer => ({
      name: q.name, type: isIP(a) === 4 ? 'A' : 'AAAA', class: 'IN', ttl: this.init.ttl, data: a,
    }))
    return answers.length > 0 ? this.ok(answers) : this.ok([], soa)
  }

  private pointers(q: Question, lower: string): LocalAnswer | null {
    const address = addressOfReverseName(lower)
    if (address === null) return null
    let names: readonly string[]
    try {
      names = this.names.reverse(address)
    } catch {
      return { rcode: RCODE.SERVFAIL, result: 'servfail', answers: [], authorities: [] }
    }
    if (names.length === 0) {
      const family = address.includes(':') ? 'ipv6' : 'ipv4'
      return this.init.overlay.check(address, family) ? { rcode: RCODE.NXDOMAIN, result: 'nxdomain', answers: [], authorities: [] } : null
    }
    if (q.type !== 'PTR' && (q.type as string) !== 'ANY') return this.ok([])
    const answers = this.shuffle([...new Set(names)]).map((n): Answer => ({
      name: q.name, type: 'PTR', class: 'IN', ttl: this.init.ttl, data: `${n}.${this.init.domain}`,
    }))
    return this.ok(answers)
  }

  private ok(answers: Answer[], authorities: Answer[] = []): LocalAnswer {
    return { rcode: RCODE.NOERROR, result: answers.length > 0 ? 'answer' : 'nodata', answers, authorities }
  }

  /** Fisher-Yates with the injected random, in place. */
  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      ;[items[i], items[j]] = [items[j], items[i]]
    }
    return items
  }
}
