// Ethernet header fields, read in place. MACs travel as plain JS numbers (48 bits fit exactly
// below 2^53), so the MAC table is a Map<number, ...> and forwarding allocates nothing.
//
//  0                       6                       12          14
//  +-----------------------+-----------------------+-----------+------------ ...
//  |  destination MAC      |  source MAC           | EtherType | payload
//  +-----------------------+-----------------------+-----------+------------ ...
//
// Data path: the readers do not check bounds; the caller guarantees a whole header is present
// (bundles never carry frames shorter than ETH_HEADER_BYTES).

import { ETH_SOURCE_OFFSET, ETH_TYPE_OFFSET } from './constants.js'
import { WireError } from './errors.js'

const TWO_POW_32 = 0x1_0000_0000
const MAX_MAC = 0xffff_ffff_ffff
const MAC_TEXT = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/

/** The 6-byte MAC at `buf[offset]` as a number in 0 .. 2^48 - 1. */
export function macToNumber(buf: Buffer, offset: number): number {
  const high = (buf[offset] << 8) | buf[offset + 1]
  const low = ((buf[offset + 2] << 24) | (buf[offset + 3] << 16) | (buf[offset + 4] << 8) | buf[offset + 5]) >>> 0
  return high * TWO_POW_32 + low
}

/** Writes the MAC `mac` (a number from macToNumber or parseMac) as 6 bytes at `buf[offset]`. */
export function writeMac(mac: number, buf: Buffer, offset: number): void {
  const high = Math.floor(mac / TWO_POW_32)
  const low = mac >>> 0
  buf[offset] = high >>> 8
  buf[offset + 1] = high & 0xff
  buf[offset + 2] = low >>> 24
  buf[offset + 3] = (low >>> 16) & 0xff
  buf[offset + 4] = (low >>> 8) & 0xff
  buf[offset + 5] = low & 0xff
}

/** Whether the MAC at `buf[offset]` is a group address (I/G bit set): multicast or broadcast. */
export function isMulticastMac(buf: Buffer, offset: number): boolean {
  return (buf[offset] & 0x01) !== 0
}

/** The EtherType of the frame starting at `buf[offset]` (the raw field: 0x8100 for a VLAN tag). */
export function etherType(buf: Buffer, offset: number): number {
  return (buf[offset + ETH_TYPE_OFFSET] << 8) | buf[offset + ETH_TYPE_OFFSET + 1]
}

/** Formats a MAC number as `aa:bb:cc:dd:ee:ff`. Throws WireError ERR_BAD_MAC if out of range. */
export function macToString(mac: number): string {
  if (!(Number.isInteger(mac) && mac >= 0 && mac <= MAX_MAC)) {
    throw new WireError('ERR_BAD_MAC', `${mac} is not a MAC address: pass an integer in 0..2^48-1`)
  }
  return mac.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:')
}

/** Parses `aa:bb:cc:dd:ee:ff` (any case) into a number. Throws WireError ERR_BAD_MAC. */
export function parseMac(s: string): number {
  if (typeof s !== 'string' || !MAC_TEXT.test(s)) {
    const shown = typeof s === 'string' ? JSON.stringify(s.slice(0, 40)) : typeof s
    throw new WireError('ERR_BAD_MAC', `${shown} is not a MAC address: write six hex pairs separated by colons`)
  }
  return Number.parseInt(s.replace(/:/g, ''), 16)
}
