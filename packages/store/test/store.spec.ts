import { mkdtempSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, StoreError, type ContainerRecord, type Store } from '../src/index.js'

let base: string
let home: string
let store: Store | undefined
let corrupt: Array<[string, string, string]>

function openHere (): Store {
  store = openStore({ home }, { onCorrupt: (db, key, reason) => { corrupt.push([db, key, reason]) } })
  return store
}

async function reopen (): Promise<Store> {
  await store?.close()
  return openHere()
}

const web: ContainerRecord = {
  name: 'web',
  netns: 'weft-web',
  ownsNetns: true,
  hostVeth: 'vw0123456789',
  ifName: 'ethwe',
  mac: '02:42:0a:20:00:01',
  cidrs: ['10.32.0.1/12', 'fd00::1/64'],
  createdAt: 1_700_000_000_000,
  command: ['python3', '-m', 'http.server', '80'],
}

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'weft-store-'))
  home = join(base, 'home')
  corrupt = []
  store = undefined
})

afterEach(async () => {
  await store?.close()
  rmSync(base, { recursive: true, force: true })
})

async function expectCode (p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).code).toBe(code)
    expect((err as StoreError).name).toBe('StoreError')
    return
  }
  expect.fail(`expected a StoreError ${code}`)
}

describe('openStore', () => {
  it('creates a 0700 home and 0600 database files', () => {
    openHere()
    expect(statSync(home).mode & 0o777).toBe(0o700)
    expect(statSync(join(home, 'db')).mode & 0o777).toBe(0o700)
    const files = readdirSync(join(home, 'db'))
    expect(files).toContain('data.mdb')
    for (const f of files) expect(statSync(join(home, 'db', f)).mode & 0o777).toBe(0o600)
  })

  it('fails with ERR_STORE_OPEN naming the path when a file is in the way', async () => {
    writeFileSync(home, 'not a directory')
    try {
      openStore({ home })
      expect.fail('openStore should throw')
    } catch (err) {
      expect(err).toBeInstanceOf(StoreError)
      expect((err as StoreError).code).toBe('ERR_STORE_OPEN')
      expect((err as StoreError).message).toContain(join(home, 'db'))
    }
  })

  it('fails with ERR_STORE_OPEN when the database files are not LMDB', async () => {
    openHere()
    await store!.close()
    store = undefined
    writeFileSync(join(home, 'db', 'data.mdb'), Buffer.alloc(16384, 0x5a))
    await expectCode(() => openStore({ home }), 'ERR_STORE_OPEN')
  })
})

describe('identity and secret', () => {
  it('round-trip and persist across reopen', async () => {
    const s = openHere()
    expect(s.getIdentitySecretKey()).toBeUndefined()
    expect(s.getSecret()).toBeUndefined()
    const sk = new Uint8Array(64).map((_, i) => i * 3)
    await s.putIdentitySecretKey(sk)
    await s.putSecret('correct horse battery staple')
    expect(s.getIdentitySecretKey()).toEqual(Buffer.from(sk))
    const again = await reopen()
    const got = again.getIdentitySecretKey()
    expect(Buffer.isBuffer(got)).toBe(true)
    expect(got).toEqual(Buffer.from(sk))
    expect(again.getSecret()).toBe('correct horse battery staple')
    expect(corrupt).toEqual([])
  })

  it('rejects a secret key that is not 64 bytes and an empty secret', async () => {
    const s = openHere()
    await expectCode(s.putIdentitySecretKey(new Uint8Array(32)), 'ERR_STORE_INVALID')
    await expectCode(s.putSecret(''), 'ERR_STORE_INVALID')
    expect(s.getIdentitySecretKey()).toBeUndefined()
  })
})

describe('targets', () => {
  it('add, list, remove, persist', async () => {
    const s = openHere()
    await s.addTarget('192.0.2.10:6783')
    await s.addTarget('hostb')
    await s.addTarget('hostb')
    expect(s.listTargets().sort()).toEqual(['192.0.2.10:6783', 'hostb'])
    expect(await s.removeTarget('hostb')).toBe(true)
    expect(await s.removeTarget('hostb')).toBe(false)
    const again = await reopen()
    expect(again.listTargets()).toEqual(['192.0.2.10:6783'])
  })

  it('rejects targets with spaces', async () => {
    await expectCode(openHere().addTarget('a b'), 'ERR_STORE_INVALID')
  })
})

