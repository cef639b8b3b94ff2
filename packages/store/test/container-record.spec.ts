import { isIP } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openStore, parseContainerRecord, StoreError, type ContainerRecord } from '../src/index.js'
import { checkCidr, checkStorable } from '../src/field-checks.js'
import { containerArb, nameArb } from './arbitraries.js'

/** A valid record with one field replaced by anything at all. */
const mutatedArb = fc.tuple(
  containerArb,
  fc.constantFrom('name', 'netns', 'ownsNetns', 'hostVeth', 'ifName', 'mac', 'cidrs', 'pid', 'createdAt', 'command'),
  fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true, withMap: true, withSet: true }),
).map(([rec, field, value]) => ({ ...rec, [field]: value }) as Record<string, unknown>)

describe('parseContainerRecord', () => {
  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.oneof(fc.anything({ withBigInt: true, withDate: true, withTypedArray: true, withMap: true }), mutatedArb), (value) => {
      const result = parseContainerRecord(value)
      expect(typeof result.ok).toBe('boolean')
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(0)
    }), { numRuns: 2000 })
  })

  it('accepts valid records and returns an equal copy', () => {
    fc.assert(fc.property(containerArb, (rec) => {
      const result = parseContainerRecord(rec)
      expect(result).toEqual({ ok: true, value: rec })
      if (result.ok) {
        expect(result.value).not.toBe(rec)
        expect(parseContainerRecord(result.value)).toEqual(result)
      }
    }), { numRuns: 1000 })
  })

  it('whatever it accepts is a valid record again (idempotent)', () => {
    fc.assert(fc.property(mutatedArb, (value) => {
      const result = parseContainerRecord(value)
      if (result.ok) expect(parseContainerRecord(result.value)).toEqual(result)
    }), { numRuns: 2000 })
  })

  it('rejects each broken field', () => {
    const rec: ContainerRecord = {
      name: 'a', netns: 'n', ownsNetns: true, hostVeth: 'v', ifName: 'ethwe', mac: '02:00:00:00:00:01', cidrs: [], createdAt: 0,
    }
    expect(parseContainerRecord(rec).ok).toBe(true)
    const broken: Array<Partial<Record<keyof ContainerRecord, unknown>>> = [
      { name: '' }, { name: '-a' }, { name: 'a'.repeat(65) }, { name: 'a b' }, { netns: '' }, { netns: 'a b' },
      { ownsNetns: 1 }, { hostVeth: 'x'.repeat(16) }, { ifName: 'a/b' }, { mac: '02:00:00:00:00:0G' },
      { mac: '02:00:00:00:00:01:02' }, { cidrs: ['10.0.0.1'] }, { cidrs: '10.0.0.1/8' }, { cidrs: ['10.0.0.1/33'] },
      { cidrs: ['fe80::1%eth0/64'] }, { pid: 0 }, { pid: 1.5 }, { createdAt: -1 }, { createdAt: Number.NaN },
      { command: 'ls' }, { command: ['ls', 1] }, { createdAt: undefined },
    ]
    for (const b of broken) expect(parseContainerRecord({ ...rec, ...b }).ok, JSON.stringify(b)).toBe(false)
  })

  it('round-trips valid records through a real store; invalid ones are refused with ERR_STORE_INVALID', async () => {
    const home = mkdtempSync(join(tmpdir(), 'weft-store-fuzz-'))
    const store = openStore({ home })
    try {
      await fc.assert(fc.asyncProperty(fc.oneof(containerArb, mutatedArb), async (value) => {
        const checked = parseContainerRecord(value)
        if (checked.ok) {
          await store.putContainer(value as unknown as ContainerRecord)
          expect(store.getContainer(checked.value.name)).toEqual(checked.value)
        } else {
          await expect(store.putContainer(value as unknown as ContainerRecord)).rejects.toSatisfy(
            (err) => err instanceof StoreError && err.code === 'ERR_STORE_INVALID')
        }
      }), { numRuns: 150 })
    } finally {
      await store.close()
      rmSync(home, { recursive: true, force: true })
    }
  })
})

describe('field checks', () => {
  it('checkCidr agrees with node:net on address/prefix strings', () => {
    const prefix = fc.oneof(fc.integer({ min: 0, max: 200 }).map(String), fc.string({ maxLength: 4 }))
    const addr = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.string({ maxLength: 20 }))
    fc.assert(fc.property(addr, prefix, (a, p) => {
      const family = isIP(a)
      const expected = family !== 0 && !a.includes('%') && /^(0|[1-9]\d*)$/.test(p) && Number(p) <= (family === 4 ? 32 : 128)
      expect(checkCidr(`${a}/${p}`) === undefined).toBe(expected)
    }), { numRuns: 3000 })
  })

  it('names are short and well-formed', () => {
    fc.assert(fc.property(nameArb, (n) => { expect(n.length).toBeLessThanOrEqual(64) }))
  })

  it('checkStorable refuses what msgpack would not give back', () => {
    expect(checkStorable({ a: [1, 'x', null, { b: new Uint8Array(2) }] })).toBeUndefined()
    expect(checkStorable(Symbol('s'))).toBeDefined()
    expect(checkStorable(10n)).toBeDefined()
    expect(checkStorable(new Set())).toBeDefined()
    expect(checkStorable([undefined])).toBeDefined()
    let deep: unknown = 1
    for (let i = 0; i < 40; i++) deep = [deep]
    expect(checkStorable(deep)).toBeDefined()
  })
})
