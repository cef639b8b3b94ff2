/**
 * A minimal reader of classic pcap files (what `tcpdump -w` writes).
 *
 * Global header (24 bytes), in the writer's byte order, told by the magic:
 *
 *    0                   1                   2                   3
 *   +-------+-------+-------+-------+
 *   | magic 0xa1b2c3d4 (us) / 0xa1b23c4d (ns)  |  0
 *   +-------+-------+-------+-------+
 *   | version major | version minor |  4   (2, 4)
 *   +-------+-------+-------+-------+
 *   | thiszone (int32)              |  8
 *   | sigfigs                       | 12
 *   | snaplen                       | 16
 *   | link type (1 = Ethernet)      | 20
 *   +-------------------------------+
 *
 * Then records: a 16-byte header (ts_sec, ts_usec/nsec, incl_len, orig_len) and incl_len bytes.
 */
import { LabError } from './errors.js'

const MAGIC_US = 0xa1b2c3d4
const MAGIC_NS = 0xa1b23c4d
const MAGIC_PCAPNG = 0x0a0d0d0a
const GLOBAL_HEADER_BYTES = 24
const RECORD_HEADER_BYTES = 16
const SUPPORTED_MAJOR = 2

/** A parsed pcap file. */
export interface Pcap {
  /** Link-layer type of every frame (1 = Ethernet, 113 = Linux cooked). */
  linkType: number
  /** True when timestamps are in nanoseconds. */
  nanosecond: boolean
  /** The captured frames, in file order; views into the input buffer (no copies). */
  packets: Buffer[]
}

/** Parses a pcap file; rejects anything else, or a truncated record, with ERR_LAB_PCAP. */
export function readPcap (buf: Buffer): Pcap {
  if (buf.length < GLOBAL_HEADER_BYTES) {
    throw new LabError('ERR_LAB_PCAP', `not a pcap file: ${buf.length} bytes is shorter than the 24-byte header`)
  }
  const be = buf.readUInt32BE(0)
  const le = buf.readUInt32LE(0)
  let little: boolean
  if (be === MAGIC_US || be === MAGIC_NS) little = false
  else if (le === MAGIC_US || le === MAGIC_NS) little = true
  else if (be === MAGIC_PCAPNG) throw new LabError('ERR_LAB_PCAP', 'pcapng files are not supported; capture with tcpdump -w (classic pcap)')
  else throw new LabError('ERR_LAB_PCAP', `not a pcap file: bad magic 0x${be.toString(16).padStart(8, '0')}`)
  const u16 = (o: number): number => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o))
  const u32 = (o: number): number => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o))

  const nanosecond = u32(0) === MAGIC_NS
  const major = u16(4)
  if (major !== SUPPORTED_MAJOR) throw new LabError('ERR_LAB_PCAP', `unsupported pcap version ${major}.${u16(6)}`)
  const linkType = u32(20) & 0x0fffffff // upper bits carry FCS flags

  const packets: Buffer[] = []
  let off = GLOBAL_HEADER_BYTES
  while (off < buf.length) {
    if (buf.length - off < RECORD_HEADER_BYTES) {
      throw new LabError('ERR_LAB_PCAP', `truncated pcap: record header at byte ${off} needs 16 bytes, ${buf.length - off} left`)
    }
    const inclLen = u32(off + 8)
    const origLen = u32(off + 12)
    if (inclLen > origLen) {
      throw new LabError('ERR_LAB_PCAP', `corrupt pcap: record at byte ${off} has captured length ${inclLen} > original length ${origLen}`)
    }
    const start = off + RECORD_HEADER_BYTES
    if (inclLen > buf.length - start) {
      throw new LabError('ERR_LAB_PCAP', `truncated pcap: record at byte ${off} needs ${inclLen} bytes, ${buf.length - start} left`)
    }
    packets.push(buf.subarray(start, start + inclLen))
    off = start + inclLen
  }
  return { linkType, nanosecond, packets }
}
