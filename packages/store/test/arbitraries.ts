/** fast-check arbitraries for store records, shared by the specs. */
import fc from 'fast-check'
import type { ContainerRecord } from '../src/index.js'

const NAME_HEAD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('')
const NAME_TAIL = [...NAME_HEAD, '_', '.', '-']
const IFNAME_CHARS = NAME_TAIL

export const nameArb: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(...NAME_HEAD),
  fc.array(fc.constantFrom(...NAME_TAIL), { maxLength: 63 }),
).map(([h, t]) => h + t.join(''))

export const ifNameArb: fc.Arbitrary<string> = fc.array(fc.constantFrom(...IFNAME_CHARS), { minLength: 1, maxLength: 15 }).map((a) => a.join(''))

export const macArb: fc.Arbitrary<string> = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
  .map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'))

export const cidrArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
)

export const netnsArb: fc.Arbitrary<string> = fc.oneof(nameArb, fc.integer({ min: 1, max: 4_194_304 }).map(String))

export const targetArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([a, p]) => `${a}:${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 1, max: 65535 })).map(([a, p]) => `[${a}]:${p}`),
  fc.domain(),
)

/** Valid container records, absent optional fields left out. */
export const containerArb: fc.Arbitrary<ContainerRecord> = fc.record({
  name: nameArb,
  netns: netnsArb,
  ownsNetns: fc.boolean(),
  hostVeth: ifNameArb,
  ifName: ifNameArb,
  mac: macArb,
  cidrs: fc.array(cidrArb, { maxLength: 4 }),
  pid: fc.integer({ min: 1, max: 4_194_304 }),
  createdAt: fc.integer({ min: 0, max: 2 ** 45 }),
  command: fc.array(fc.string(), { maxLength: 5 }),
}, { requiredKeys: ['name', 'netns', 'ownsNetns', 'hostVeth', 'ifName', 'mac', 'cidrs', 'createdAt'] })
