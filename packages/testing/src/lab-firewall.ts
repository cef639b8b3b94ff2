/**
 * The nftables table `inet weftlab` the lab keeps inside a host namespace to cut links:
 *
 *   set block_all  { ipv4_addr }   peers whose traffic is dropped both ways
 *   set block_udp  { ipv4_addr }   peers whose UDP is dropped both ways
 *   chain input    hook input      ip saddr @block_all drop; udp + ip saddr @block_udp drop; jump udp_size
 *   chain output   hook output     ip daddr @block_all drop; udp + ip daddr @block_udp drop; jump udp_size
 *   chain udp_size                 eth0 in/out: udp with ip length > N drop (limitUdpSize)
 *
 * Every script is one nft transaction and idempotent: objects are `add`ed (a no-op when present),
 * the fixed chains are flushed and refilled, and an element is added before it is deleted.
 */
import { HOST_IFACE, NFT_TABLE } from './constants.js'
import { LabError } from './errors.js'

/** Runs an nft script (`nft -f -`) inside the host. */
export type NftRunner = (script: string) => Promise<void>

/** Which traffic a block drops. */
export type BlockKind = 'all' | 'udp'

const MIN_UDP_LIMIT = 28 // IPv4 + UDP headers
const MAX_UDP_LIMIT = 65535

function tableScript (): string {
  const t = `inet ${NFT_TABLE}`
  return [
    `add table ${t}`,
    `add set ${t} block_all { type ipv4_addr; }`,
    `add set ${t} block_udp { type ipv4_addr; }`,
    `add chain ${t} udp_size`,
    `add chain ${t} input { type filter hook input priority 0; policy accept; }`,
    `add chain ${t} output { type filter hook output priority 0; policy accept; }`,
    `flush chain ${t} input`,
    `flush chain ${t} output`,
    `add rule ${t} input ip saddr @block_all counter drop`,
    `add rule ${t} input meta l4proto udp ip saddr @block_udp counter drop`,
    `add rule ${t} input jump udp_size`,
    `add rule ${t} output ip daddr @block_all counter drop`,
    `add rule ${t} output meta l4proto udp ip daddr @block_udp counter drop`,
    `add rule ${t} output jump udp_size`,
  ].join('\n') + '\n'
}

/** Starts or stops dropping `kind` traffic to and from `peer` (an IPv4 address). */
export async function setBlocked (nft: NftRunner, peer: string, kind: BlockKind, blocked: boolean): Promise<void> {
  const set = kind === 'all' ? 'block_all' : 'block_udp'
  const el = `add element inet ${NFT_TABLE} ${set} { ${peer} }`
  const script = blocked ? el : `${el}\ndelete element inet ${NFT_TABLE} ${set} { ${peer} }`
  await nft(tableScript() + script + '\n')
}

/** Removes every block on `peer`. */
export async function clearBlocks (nft: NftRunner, peer: string): Promise<void> {
  const lines = ['block_all', 'block_udp'].flatMap((set) => [
    `add element inet ${NFT_TABLE} ${set} { ${peer} }`,
    `delete element inet ${NFT_TABLE} ${set} { ${peer} }`,
  ])
  await nft(tableScript() + lines.join('\n') + '\n')
}

/**
 * Drops UDP datagrams whose IPv4 total length (header included) exceeds `maxBytes`, in and out
 * of `eth0`; `null` lifts the limit. Outbound, the check sees the datagram before fragmentation.
 */
export async function setUdpSizeLimit (nft: NftRunner, maxBytes: number | null): Promise<void> {
  const t = `inet ${NFT_TABLE}`
  const lines = [`flush chain ${t} udp_size`]
  if (maxBytes !== null) {
    if (!Number.isInteger(maxBytes) || maxBytes < MIN_UDP_LIMIT || maxBytes > MAX_UDP_LIMIT) {
      throw new LabError('ERR_LAB_INIT', `limitUdpSize: maxBytes must be an integer in ${MIN_UDP_LIMIT}..${MAX_UDP_LIMIT}, got ${maxBytes}`)
    }
    lines.push(
      `add rule ${t} udp_size iifname "${HOST_IFACE}" meta l4proto udp ip length > ${maxBytes} counter drop`,
      `add rule ${t} udp_size oifname "${HOST_IFACE}" meta l4proto udp ip length > ${maxBytes} counter drop`,
    )
  }
  await nft(tableScript() + lines.join('\n') + '\n')
}
