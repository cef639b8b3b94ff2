import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { TOO_BIG_REPLY_MAX_BYTES, writeTooBig } from '../src/index.js'

// Everything here is built and checked with code of the test's own: frame builders, two
// checksum implementations (16-bit stepwise, and 32-bit words with BigInt folding as Linux's
// csum_partial does), and a reply checker that parses replies the way a receiving kernel would.

const HOST_MAC = Buffer.from('020000000001', 'hex') // the container that sent the big packet
const PEER_MAC = Buffer.from('020000000002', 'hex') // the destination it was sent to

function ipBytes(text: string): Buffer {
  if (text.includes('.')) return Buffer.from(text.split('.').map(Number))
  const [head, tail = ''] = text.split('::')
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'))
  const h = groups(head)
  const t = groups(tail)
  const all = text.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
  const out = Buffer.alloc(16)
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2))
  return out
}

/** Checksum, 16-bit words, end-around carry at every step. */
function checksum16(bytes: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < bytes.length; i += 2) {
    sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0)
    if (sum > 0xffff) sum -= 0xffff
  }
  return ~sum & 0xffff
}

/** Verification the Linux way: sum 32-bit words, fold; a correct packet folds to 0xffff. */
function verifies32(bytes: Uint8Array): boolean {
  const padded = Buffer.concat([bytes, Buffer.alloc((4 - (bytes.length % 4)) % 4)])
  let sum = 0n
  for (let i = 0; i < padded.length; i += 4) sum += BigInt(padded.readUInt32BE(i))
  while (sum >> 16n) sum = (sum & 0xffffn) + (sum >> 16n)
  return sum === 0xffffn
}

function expectChecksumOk(bytes: Uint8Array): void {
  expect(checksum16(bytes)).toBe(0)
  expect(verifies32(bytes)).toBe(true)
}

interface V4 { totalLength: number, df?: boolean, proto?: number, src?: string, dst?: string, options?: number,
  fragmentOffset?: number, firstPayloadByte?: number, ethDst?: Buffer, padding?: number }

function ipv4Frame(o: V4): Buffer {
  const ihl = 20 + (o.options ?? 0)
  const ip = Buffer.alloc(o.totalLength)
  ip[0] = 0x40 | (ihl / 4)
  ip.writeUInt16BE(o.totalLength, 2)
  ip.writeUInt16BE(0x1234, 4)
  ip.writeUInt16BE((o.df === false ? 0 : 0x4000) | (o.fragmentOffset ?? 0), 6)
  ip[8] = 63
  ip[9] = o.proto ?? 6
  ipBytes(o.src ?? '10.32.0.2').copy(ip, 12)
  ipBytes(o.dst ?? '10.40.1.3').copy(ip, 16)
  for (let i = 20; i < ihl; i++) ip[i] = 1 // NOP options
  for (let i = ihl; i < o.totalLength; i++) ip[i] = (i * 7) & 0xff
  if (o.firstPayloadByte !== undefined) ip[ihl] = o.firstPayloadByte
  ip.writeUInt16BE(checksum16(ip.subarray(0, ihl)), 10)
  const eth = Buffer.concat([o.ethDst ?? PEER_MAC, HOST_MAC, Buffer.from([0x08, 0x00])])
  return Buffer.concat([eth, ip, Buffer.alloc(o.padding ?? 0)])
}

interface V6 { payloadLength: number, next?: number, src?: string, dst?: string, extension?: Buffer, firstPayloadByte?: number }

function ipv6Frame(o: V6): Buffer {
  const ext = o.extension ?? Buffer.alloc(0)
  const ip = Buffer.alloc(40 + o.payloadLength)
  ip.writeUInt32BE(0x60012345, 0)
  ip.writeUInt16BE(o.payloadLength, 4)
  ip[6] = o.next ?? 17
  ip[7] = 64
  ipBytes(o.src ?? 'fd00::2').copy(ip, 8)
  ipBytes(o.dst ?? 'fd00:1::3').copy(ip, 24)
  for (let i = 40; i < ip.length; i++) ip[i] = (i * 13) & 0xff
  ext.copy(ip, 40)
  if (o.firstPayloadByte !== undefined) ip[40 + ext.length] = o.firstPayloadByte
  return Buffer.concat([PEER_MAC, HOST_MAC, Buffer.from([0x86, 0xdd]), ip])
}

