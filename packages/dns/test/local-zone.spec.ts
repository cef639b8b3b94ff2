// The local zone, without sockets: which questions are ours and what they get.
import { BlockList } from 'node:net'
import type { Question } from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { LocalZone, RCODE } from '../src/local-zone.js'
import { FakeNames } from './helpers/fake-names.js'

function zone(names: FakeNames, random: () => number = () => 0.5): LocalZone {
  const overlay = new BlockList()
  overlay.addSubnet('10.32.0.0', 12, 'ipv4')
  overlay.addSubnet('fd00::', 8, 'ipv6')
  return new LocalZone({ domain: 'Weft.Local', ttl: 7, overlay }, names, random)
}

const q = (name: string, type = 'A', klass = 'IN'): Question => ({ name, type, class: klass } as Question)

describe('LocalZone', () => {
  const names = new FakeNames().add('Web', '10.32.0.5', '10.32.0.6', 'fd00::5').add('db', '10.32.0.7')

  it('answers every address of the asked family, with the asked name and the TTL', () => {
    const a = zone(names).answer(q('WEB.weft.LOCAL'))!
    expect(a).toMatchObject({ rcode: RCODE.NOERROR, result: 'answer' })
    expect(a.answers.map((r) => [r.name, r.type, (r as { ttl: number }).ttl, (r as { data: string }).data]).sort()).toEqual([
      ['WEB.weft.LOCAL', 'A', 7, '10.32.0.5'], ['WEB.weft.LOCAL', 'A', 7, '10.32.0.6'],
    ])
    expect(zone(names).answer(q('web.weft.local', 'AAAA'))!.answers.map((r) => (r as { data: string }).data)).toEqual(['fd00::5'])
    expect(zone(names).answer(q('web.weft.local', 'ANY'))!.answers).toHaveLength(3)
  })

  it('shuffles with the injected random', () => {
    const many = new FakeNames().add('m', ...Array.from({ length: 8 }, (_, i) => `10.32.0.${i}`))
    const orders = new Set<string>()
    let seed = 1
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    for (let i = 0; i < 20; i++) orders.add(zone(many, random).answer(q('m.weft.local'))!.answers.map((r) => (r as { data: string }).data).join(','))
    expect(orders.size).toBeGreaterThan(10)
    const fixed = zone(many, () => 0.99).answer(q('m.weft.local'))!.answers.map((r) => (r as { data: string }).data)
    expect(fixed).toEqual(Array.from({ length: 8 }, (_, i) => `10.32.0.${i}`))
  })

  it('gives NOERROR with no answer for another type or family of a known name, NXDOMAIN for an unknown one, both with the SOA', () => {
    const mx = zone(names).answer(q('web.weft.local', 'MX'))!
    expect(mx).toMatchObject({ rcode: RCODE.NOERROR, result: 'nodata', answers: [] })
    expect(mx.authorities.map((r) => [r.name, r.type])).toEqual([['Weft.Local', 'SOA']])
    expect(zone(names).answer(q('db.weft.local', 'AAAA'))).toMatchObject({ rcode: RCODE.NOERROR, result: 'nodata', answers: [] })
    const nx = zone(names).answer(q('nope.weft.local'))!
    expect(nx).toMatchObject({ rcode: RCODE.NXDOMAIN, result: 'nxdomain', answers: [] })
    expect(nx.authorities.map((r) => r.type)).toEqual(['SOA'])
    expect(zone(names).answer(q('weft.local', 'SOA'))!.answers.map((r) => r.type)).toEqual(['SOA'])
    expect(zone(names).answer(q('weft.local', 'A'))).toMatchObject({ rcode: RCODE.NOERROR, result: 'nodata' })
  })

  it('qualifies single-label names that are local, and leaves the rest to upstreams', () => {
    expect(zone(names).answer(q('web'))!.answers).toHaveLength(2)
    expect(zone(names).answer(q('com', 'NS'))).toBeNull()
    expect(zone(names).answer(q('example.com'))).toBeNull()
    expect(zone(names).answer(q('.', 'NS'))).toBeNull()
  })

  it('answers PTR for named addresses and overlay addresses, and leaves other addresses upstream', () => {
    const ptr = zone(names).answer(q('5.0.32.10.in-addr.arpa', 'PTR'))!
    expect(ptr.answers.map((r) => (r as { data: string }).data)).toEqual(['Web.Weft.Local'])
    const v6 = zone(names).answer(q(`5.${'0.'.repeat(29)}d.f.ip6.arpa`, 'PTR'))!
    expect(v6.answers.map((r) => (r as { data: string }).data)).toEqual(['Web.Weft.Local'])
    expect(zone(names).answer(q('9.0.32.10.in-addr.arpa', 'PTR'))).toMatchObject({ rcode: RCODE.NXDOMAIN })
    expect(zone(names).answer(q('5.0.32.10.in-addr.arpa', 'A'))).toMatchObject({ rcode: RCODE.NOERROR, result: 'nodata' })
    expect(zone(names).answer(q('1.2.0.192.in-addr.arpa', 'PTR'))).toBeNull()
    expect(zone(names).answer(q('32.10.in-addr.arpa', 'PTR'))).toBeNull()
  })

  it('refuses other classes in the domain, SERVFAILs when the names throw', () => {
    expect(zone(names).answer(q('web.weft.local', 'A', 'CH'))).toMatchObject({ rcode: RCODE.REFUSED })
    expect(zone(names).answer(q('version.bind', 'TXT', 'CH'))).toBeNull()
    const broken = new FakeNames()
    broken.broken = true
    expect(zone(broken).answer(q('web.weft.local'))).toMatchObject({ rcode: RCODE.SERVFAIL })
    expect(zone(broken).answer(q('5.0.32.10.in-addr.arpa', 'PTR'))).toMatchObject({ rcode: RCODE.SERVFAIL })
  })
})
