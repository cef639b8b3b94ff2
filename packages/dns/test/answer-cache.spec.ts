// The cache of upstream answers, on a hand-turned clock: TTLs honoured and counted down, a cap,
// negative answers by their SOA, nothing cached that should not be, least recently used out.
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { AnswerCache } from '../src/answer-cache.js'

const clock = { t: 0 }
const question = { name: 'Example.Test', type: 'A' as const, class: 'IN' as const }
const key = AnswerCache.key(question, false, false)

function answer(rcode: number, answers: Answer[], authorities: Answer[] = [], flags = 0): Buffer {
  return dnsPacket.encode({ id: 99, type: 'response', flags: flags | rcode, questions: [question], answers, authorities })
}

function query(name = 'eXAMPLE.test', id = 7): DecodedPacket {
  return dnsPacket.decode(dnsPacket.encode({ id, type: 'query', questions: [{ ...question, name }] }))
}

const a = (ttl: number, data = '192.0.2.1'): Answer => ({ name: 'example.test', type: 'A', ttl, data })
const soa = (ttl: number, minimum: number): Answer => ({ name: 'test', type: 'SOA', ttl, data: { mname: 'ns.test', rname: 'h.test', minimum } })

describe('AnswerCache', () => {
  it('serves an answer with the TTL counted down, the client\'s id and its spelling, until the TTL ends', () => {
    clock.t = 0
    const cache = new AnswerCache(10, 30, () => clock.t)
    cache.put(key, answer(0, [a(10), a(20, '192.0.2.2')]))
    clock.t = 3_500
    const hit = dnsPacket.decode(cache.get(key, query())!)
    expect(hit.id).toBe(7)
    expect(hit.questions![0].name).toBe('eXAMPLE.test')
    expect(hit.answers!.map((r) => (r as { ttl: number }).ttl)).toEqual([7, 17])
    clock.t = 9_999
    expect(cache.get(key, query())).not.toBeNull()
    clock.t = 10_000 // the smallest TTL, 10 s, is over
    expect(cache.get(key, query())).toBeNull()
    expect(cache.size).toBe(0)
  })

  it('caps the time an answer is kept', () => {
    clock.t = 0
    const cache = new AnswerCache(10, 5, () => clock.t)
    cache.put(key, answer(0, [a(3600)]))
    clock.t = 4_999
    expect(cache.get(key, query())).not.toBeNull()
    clock.t = 5_000
    expect(cache.get(key, query())).toBeNull()
  })

  it('keeps NXDOMAIN and no-data answers for their SOA\'s TTL and minimum, and nothing without an SOA', () => {
    clock.t = 0
    const cache = new AnswerCache(10, 30, () => clock.t)
    cache.put(key, answer(3, [], [soa(60, 4)]))
    clock.t = 3_999
    expect(dnsPacket.decode(cache.get(key, query())!).flags! & 0x0f).toBe(3)
    clock.t = 4_000
    expect(cache.get(key, query())).toBeNull()
    cache.put(key, answer(3, []))
    expect(cache.size).toBe(0)
  })

  it('does not keep truncated answers, errors, TTL 0, or anything when disabled', () => {
    const cache = new AnswerCache(10, 30, () => 0)
    cache.put(key, answer(0, [a(10)], [], dnsPacket.TRUNCATED_RESPONSE))
    cache.put(key, answer(2, [], [soa(60, 60)]))
    cache.put(key, answer(0, [a(0)]))
    cache.put(key, Buffer.from('not dns at all'))
    expect(cache.size).toBe(0)
    const off = new AnswerCache(0, 30, () => 0)
    off.put(key, answer(0, [a(10)]))
    expect(off.size).toBe(0)
  })

  it('drops the least recently used beyond its size', () => {
    const cache = new AnswerCache(2, 30, () => 0)
    cache.put('one', answer(0, [a(10)]))
    cache.put('two', answer(0, [a(10)]))
    cache.get('one', query())
    cache.put('three', answer(0, [a(10)]))
    expect(cache.get('two', query())).toBeNull()
    expect(cache.get('one', query())).not.toBeNull()
    expect(cache.get('three', query())).not.toBeNull()
  })

  it('keys by lowercase name, type, class, DO and CD', () => {
    expect(AnswerCache.key({ ...question, name: 'EXAMPLE.test' }, false, false)).toBe(key)
    expect(AnswerCache.key(question, true, false)).not.toBe(key)
    expect(AnswerCache.key({ ...question, type: 'AAAA' }, false, false)).not.toBe(key)
  })
})
