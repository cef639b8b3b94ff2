import http from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerInfo } from '@weft/api'
import { ApiClient, ApiError } from '@weft/api'
import { ApiServer } from '../src/api-server.js'
import type { RouterApi } from '../src/api-server.js'
import { DaemonError } from '../src/errors.js'

// The control API against a fake router: routing, validation and error mapping; bad requests
// never take the server down.
const home = mkdtempSync(join(tmpdir(), 'weft-api-'))
const containers = new Map<string, ContainerInfo>()
const fake = {
  status: () => ({ router: { nickname: 'fake' } }),
  join: () => ({ generatedSecret: null, addresses: [], port: 6783 }),
  connect: async (address: string) => ({ address }),
  forget: async () => ({ removed: false }),
  listContainers: () => [...containers.values()],
  getContainer: (name: string) => {
    const c = containers.get(name)
    if (!c) throw new DaemonError('ERR_NOT_FOUND', `no container named '${name}'`)
    return c
  },
  createContainer: async (req: { name: string; cidrs: string[] }) => {
    if (containers.has(req.name)) throw new DaemonError('ERR_CONFLICT', 'exists')
    const c = { name: req.name, cidrs: req.cidrs } as ContainerInfo
    containers.set(req.name, c)
    return c
  },
  setContainerPid: async () => { throw new Error('kaboom') },
  removeContainer: async (name: string) => ({ removed: containers.delete(name) }),
  expose: async (cidr: string) => ({ exposed: [cidr] }),
  hide: async () => ({ exposed: [] }),
  stop: async () => undefined,
  dnsStatus: () => ({ domain: 'weft.local.' }),
  dnsLookup: (name: string) => ({ name, addresses: name === 'web' ? ['10.32.0.5'] : [] }),
  dnsAdd: (_name: string, addresses: string[]) => ({ added: addresses.length }),
  dnsRemove: () => { throw new DaemonError('ERR_BAD_REQUEST', 'not a DNS name') },
} as unknown as RouterApi

const server = new ApiServer(fake, pino({ level: 'silent' }))
const api = new ApiClient(home)

function raw(method: string, path: string, body?: string | Buffer): Promise<{ status: number; json: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: join(home, 'weft.sock'), method, path }, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} }))
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

beforeAll(() => server.listen(join(home, 'weft.sock')))
afterAll(() => server.close())

describe('ApiServer', () => {
  it('serves calls through the client and maps router errors to codes', async () => {
    expect((await api.status()).router.nickname).toBe('fake')
    await api.createContainer({ name: 'c1', cidrs: ['10.32.0.1/12'] })
    await expect(api.createContainer({ name: 'c1', cidrs: [] })).rejects.toMatchObject({ code: 'ERR_CONFLICT', status: 409 })
    await expect(api.container('nope')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', status: 404 })
    await expect(api.setContainerPid('c1', 5)).rejects.toMatchObject({ code: 'ERR_INTERNAL', status: 500 })
  })

  it('answers malformed requests with 4xx and keeps serving', async () => {
    expect((await raw('POST', '/v1/containers', '{not json')).json.error?.code).toBe('ERR_BAD_REQUEST')
    expect((await raw('POST', '/v1/containers', '{"name": 5}')).status).toBe(400)
    expect((await raw('GET', '/v1/nothing')).status).toBe(404)
    expect((await raw('PUT', '/v1/status')).status).toBe(404)
    expect((await raw('GET', '/v1/containers/%E0%A4%A')).status).toBe(400)
    const big = await raw('POST', '/v1/connect', Buffer.alloc(200 * 1024, 0x20))
    expect(big.status).toBe(413)
    expect((await api.status()).router.nickname).toBe('fake')
  })

  it('survives arbitrary bodies and paths', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('/v1/containers', '/v1/connect', '/v1/expose', '/v1/stop-not', '/v1/containers/x/pid', '/v1/dns/add', '/v1/dns/remove'),
      fc.oneof(fc.string({ maxLength: 200 }), fc.json()),
      async (path, body) => {
        const r = await raw('POST', path, body)
        expect(r.status).toBeGreaterThanOrEqual(200)
        expect(r.status).toBeLessThan(600)
        if (r.status >= 400) expect(typeof r.json.error?.code).toBe('string')
      },
    ), { numRuns: 200 })
    expect((await api.status()).router.nickname).toBe('fake')
  })

  it('routes the dns calls and rejects malformed dns bodies', async () => {
    expect((await api.dnsStatus()).domain).toBe('weft.local.')
    expect((await api.dnsLookup('web')).addresses).toEqual(['10.32.0.5'])
    expect(await api.dnsAdd('web', ['10.32.0.5', '10.32.0.6'])).toEqual({ added: 2 })
    await expect(api.dnsAdd('web', [])).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST', status: 400 })
    await expect(api.dnsRemove('bad name!', [])).rejects.toMatchObject({ status: 400 })
    expect((await raw('POST', '/v1/dns/add', '{"name": "web", "addresses": [1]}')).status).toBe(400)
    expect((await raw('GET', '/v1/dns/lookup/a%20b')).status).toBe(400)
  })

  it('tells the CLI plainly when no router is running', async () => {
    const nobody = new ApiClient(mkdtempSync(join(tmpdir(), 'weft-none-')))
    await expect(nobody.status()).rejects.toBeInstanceOf(ApiError)
    await expect(nobody.status()).rejects.toMatchObject({ code: 'ERR_NOT_RUNNING' })
  })
})