/** Checks `reply` as the sender's kernel would, against the frame it answers. */
function checkV4Reply(frame: Buffer, reply: Buffer, mtu: number): void {
  const original = frame.subarray(14, 14 + frame.readUInt16BE(16))
  expect(reply.subarray(0, 6).equals(frame.subarray(6, 12))).toBe(true)
  expect(reply.subarray(6, 12).equals(frame.subarray(0, 6))).toBe(true)
  expect(reply.readUInt16BE(12)).toBe(0x0800)
  const ip = reply.subarray(14)
  expect(ip[0]).toBe(0x45)
  expect(ip.readUInt16BE(2)).toBe(ip.length) // total length = what follows the Ethernet header
  expect(ip.length).toBeLessThanOrEqual(576)
  expect(ip.readUInt16BE(6) & 0x3fff).toBe(0) // not a fragment
  expect(ip[8]).toBe(64)
  expect(ip[9]).toBe(1)
  expect(ip.subarray(12, 16).equals(original.subarray(16, 20))).toBe(true)
  expect(ip.subarray(16, 20).equals(original.subarray(12, 16))).toBe(true)
  expectChecksumOk(ip.subarray(0, 20))
  const icmp = ip.subarray(20)
  expect(icmp[0]).toBe(3)
  expect(icmp[1]).toBe(4)
  expect(icmp.readUInt16BE(4)).toBe(0)
  expect(icmp.readUInt16BE(6)).toBe(mtu)
  expectChecksumOk(icmp)
  const quote = icmp.subarray(8)
  const ihl = (original[0] & 0x0f) * 4
  expect(quote.length).toBe(Math.min(original.length, 576 - 28))
  expect(quote.length).toBeGreaterThanOrEqual(ihl + 8) // RFC 792: header + 64 bits
  expect(quote.equals(original.subarray(0, quote.length))).toBe(true)
}

function checkV6Reply(frame: Buffer, reply: Buffer, mtu: number): void {
  const original = frame.subarray(14, 14 + 40 + frame.readUInt16BE(18))
  expect(reply.subarray(0, 6).equals(frame.subarray(6, 12))).toBe(true)
  expect(reply.subarray(6, 12).equals(frame.subarray(0, 6))).toBe(true)
  expect(reply.readUInt16BE(12)).toBe(0x86dd)
  const ip = reply.subarray(14)
  expect(ip[0] >> 4).toBe(6)
  expect(ip.readUInt16BE(4)).toBe(ip.length - 40) // payload length
  expect(ip.length).toBeLessThanOrEqual(1280)
  expect(ip[6]).toBe(58)
  expect(ip[7]).toBe(64)
  expect(ip.subarray(8, 24).equals(original.subarray(24, 40))).toBe(true)
  expect(ip.subarray(24, 40).equals(original.subarray(8, 24))).toBe(true)
  const icmp = ip.subarray(40)
  expect(icmp[0]).toBe(2)
  expect(icmp[1]).toBe(0)
  expect(icmp.readUInt32BE(4)).toBe(mtu)
  const length = Buffer.alloc(4)
  length.writeUInt32BE(icmp.length)
  const pseudo = Buffer.concat([ip.subarray(8, 40), length, Buffer.from([0, 0, 0, 58])])
  expectChecksumOk(Buffer.concat([pseudo, icmp]))
  const quote = icmp.subarray(8)
  expect(quote.length).toBe(Math.min(original.length, 1280 - 48))
  expect(quote.equals(original.subarray(0, quote.length))).toBe(true)
}

function reply(frame: Buffer, mtu: number, outOffset = 0, outSize = TOO_BIG_REPLY_MAX_BYTES + outOffset): Buffer {
  const out = Buffer.alloc(outSize, 0xcc)
  const n = writeTooBig(frame, 0, frame.length, mtu, out, outOffset)
  return out.subarray(outOffset, outOffset + n)
}

