// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
// big-endian words. Used by IPv4 headers, ICMP, ICMPv6 (with its pseudo-header), UDP and TCP.
// Data path: allocates nothing.

/**
 * Adds `buf[start .. end)` to a running sum as big-endian 16-bit words (an odd last byte is
 * padded with zero) and returns the unfolded sum. Chain calls for several ranges; every range but
 * the last must have an even length. Stays exact for any packet size (sums stay below 2^53).
 */
export function onesComplementSum(buf: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start
  for (; i + 1 < end; i += 2) sum += (buf[i] << 8) | buf[i + 1]
  if (i < end) sum += buf[i] << 8
  return sum
}

/** Folds a running sum (from onesComplementSum, plus any words added by hand) into a checksum. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return ~sum & 0xffff
}

/**
 * The checksum of `buf[offset .. offset + length)` plus an optional partial sum (e.g. a
 * pseudo-header). Over data that includes a correct checksum field, the result is 0.
 */
export function internetChecksum(buf: Uint8Array, offset: number, length: number, partialSum = 0): number {
  return finishChecksum(onesComplementSum(buf, offset, offset + length, partialSum))
}