describe('containers', () => {
  it('put, get, list, set pid, delete, persist', async () => {
    const s = openHere()
    await s.putContainer(web)
    await s.putContainer({ ...web, name: 'db', ownsNetns: false, command: undefined, cidrs: ['10.32.0.2/12'] })
    expect(s.getContainer('web')).toEqual(web)
    expect(s.getContainer('nope')).toBeUndefined()
    expect(s.listContainers().map((c) => c.name)).toEqual(['db', 'web'])
    expect('command' in s.getContainer('db')!).toBe(false)
    await s.setContainerPid('web', 4242)
    expect(s.getContainer('web')).toEqual({ ...web, pid: 4242 })
    await expectCode(s.setContainerPid('ghost', 1), 'ERR_STORE_INVALID')
    await expectCode(s.setContainerPid('web', -1), 'ERR_STORE_INVALID')
    let again = await reopen()
    expect(again.getContainer('web')).toEqual({ ...web, pid: 4242 })
    expect(await again.deleteContainer('db')).toBe(true)
    expect(await again.deleteContainer('db')).toBe(false)
    again = await reopen()
    expect(again.listContainers()).toEqual([{ ...web, pid: 4242 }])
    expect(corrupt).toEqual([])
  })

  it('validates before writing', async () => {
    const s = openHere()
    await expectCode(s.putContainer({ ...web, name: 'x'.repeat(65) }), 'ERR_STORE_INVALID')
    await expectCode(s.putContainer({ ...web, cidrs: ['10.32.0.1'] }), 'ERR_STORE_INVALID')
    await expectCode(s.putContainer({ ...web, hostVeth: 'a-much-too-long-name' }), 'ERR_STORE_INVALID')
    await expectCode(s.putContainer({ ...web, mac: 'zz:zz' }), 'ERR_STORE_INVALID')
    await expectCode(s.deleteContainer('../x'), 'ERR_STORE_INVALID')
    expect(s.listContainers()).toEqual([])
    expect(s.getContainer('x'.repeat(65))).toBeUndefined()
  })

  it('drops unknown fields', async () => {
    const s = openHere()
    await s.putContainer({ ...web, extra: 1 } as ContainerRecord)
    expect(s.getContainer('web')).toEqual(web)
  })
})

describe('exposed', () => {
  it('add, list, remove, persist', async () => {
    const s = openHere()
    await s.addExposed('10.32.0.254/12')
    await s.addExposed('fd00::fe/64')
    await expectCode(s.addExposed('10.32.0.254'), 'ERR_STORE_INVALID')
    await expectCode(s.addExposed('10.32.0.254/33'), 'ERR_STORE_INVALID')
    expect(s.listExposed().sort()).toEqual(['10.32.0.254/12', 'fd00::fe/64'])
    expect(await s.removeExposed('fd00::fe/64')).toBe(true)
    expect(await s.removeExposed('fd00::fe/64')).toBe(false)
    expect((await reopen()).listExposed()).toEqual(['10.32.0.254/12'])
  })
})

describe('meta', () => {
  it('round-trips msgpack-able values and persists them', async () => {
    const s = openHere()
    const value = { range: '10.32.0.0/12', restarts: 3, peers: ['a', 'b'], nested: { ok: true, none: null }, bytes: new Uint8Array([1, 2, 3]) }
    await s.putMeta('launch', value)
    await s.putMeta('counter', 7)
    expect(s.getMeta('launch')).toEqual({ ...value, bytes: Buffer.from([1, 2, 3]) })
    const again = await reopen()
    expect(again.getMeta('counter')).toBe(7)
    expect(again.getMeta('launch')).toEqual({ ...value, bytes: Buffer.from([1, 2, 3]) })
    expect(again.getMeta('missing')).toBeUndefined()
    expect(await again.deleteMeta('counter')).toBe(true)
    expect(again.getMeta('counter')).toBeUndefined()
  })

  it('rejects bad keys and values that do not survive msgpack', async () => {
    const s = openHere()
    await expectCode(s.putMeta('k'.repeat(65), 1), 'ERR_STORE_INVALID')
    await expectCode(s.putMeta('has space', 1), 'ERR_STORE_INVALID')
    await expectCode(s.putMeta('f', () => 1), 'ERR_STORE_INVALID')
    await expectCode(s.putMeta('m', new Map()), 'ERR_STORE_INVALID')
    await expectCode(s.putMeta('u', undefined), 'ERR_STORE_INVALID')
  })

  it('writes many values in one transaction (all or none) and lists them by prefix, in key order', async () => {
    const s = openHere()
    await s.putMeta('p/old', 1)
    await s.putMeta('q', 'other')
    await s.writeMeta([['p/b', 2], ['p/a', [1, 'x']], ['p/c', 3]], ['p/old'])
    expect(s.listMeta('p/')).toEqual([['p/a', [1, 'x']], ['p/b', 2], ['p/c', 3]])
    // one bad value: nothing is written
    await expectCode(s.writeMeta([['p/d', 4], ['p/e', () => 1]], ['p/a']), 'ERR_STORE_INVALID')
    await expectCode(s.writeMeta([['p/d', 4]], ['has space']), 'ERR_STORE_INVALID')
    const again = await reopen()
    expect(again.listMeta('p/')).toEqual([['p/a', [1, 'x']], ['p/b', 2], ['p/c', 3]])
    expect(again.listMeta('zz')).toEqual([])
    expect(again.getMeta('q')).toBe('other')
  })
})

describe('close', () => {
  it('is idempotent and later use is ERR_STORE_CLOSED', async () => {
    const s = openHere()
    await s.addTarget('a')
    await s.close()
    await s.close()
    await expectCode(() => s.listTargets(), 'ERR_STORE_CLOSED')
    await expectCode(s.addTarget('b'), 'ERR_STORE_CLOSED')
    store = undefined
  })

  it('keeps writes that were pending when close was called', async () => {
    const s = openHere()
    const writes = Array.from({ length: 20 }, (_, i) => s.addTarget(`t${i}`))
    await s.close()
    await Promise.all(writes)
    expect((openHere()).listTargets().length).toBe(20)
  })
})