describe('ICMP too big (IPv4)', () => {
  it('answers a too-big TCP packet with DF with a valid "fragmentation needed"', () => {
    const frame = ipv4Frame({ totalLength: 1500 })
    const r = reply(frame, 1424)
    expect(r.length).toBe(14 + 576)
    checkV4Reply(frame, r, 1424)
  })

  it('quotes everything of a packet that fits in 576 bytes, options included', () => {
    const frame = ipv4Frame({ totalLength: 300, options: 8, padding: 10 })
    const r = reply(frame, 200)
    expect(r.length).toBe(14 + 20 + 8 + 300)
    checkV4Reply(frame, r, 200)
  })

  it('writes at an offset and never past the reply', () => {
    const frame = ipv4Frame({ totalLength: 1000 })
    const out = Buffer.alloc(700, 0xcc)
    const n = writeTooBig(frame, 0, frame.length, 600, out, 50)
    expect(n).toBe(590)
    checkV4Reply(frame, out.subarray(50, 50 + n), 600)
    expect(out.subarray(0, 50).every((b) => b === 0xcc)).toBe(true)
    expect(out.subarray(50 + n).every((b) => b === 0xcc)).toBe(true)
    expect(writeTooBig(frame, 0, frame.length, 600, Buffer.alloc(589), 0)).toBe(0) // no room
  })

  it('answers ICMP queries but not ICMP errors', () => {
    expect(reply(ipv4Frame({ totalLength: 1500, proto: 1, firstPayloadByte: 8 }), 1424).length).toBeGreaterThan(0)
    for (const type of [3, 4, 5, 11, 12]) {
      expect(reply(ipv4Frame({ totalLength: 1500, proto: 1, firstPayloadByte: type }), 1424).length).toBe(0)
    }
  })

  it('gives no reply where none applies', () => {
    const none = (frame: Buffer, mtu = 1424): void => expect(reply(frame, mtu).length).toBe(0)
    none(ipv4Frame({ totalLength: 1424 })) // fits
    none(ipv4Frame({ totalLength: 1500, df: false }))
    none(ipv4Frame({ totalLength: 1500, fragmentOffset: 100 }))
    none(ipv4Frame({ totalLength: 1500, src: '0.0.0.0' }))
    none(ipv4Frame({ totalLength: 1500, src: '224.0.0.5' }))
    none(ipv4Frame({ totalLength: 1500, dst: '239.1.2.3' }))
    none(ipv4Frame({ totalLength: 1500, dst: '255.255.255.255' }))
    none(ipv4Frame({ totalLength: 1500, ethDst: Buffer.from('ffffffffffff', 'hex') }))
    none(ipv4Frame({ totalLength: 1500 }), 67) // below the IPv4 minimum MTU
    const badChecksum = ipv4Frame({ totalLength: 1500 })
    badChecksum[14 + 10] ^= 1
    none(badChecksum)
    const truncated = ipv4Frame({ totalLength: 1500 }).subarray(0, 1000)
    none(truncated)
    const arp = ipv4Frame({ totalLength: 1500 })
    arp.writeUInt16BE(0x0806, 12)
    none(arp)
    const v6InV4 = ipv4Frame({ totalLength: 1500 })
    v6InV4[14] = 0x65
    none(v6InV4)
  })
})

