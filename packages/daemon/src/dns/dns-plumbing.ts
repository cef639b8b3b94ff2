/**
 * Host plumbing of the DNS server: how containers reach it.
 *
 *   host (router) namespace                    container namespace
 *   ┌───────────────────────────────┐         ┌──────────────────────────────────────────┐
 *   │ bridge weft  169.254.53.53/32 │── veth ─│ ethwe 10.32.0.5/12                       │
 *   │   MAC pinned                  │         │ route 169.254.53.53 dev ethwe src 10.32.0.5│
 *   │ rule from 169.254.53.53       │         │ neigh 169.254.53.53 = bridge MAC (permanent)│
 *   │   lookup table 53053:         │         │ /etc/netns/<ns>/resolv.conf (weft run)   │
 *   │   10.32.0.5/32 dev weft       │         │                                          │
 *   └───────────────────────────────┘         └──────────────────────────────────────────┘
 *
 * Every host's bridge has the same link-local address, and the bridges of all hosts are one
 * Ethernet segment through the mesh, so a container must never ARP for it (any router could
 * answer): it gets a permanent neighbour entry with its own host's bridge MAC, which is pinned
 * (a Linux bridge otherwise takes the lowest MAC of its ports, which changes as ports come and
 * go). The host answers from the bridge address, so it needs a route back to each local
 * container address: a /32 on the bridge, in a table of its own that only packets from the DNS
 * address use (the host does not reach containers unless it is exposed). Every step is
 * idempotent.
 */
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { linkMac, parseCidr, runIp, withNetnsName, type NetnsTarget } from '../host/index.js'
import { DNS_ROUTE_TABLE, DNS_RULE_PRIORITY } from './constants.js'

const TABLE = ['table', String(DNS_ROUTE_TABLE)]
const RULE = ['priority', String(DNS_RULE_PRIORITY), ...TABLE]

/** Gives the bridge the DNS address (a /32) and pins its MAC; resolves to the MAC. */
export async function ensureDnsAddress(bridge: string, address: string): Promise<string> {
  const mac = await linkMac(bridge)
  await runIp(['link', 'set', 'dev', bridge, 'address', mac])
  await runIp(['addr', 'replace', `${address}/32`, 'dev', bridge])
  await runIp(['rule', 'del', ...RULE], { allowFail: true })
  await runIp(['rule', 'add', 'from', address, ...RULE])
  return mac
}

/** Takes away what ensureDnsAddress and the container routes added (for `weft reset`). */
export async function removeDnsRouting(): Promise<void> {
  await runIp(['rule', 'del', ...RULE], { allowFail: true })
  await runIp(['route', 'flush', ...TABLE], { allowFail: true })
}

/** The IPv4 addresses (without prefix) of a container's CIDRs. */
export function ipv4Of(cidrs: readonly string[]): string[] {
  const out: string[] = []
  for (const c of cidrs) {
    try {
      const p = parseCidr(c)
      if (!p.address.includes(':')) out.push(p.address)
    } catch {
      // not ours to judge here: the container manager checked it
    }
  }
  return out
}

export interface ContainerDnsRoute {
  target: NetnsTarget
  ifName: string
  bridge: string
  dnsAddress: string
  bridgeMac: string
  /** The container's IPv4 addresses; the first is the source of its queries. */
  addresses: readonly string[]
}

/** Routes between a container and the DNS address, both ways (see the file comment). */
export async function routeContainerToDns(r: ContainerDnsRoute): Promise<void> {
  if (r.addresses.length === 0) return
  for (const a of r.addresses) await runIp(['route', 'replace', `${a}/32`, 'dev', r.bridge, 'scope', 'link', ...TABLE])
  await withNetnsName(r.target, async (netns) => {
    await runIp(['neigh', 'replace', r.dnsAddress, 'lladdr', r.bridgeMac, 'dev', r.ifName, 'nud', 'permanent'], { netns })
    await runIp(['route', 'replace', `${r.dnsAddress}/32`, 'dev', r.ifName, 'scope', 'link', 'src', r.addresses[0]], { netns })
  })
}

/** Removes the host routes to a container's addresses (its side went with its veth). */
export async function unrouteContainer(bridge: string, addresses: readonly string[]): Promise<void> {
  for (const a of addresses) await runIp(['route', 'del', `${a}/32`, 'dev', bridge, ...TABLE], { allowFail: true })
}

/** The resolv.conf a container created by `weft run` gets. */
export function containerResolvConf(dnsAddress: string, domain: string): string {
  return `# written by weft: the weft DNS of this host (docs/DNS.md)\nnameserver ${dnsAddress}\nsearch ${domain.replace(/\.$/, '')}\n`
}

/** Writes `<etcDir>/<netns>/resolv.conf`, which `ip netns exec` bind-mounts over /etc/resolv.conf. */
export async function writeNetnsResolvConf(etcDir: string, netns: string, text: string): Promise<void> {
  const dir = join(etcDir, netns)
  await mkdir(dir, { recursive: true, mode: 0o755 })
  await writeFile(join(dir, 'resolv.conf'), text, { mode: 0o644 })
}

/** Removes what writeNetnsResolvConf wrote (and the directory, if nothing else is in it). */
export async function removeNetnsResolvConf(etcDir: string, netns: string): Promise<void> {
  const dir = join(etcDir, netns)
  await rm(join(dir, 'resolv.conf'), { force: true })
  await rmdir(dir).catch(() => undefined)
}
