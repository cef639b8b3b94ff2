// Records that fail validation on read are skipped and reported, never thrown. The bad records
// are planted with lmdb directly, the way a damaged disk or a newer weft would leave them.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asBinary, open } from 'lmdb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, STORE_DB_NAMES, STORE_DB_OPTIONS, STORE_LMDB_OPTIONS, type ContainerRecord, type Store } from '../src/index.js'

let base: string
let store: Store | undefined
let reports: Array<{ db: string; key: string; reason: string }>

const good: ContainerRecord = {
  name: 'good', netns: 'weft-good', ownsNetns: false, hostVeth: 'vwaaaaaaaaaa', ifName: 'ethwe',
  mac: '02:00:00:00:00:01', cidrs: ['10.32.0.9/12'], createdAt: 1,
}

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'weft-store-corrupt-'))
  reports = []
})

afterEach(async () => {
  await store?.close()
  store = undefined
  rmSync(base, { recursive: true, force: true })
})

/** Writes raw entries into sub-databases of a closed store. */
async function plant (entries: Array<[db: string, key: string, value: unknown]>): Promise<void> {
  const root = open(join(base, 'db'), { ...STORE_LMDB_OPTIONS })
  for (const [name, key, value] of entries) {
    await root.openDB(name, { ...STORE_DB_OPTIONS }).put(key, value)
  }
  await root.flushed
  await root.close()
}

async function seeded (): Promise<void> {
  const s = openStore({ home: base })
  await s.putContainer(good)
  await s.addTarget('hostb')
  await s.putIdentitySecretKey(new Uint8Array(64).fill(9))
  await s.close()
}

function reopen (): Store {
  store = openStore({ home: base }, { onCorrupt: (db, key, reason) => { reports.push({ db, key, reason }) } })
  return store
}

describe('corrupt records', () => {
  it('skips undecodable, invalid, newer-version and badly keyed container records', async () => {
    await seeded()
    await plant([
      [STORE_DB_NAMES.containers, 'garbage', asBinary(Buffer.from([0xc1, 0xff, 0x00, 0x13]))],
      [STORE_DB_NAMES.containers, 'truncated', asBinary(Buffer.from([0x85, 0xa1, 0x76]))],
      [STORE_DB_NAMES.containers, 'future', { ...good, name: 'future', v: 2 }],
      [STORE_DB_NAMES.containers, 'noversion', { ...good, name: 'noversion' }],
      [STORE_DB_NAMES.containers, 'badmac', { ...good, name: 'badmac', mac: 'nope', v: 1 }],
      [STORE_DB_NAMES.containers, 'x'.repeat(65), { ...good, name: 'x'.repeat(65), v: 1 }],
      [STORE_DB_NAMES.containers, 'scalar', 42],
    ])
    const s = reopen()
    expect(s.listContainers()).toEqual([good])
    expect(s.getContainer('garbage')).toBeUndefined()
    expect(s.getContainer('future')).toBeUndefined()
    const byKey = new Map(reports.map((r) => [r.key, r]))
    expect([...byKey.keys()].sort()).toEqual(['badmac', 'future', 'garbage', 'noversion', 'scalar', 'truncated', 'x'.repeat(65)].sort())
    for (const r of reports) expect(r.db).toBe('containers')
    expect(byKey.get('future')!.reason).toMatch(/newer weft/)
    expect(byKey.get('garbage')!.reason).toMatch(/does not decode/)
    expect(byKey.get('badmac')!.reason).toMatch(/mac/)
    // reported once per record, not on every read
    const count = reports.length
    s.listContainers()
    s.getContainer('garbage')
    expect(reports.length).toBe(count)
  })

  it('skips a bad identity key, secret, target and meta value', async () => {
    await seeded()
    await plant([
      [STORE_DB_NAMES.identity, 'secretKey', { v: 1, secretKey: Buffer.alloc(12) }],
      [STORE_DB_NAMES.identity, 'secret', { v: 1, secret: 17 }],
      [STORE_DB_NAMES.targets, 'hostc', asBinary(Buffer.from([0xc1]))],
      [STORE_DB_NAMES.targets, 'has space', { v: 1, addedAt: 1 }],
      [STORE_DB_NAMES.exposed, 'not-a-cidr', { v: 1, addedAt: 1 }],
      [STORE_DB_NAMES.meta, 'range', { v: 7, value: 'x' }],
    ])
    const s = reopen()
    expect(s.getIdentitySecretKey()).toBeUndefined()
    expect(s.getSecret()).toBeUndefined()
    expect(s.listTargets()).toEqual(['hostb'])
    expect(s.listExposed()).toEqual([])
    expect(s.getMeta('range')).toBeUndefined()
    expect(reports.map((r) => `${r.db}/${r.key}`).sort()).toEqual([
      'exposed/not-a-cidr', 'identity/secret', 'identity/secretKey', 'meta/range', 'targets/has space', 'targets/hostc',
    ])
  })

  it('replaces a corrupt record when it is written again', async () => {
    await seeded()
    await plant([[STORE_DB_NAMES.containers, 'good', asBinary(Buffer.from([0xc1]))]])
    const s = reopen()
    expect(s.getContainer('good')).toBeUndefined()
    await s.putContainer(good)
    expect(s.getContainer('good')).toEqual(good)
  })

  it('warns through process warnings when no onCorrupt is given', async () => {
    await seeded()
    await plant([[STORE_DB_NAMES.containers, 'garbage', asBinary(Buffer.from([0xc1]))]])
    const warnings: Error[] = []
    const onWarning = (w: Error): void => { warnings.push(w) }
    process.on('warning', onWarning)
    try {
      store = openStore({ home: base })
      expect(store.listContainers()).toEqual([good])
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.some((w) => /containers\/garbage/.test(w.message))).toBe(true)
  })
})