describe('ICMP too big (IPv6)', () => {
  it('answers a too-big UDP packet with a valid "packet too big"', () => {
    const frame = ipv6Frame({ payloadLength: 1460 })
    const r = reply(frame, 1424)
    expect(r.length).toBe(14 + 1280)
    checkV6Reply(frame, r, 1424)
  })

  it('answers a packet one byte over the minimum MTU, quoting 1232 bytes of it', () => {
    const frame = ipv6Frame({ payloadLength: 1241 })
    const r = reply(frame, 1280)
    expect(r.length).toBe(14 + 1280)
    checkV6Reply(frame, r, 1280)
    expect(reply(ipv6Frame({ payloadLength: 1240 }), 1280).length).toBe(0)
  })

  it('walks extension headers to tell ICMPv6 errors from the rest', () => {
    const hopByHop = (next: number): Buffer => Buffer.from([next, 0, 1, 4, 0, 0, 0, 0])
    const fragment = (next: number, offset: number): Buffer => Buffer.from([next, 0, offset >> 8, offset & 0xff, 0, 0, 0, 1])
    const ok = (f: Buffer): void => checkV6Reply(f, reply(f, 1400), 1400)
    const none = (f: Buffer): void => expect(reply(f, 1400).length).toBe(0)
    ok(ipv6Frame({ payloadLength: 1460, next: 58, firstPayloadByte: 128 })) // echo request
    none(ipv6Frame({ payloadLength: 1460, next: 58, firstPayloadByte: 1 })) // destination unreachable
    none(ipv6Frame({ payloadLength: 1460, next: 0, extension: hopByHop(58), firstPayloadByte: 2 }))
    ok(ipv6Frame({ payloadLength: 1460, next: 0, extension: hopByHop(58), firstPayloadByte: 129 }))
    none(ipv6Frame({ payloadLength: 1460, next: 44, extension: fragment(58, 0), firstPayloadByte: 3 }))
    ok(ipv6Frame({ payloadLength: 1460, next: 44, extension: fragment(58, 0x100), firstPayloadByte: 3 }))
    // An extension header claiming more than the packet holds is malformed.
    const broken = ipv6Frame({ payloadLength: 1460, next: 60, extension: Buffer.from([6, 255]) })
    none(broken)
    // Nine extension headers in a row: more than we walk.
    const chain = Buffer.concat(Array.from({ length: 9 }, () => hopByHop(60)))
    none(ipv6Frame({ payloadLength: 1460, next: 60, extension: chain }))
  })

  it('gives no reply where none applies', () => {
    const none = (frame: Buffer, mtu = 1400): void => expect(reply(frame, mtu).length).toBe(0)
    none(ipv6Frame({ payloadLength: 1360 })) // 1400 bytes: fits
    none(ipv6Frame({ payloadLength: 1460, src: '::' }))
    none(ipv6Frame({ payloadLength: 1460, src: '::1' }))
    none(ipv6Frame({ payloadLength: 1460, src: 'ff02::1' }))
    none(ipv6Frame({ payloadLength: 1460, dst: 'ff02::1:ff00:3' }))
    none(ipv6Frame({ payloadLength: 1460 }), 1279) // below the IPv6 minimum MTU
    none(ipv6Frame({ payloadLength: 1460 }).subarray(0, 1400)) // truncated
    expect(reply(ipv6Frame({ payloadLength: 1460, src: '::2' }), 1400).length).toBeGreaterThan(0)
  })
})

describe('ICMP too big on garbage', () => {
  /** Any reply must be one the checkers accept for its family. */
  function checkAny(frame: Buffer, mtu: number, outOffset: number): number {
    const out = Buffer.alloc(outOffset + TOO_BIG_REPLY_MAX_BYTES)
    const n = writeTooBig(frame, 0, frame.length, mtu, out, outOffset)
    expect(n).toBeGreaterThanOrEqual(0)
    expect(n).toBeLessThanOrEqual(TOO_BIG_REPLY_MAX_BYTES)
    if (n === 0) return 0
    const r = out.subarray(outOffset, outOffset + n)
    if (frame.readUInt16BE(12) === 0x0800) checkV4Reply(frame, r, mtu)
    else checkV6Reply(frame, r, mtu)
    return n
  }

  it('returns 0 or a valid reply for arbitrary bytes, never throwing', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1600 }), fc.integer({ min: -1, max: 70000 }), fc.nat({ max: 4 }),
      (bytes, mtu, outOffset) => {
        checkAny(Buffer.from(bytes), mtu, outOffset)
        expect(writeTooBig(Buffer.from(bytes), 3, bytes.length, mtu, Buffer.alloc(10), 0)).toBe(0)
      }), { numRuns: 2000 })
  })

  it('returns 0 or a valid reply for damaged real frames', () => {
    const base = fc.oneof(
      fc.integer({ min: 100, max: 1600 }).map((totalLength) => ipv4Frame({ totalLength })),
      fc.integer({ min: 1, max: 1600 }).map((payloadLength) => ipv6Frame({ payloadLength, next: 58, firstPayloadByte: 128 })),
      fc.integer({ min: 1, max: 1600 }).map((payloadLength) => ipv6Frame({ payloadLength, next: 0,
        extension: Buffer.from([58, 0, 1, 4, 0, 0, 0, 0]) })),
    )
    const edits = fc.array(fc.tuple(fc.nat({ max: 80 }), fc.nat({ max: 255 })), { maxLength: 3 })
    let replies = 0
    const cut = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat({ max: 200 }), weight: 1 })
    fc.assert(fc.property(base, edits, fc.integer({ min: 60, max: 1400 }), cut,
      (frame, changes, mtu, cut) => {
        for (const [at, value] of changes) frame[at % frame.length] = value
        if (checkAny(frame.subarray(0, Math.max(0, frame.length - cut)), mtu, 2) > 0) replies++
      }), { numRuns: 3000 })
    // The damage must leave enough frames intact for the reply checks to have run.
    expect(replies).toBeGreaterThan(100)
  })
})
