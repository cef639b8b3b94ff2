/**
 * Ethernet, ARP and ICMP frames for the tests: just enough to build an echo request and to read
 * what the kernel sends back.
 *
 *   Ethernet: dst MAC (6) | src MAC (6) | ethertype (2) | payload
 *   ARP (ethertype 0x0806): htype 1 | ptype 0x0800 | hlen 6 | plen 4 | op (2) |
 *                           sender MAC (6) | sender IP (4) | target MAC (6) | target IP (4)
 *   IPv4 (0x0800), 20-byte header, then ICMP: type (1) | code (1) | checksum (2) | id (2) | seq (2) | data
 */

export const ETHERTYPE_ARP = 0x0806
export const ETHERTYPE_IPV4 = 0x0800
/** IEEE "local experimental": the kernel counts such a frame as received and drops it. */
export const ETHERTYPE_EXPERIMENTAL = 0x88b5

export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.replaceAll(':', ''), 'hex')
}

export function macString(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':')
}

export function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number))
}

export function ipString(bytes: Buffer): string {
  return [...bytes].join('.')
}

/** The Internet checksum (RFC 1071) of `b`. */
export function checksum(b: Buffer): number {
  let sum = 0
  for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (b[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

export interface EchoInit {
  srcMac: string
  dstMac: string
  srcIp: string
  dstIp: string
  id: number
  seq: number
  payload?: Buffer
}

export function icmpEchoRequest(e: EchoInit): Buffer {
  const payload = e.payload ?? Buffer.from('weft tap test')
  const frame = Buffer.alloc(14 + 20 + 8 + payload.length)
  macBytes(e.dstMac).copy(frame, 0)
  macBytes(e.srcMac).copy(frame, 6)
  frame.writeUInt16BE(ETHERTYPE_IPV4, 12)
  const ip = frame.subarray(14, 34)
  ip[0] = 0x45
  ip.writeUInt16BE(20 + 8 + payload.length, 2)
  ip[8] = 64
  ip[9] = 1
  ipBytes(e.srcIp).copy(ip, 12)
  ipBytes(e.dstIp).copy(ip, 16)
  ip.writeUInt16BE(checksum(ip), 10)
  const icmp = frame.subarray(34)
  icmp[0] = 8
  icmp.writeUInt16BE(e.id, 4)
  icmp.writeUInt16BE(e.seq, 6)
  payload.copy(icmp, 8)
  icmp.writeUInt16BE(checksum(icmp), 2)
  return frame
}

export interface ParsedEcho {
  dstMac: string
  srcMac: string
  srcIp: string
  dstIp: string
  type: number
  code: number
  id: number
  seq: number
  payload: Buffer
  checksumsOk: boolean
}

/** Parses an Ethernet/IPv4/ICMP echo frame, or undefined when `frame` is something else. */
export function parseEcho(frame: Buffer): ParsedEcho | undefined {
  if (frame.length < 42 || frame.readUInt16BE(12) !== ETHERTYPE_IPV4 || frame[14] !== 0x45 || frame[23] !== 1) return undefined
  const ip = frame.subarray(14, 34)
  const icmp = frame.subarray(34, 14 + ip.readUInt16BE(2))
  return {
    dstMac: macString(frame.subarray(0, 6)),
    srcMac: macString(frame.subarray(6, 12)),
    srcIp: ipString(ip.subarray(12, 16)),
    dstIp: ipString(ip.subarray(16, 20)),
    type: icmp[0],
    code: icmp[1],
    id: icmp.readUInt16BE(4),
    seq: icmp.readUInt16BE(6),
    payload: Buffer.from(icmp.subarray(8)),
    checksumsOk: checksum(ip) === 0 && checksum(icmp) === 0,
  }
}

export interface ParsedArp {
  dstMac: string
  srcMac: string
  op: number
  senderMac: string
  senderIp: string
  targetIp: string
}

export function parseArp(frame: Buffer): ParsedArp | undefined {
  if (frame.length < 42 || frame.readUInt16BE(12) !== ETHERTYPE_ARP) return undefined
  return {
    dstMac: macString(frame.subarray(0, 6)),
    srcMac: macString(frame.subarray(6, 12)),
    op: frame.readUInt16BE(20),
    senderMac: macString(frame.subarray(22, 28)),
    senderIp: ipString(frame.subarray(28, 32)),
    targetIp: ipString(frame.subarray(38, 42)),
  }
}

/** A minimum-size frame to `dstMac` with the experimental ethertype and `tag` in its payload. */
export function taggedFrame(dstMac: string, tag: number): Buffer {
  const frame = Buffer.alloc(60)
  macBytes(dstMac).copy(frame, 0)
  macBytes('02:00:00:00:00:fe').copy(frame, 6)
  frame.writeUInt16BE(ETHERTYPE_EXPERIMENTAL, 12)
  frame.writeUInt32BE(tag, 14)
  return frame
}
