import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, type IpamStatusResponse } from '@weft/api'
import { IpamError } from '@weft/ipam'
import { ApiServer, type RouterApi } from '../../src/api-server.js'

// The IPAM routes of the control API against a fake router: the status passes through, rmpeer
// bodies are checked, IpamErrors keep their codes with fitting HTTP statuses.
const home = mkdtempSync(join(tmpdir(), 'weft-ipam-api-'))
const asked: string[] = []
const fake = {
  ipamStatus: () => ({ range: '10.32.0.0/12', blocked: 'waiting for 2 of 3 peers for consensus' }) as IpamStatusResponse,
  rmpeer: async (peer: string) => {
    asked.push(peer)
    if (peer === 'alive') throw new IpamError('ERR_OBSERVER', 'an observer never owns space')
    return { peer: 'f'.repeat(64), addresses: 16 }
  },
  createContainer: async () => {
    throw new IpamError('ERR_TIMEOUT', 'waited 20 s: waiting for 2 of 3 peers for consensus')
  },
} as unknown as RouterApi

const server = new ApiServer(fake, pino({ level: 'silent' }))
const api = new ApiClient(home)

beforeAll(() => server.listen(join(home, 'weft.sock')))
afterAll(() => server.close())

describe('IPAM control API', () => {
  it('serves the IPAM status and rmpeer', async () => {
    expect((await api.ipamStatus()).blocked).toMatch(/waiting for 2 of 3/)
    expect(await api.rmpeer('h1')).toEqual({ peer: 'f'.repeat(64), addresses: 16 })
    expect(asked).toEqual(['h1'])
  })

  it('rejects a bad rmpeer body before the router sees it, and maps IPAM errors', async () => {
    await expect(api.request('POST', '/ipam/rmpeer', { peer: 'two words' })).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST', status: 400 })
    await expect(api.request('POST', '/ipam/rmpeer', [])).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST', status: 400 })
    expect(asked).toEqual(['h1'])
    await expect(api.rmpeer('alive')).rejects.toMatchObject({ code: 'ERR_OBSERVER', status: 409 })
    await expect(api.createContainer({ name: 'c', cidrs: [] })).rejects.toMatchObject({ code: 'ERR_TIMEOUT', status: 503, message: expect.stringMatching(/consensus/) })
  })
})
