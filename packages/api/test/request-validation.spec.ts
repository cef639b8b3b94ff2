import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ApiError, parseAddressRequest, parseCidrRequest, parseCreateContainer, parseDnsName, parseDnsNameRequest, parsePidRequest, parseRmpeerRequest,
  parseStopRequest,
} from '../src/index.js'

const parsers = [parseCreateContainer, parseAddressRequest, parseCidrRequest, parsePidRequest, parseStopRequest, parseRmpeerRequest]

describe('request validation', () => {
  it('accepts a well-formed create request and drops unknown fields', () => {
    const r = parseCreateContainer({ name: 'web-1', cidrs: ['10.32.0.1/12'], target: { kind: 'pid', value: '42' }, evil: 1 })
    expect(r).toEqual({ name: 'web-1', cidrs: ['10.32.0.1/12'], target: { kind: 'pid', value: '42' } })
  })

  it.each([
    [{ name: '' }, 'name'],
    [{ name: '-x' }, 'name'],
    [{ name: 'a/b' }, 'name'],
    [{ name: 'x'.repeat(49) }, 'name'],
    [{ name: 'ok', cidrs: 'x' }, 'cidrs'],
    [{ name: 'ok', cidrs: [1] }, 'cidrs[0]'],
    [{ name: 'ok', target: { kind: 'pid', value: 'abc' } }, 'target.value'],
    [{ name: 'ok', target: { kind: 'name', value: '../x' } }, 'target.value'],
    [{ name: 'ok', target: { kind: 'file', value: 'x' } }, 'target.kind'],
  ])('rejects %j naming the field', (body, field) => {
    expect(() => parseCreateContainer(body)).toThrow(field)
  })

  it('rejects bad pids and stop flags', () => {
    expect(() => parsePidRequest({ pid: 0 })).toThrow(ApiError)
    expect(() => parsePidRequest({ pid: 1.5 })).toThrow(ApiError)
    expect(() => parseStopRequest({ reset: 'yes' })).toThrow(ApiError)
    expect(parseStopRequest(null)).toEqual({ reset: false })
  })

  it('takes an rmpeer peer as printable text without spaces', () => {
    expect(parseRmpeerRequest({ peer: 'h1', x: 1 })).toEqual({ peer: 'h1' })
    expect(() => parseRmpeerRequest({ peer: 'a b' })).toThrow('peer')
    expect(() => parseRmpeerRequest({ peer: 'x'.repeat(81) })).toThrow('peer')
    expect(() => parseRmpeerRequest({})).toThrow('peer')
  })

  it('answers any JSON value with a result or an ApiError, never another failure', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...parsers), (value, parse) => {
        try {
          parse(value)
        } catch (err) {
          expect(err).toBeInstanceOf(ApiError)
          expect((err as ApiError).code).toBe('ERR_BAD_REQUEST')
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('never lets __proto__ through as a field', () => {
    const body = JSON.parse('{"name":"ok","__proto__":{"polluted":true}}')
    const r = parseCreateContainer(body) as unknown as Record<string, unknown>
    expect(r.polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('dns request validation', () => {
  it('accepts { name, addresses } and a --dns-name on create', () => {
    expect(parseDnsNameRequest({ name: 'web', addresses: ['10.32.0.1'], x: 1 }, true)).toEqual({ name: 'web', addresses: ['10.32.0.1'] })
    expect(parseDnsNameRequest({ name: 'web.weft.local.' }, false)).toEqual({ name: 'web.weft.local.', addresses: [] })
    expect(parseCreateContainer({ name: 'svc', cidrs: [], dnsName: 'db' })).toEqual({ name: 'svc', cidrs: [], dnsName: 'db' })
  })

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'a b' }, 'name'],
    [{ name: 'x'.repeat(254) }, 'name'],
    [{ name: 'web', addresses: 'x' }, 'addresses'],
    [{ name: 'web', addresses: [5] }, 'addresses[0]'],
    [{ name: 'web', addresses: [] }, 'at least one'],
  ])('rejects %j naming the field', (body, field) => {
    expect(() => parseDnsNameRequest(body, true)).toThrow(field)
  })

  it('answers any JSON with a request or an ApiError', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (body, required) => {
      try {
        parseDnsNameRequest(body, required)
        parseDnsName((body as { name?: unknown } | null)?.name)
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError)
      }
    }), { numRuns: 500 })
  })
})
