import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  DEFAULT_MTU, DEFAULT_SUBNET, HOST_ADDRESS_OFFSET, HOST_IFACE, KILL_WAIT_MS, LAB_MARKER_FILE,
  MAX_IFNAME_LENGTH, SETUP_COMMAND_TIMEOUT_MS, SWITCH_BRIDGE, SWITCH_SUFFIX,
} from './constants.js'
import { LabError } from './errors.js'
import { clearBlocks, setBlocked, setUdpSizeLimit, type NftRunner } from './lab-firewall.js'
import { LabHost, type LabHostContext } from './lab-host.js'
import { isLabHostName, isLabNamespace, labDirPath, makeLabPrefix } from './lab-names.js'
import type { LabProcess } from './lab-process.js'
import { registerLab, unregisterLab } from './lab-registry.js'
import { deleteLabNamespace, deleteLabNamespaceSync, listNamespaces, listNamespacesSync } from './netns.js'
import { parseIpv4Subnet, subnetAddress, subnetCapacity } from './ipv4-subnet.js'
import { runCommand } from './run-command.js'
import { sweepStaleLabs } from './sweep-stale-labs.js'

/** Options of `createLab`. */
export interface LabInit {
  /** Short host names, `[a-z0-9]{1,6}`, unique; host `i` gets underlay address `.(10+i)`. */
  hosts: string[]
  /** Underlay subnet (default `198.18.0.0/24`, the RFC 2544 benchmarking range). */
  subnet?: string
  /** MTU of the underlay links (default 1500). */
  mtu?: number
  /** Hosts with IPv4 forwarding on (default none). */
  forwarding?: string[]
}

/**
 * A set of hosts (network namespaces) on one private underlay switch, with no route out of
 * the machine. Everything it creates carries its `prefix`; `destroy()` removes all of it.
 */
export class Lab implements LabHostContext {
  /** Per-run prefix of every name the lab creates (`w<base36 pid><3 random chars>`). */
  readonly prefix: string
  /** The lab's temp dir (`os.tmpdir()/weft-lab-<prefix>`): hosts' WEFT_HOMEs and captures. */
  readonly dir: string
  private readonly byName = new Map<string, LabHost>()
  private readonly running = new Set<LabProcess>()
  private destroying: Promise<void> | undefined
  private destroyed = false

  /** Use `createLab`. */
  constructor (prefix: string) {
    this.prefix = prefix
    this.dir = labDirPath(prefix)
  }

  /** The host called `name`. */
  host (name: string): LabHost {
    const h = this.byName.get(name)
    if (h === undefined) {
      throw new LabError('ERR_LAB_UNKNOWN_HOST', `no host "${name}" in lab ${this.prefix}; hosts are ${[...this.byName.keys()].join(', ')}`)
    }
    return h
  }

  /** All hosts, in `LabInit.hosts` order. */
  hosts (): LabHost[] {
    return [...this.byName.values()]
  }

  /** The switch namespace (holds bridge `br0` and one port per host). */
  get switchNetns (): string {
    return `${this.prefix}-${SWITCH_SUFFIX}`
  }

  /** Drops all IPv4 traffic between the underlay addresses of `a` and `b` (rules on both). */
  async blockAll (a: LabHost, b: LabHost): Promise<void> {
    await this.onPair(a, b, (nft, peer) => setBlocked(nft, peer.address, 'all', true))
  }

  /** Drops UDP between the underlay addresses of `a` and `b` (rules on both). */
  async blockUdp (a: LabHost, b: LabHost): Promise<void> {
    await this.onPair(a, b, (nft, peer) => setBlocked(nft, peer.address, 'udp', true))
  }

  /** Lifts every block between `a` and `b`. */
  async unblock (a: LabHost, b: LabHost): Promise<void> {
    await this.onPair(a, b, (nft, peer) => clearBlocks(nft, peer.address))
  }

  /**
   * Drops UDP datagrams with IPv4 total length > `maxBytes` entering or leaving `host`'s eth0;
   * `null` lifts the limit.
   */
  async limitUdpSize (host: LabHost, maxBytes: number | null): Promise<void> {
    this.own(host)
    await setUdpSizeLimit((s) => host.nft(s), maxBytes)
  }

  /** @internal */
  checkAlive (): void {
    if (this.destroyed) throw new LabError('ERR_LAB_DESTROYED', `lab ${this.prefix} is destroyed`)
  }

  /** @internal */
  track (proc: LabProcess, running: boolean): void {
    if (running && !proc.exited()) this.running.add(proc)
    else this.running.delete(proc)
  }

  /**
   * Kills every process started through the lab and every process inside its namespaces
   * (including containers weft created, `${prefix}-*`), deletes the namespaces and the temp dir.
   * Idempotent; safe to call when `createLab` got only halfway.
   */
  async destroy (): Promise<void> {
    this.destroying ??= this.teardown()
    return await this.destroying
  }

  /** Synchronous best-effort `destroy` for `process.on('exit')`. */
  destroySync (): void {
    this.destroyed = true
    for (const p of this.running) p.kill('SIGKILL')
    try {
      for (const ns of listNamespacesSync()) {
        if (isLabNamespace(ns, this.prefix)) deleteLabNamespaceSync(ns)
      }
    } catch {}
    try { rmSync(this.dir, { recursive: true, force: true }) } catch {}
    unregisterLab(this)
  }

  /** @internal Builds the topology; on failure the caller destroys. */
  async build (init: Required<Omit<LabInit, 'forwarding'>> & { forwarding: string[] }): Promise<void> {
    const subnet = parseIpv4Subnet(init.subnet)
    const len = subnet.prefixLength
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    writeFileSync(join(this.dir, LAB_MARKER_FILE), JSON.stringify({ prefix: this.prefix, pid: process.pid, hosts: init.hosts }) + '\n')
    registerLab(this)
    init.hosts.forEach((name, i) => {
      this.byName.set(name, new LabHost(this, name, subnetAddress(subnet, HOST_ADDRESS_OFFSET + i)))
    })

    const sw = this.switchNetns
    const ip = async (args: string[], input?: string): Promise<void> => {
      await runCommand('ip', args, { input, timeoutMs: SETUP_COMMAND_TIMEOUT_MS, track: (p, r) => this.track(p, r) })
    }
    await ip(['netns', 'add', sw])
    await ip(['-n', sw, '-batch', '-'], [
      'link set lo up',
      `link add ${SWITCH_BRIDGE} mtu ${init.mtu} type bridge`,
      `link set ${SWITCH_BRIDGE} up`,
    ].join('\n') + '\n')
    await Promise.all(this.hosts().map(async (h) => {
      mkdirSync(h.home, { recursive: true, mode: 0o700 })
      await ip(['netns', 'add', h.netns])
      await ip(['-n', h.netns, '-batch', '-'], [
        'link set lo up',
        `link add ${HOST_IFACE} mtu ${init.mtu} type veth peer name ${this.portName(h)} mtu ${init.mtu} netns ${sw}`,
        `addr add ${h.address}/${len} dev ${HOST_IFACE}`,
        `link set ${HOST_IFACE} up`,
      ].join('\n') + '\n')
    }))
    await ip(['-n', sw, '-batch', '-'], this.hosts().map((h) => `link set ${this.portName(h)} master ${SWITCH_BRIDGE} up`).join('\n') + '\n')
    await Promise.all(init.forwarding.map(async (name) => await this.host(name).sysctl('net.ipv4.ip_forward', '1')))
  }

  private portName (h: LabHost): string {
    const port = `${this.prefix}${h.name}`
    if (port.length > MAX_IFNAME_LENGTH) throw new LabError('ERR_LAB_INIT', `interface name ${port} is longer than ${MAX_IFNAME_LENGTH}`)
    return port
  }

  private own (h: LabHost): void {
    if (this.byName.get(h.name) !== h) throw new LabError('ERR_LAB_UNKNOWN_HOST', `host ${h.netns} is not part of lab ${this.prefix}`)
  }

  private async onPair (a: LabHost, b: LabHost, fn: (nft: NftRunner, peer: LabHost) => Promise<void>): Promise<void> {
    this.own(a)
    this.own(b)
    if (a === b) throw new LabError('ERR_LAB_INIT', `cannot block host ${a.name} from itself`)
    await Promise.all([fn((s) => a.nft(s), b), fn((s) => b.nft(s), a)])
  }

  private async teardown (): Promise<void> {
    this.destroyed = true
    const problems: string[] = []
    // 1. Processes we started (whole process groups), and wait until they are reaped.
    const procs = [...this.running]
    for (const p of procs) p.kill('SIGKILL')
    await Promise.race([
      Promise.allSettled(procs.map(async (p) => await p.wait())),
      sleep(KILL_WAIT_MS, undefined, { ref: false }),
    ])
    // 2. Everything inside every namespace of the lab, then the namespaces themselves.
    try {
      const mine = (await listNamespaces()).filter((ns) => isLabNamespace(ns, this.prefix))
      const results = await Promise.allSettled(mine.map(async (ns) => await deleteLabNamespace(ns)))
      for (const r of results) if (r.status === 'rejected') problems.push(String((r.reason as Error).message))
    } catch (e) {
      problems.push((e as Error).message)
    }
    // 3. The temp dir (last: it holds the marker sweepStaleLabs needs).
    try { rmSync(this.dir, { recursive: true, force: true }) } catch (e) { problems.push((e as Error).message) }
    unregisterLab(this)
    if (problems.length > 0) throw new LabError('ERR_LAB_SETUP', `destroy of lab ${this.prefix} incomplete:\n${problems.join('\n')}`)
  }
}

function validate (init: LabInit): Required<Omit<LabInit, 'forwarding'>> & { forwarding: string[] } {
  const hosts = init.hosts
  if (!Array.isArray(hosts) || hosts.length === 0) throw new LabError('ERR_LAB_INIT', 'LabInit.hosts must name at least one host')
  for (const h of hosts) {
    if (!isLabHostName(h)) throw new LabError('ERR_LAB_INIT', `host name "${h}" must match [a-z0-9]{1,6} (and not be "sw")`)
  }
  if (new Set(hosts).size !== hosts.length) throw new LabError('ERR_LAB_INIT', `host names must be unique: ${hosts.join(', ')}`)
  const subnet = init.subnet ?? DEFAULT_SUBNET
  const capacity = subnetCapacity(parseIpv4Subnet(subnet))
  if (HOST_ADDRESS_OFFSET + hosts.length - 1 > capacity) throw new LabError('ERR_LAB_INIT', `subnet ${subnet} has no room for ${hosts.length} hosts from .${HOST_ADDRESS_OFFSET}`)
  const mtu = init.mtu ?? DEFAULT_MTU
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65535) throw new LabError('ERR_LAB_INIT', `mtu ${mtu} must be an integer in 576..65535`)
  const forwarding = init.forwarding ?? []
  for (const f of forwarding) {
    if (!hosts.includes(f)) throw new LabError('ERR_LAB_INIT', `forwarding names unknown host "${f}"`)
  }
  return { hosts: [...hosts], subnet, mtu, forwarding }
}

/**
 * Builds a lab: a switch namespace `${prefix}-sw` with bridge `br0`, and per host a namespace
 * `${prefix}-${name}` whose `eth0` is a veth into the bridge. Sweeps stale labs first.
 */
export async function createLab (init: LabInit): Promise<Lab> {
  const checked = validate(init)
  await sweepStaleLabs()
  const taken = new Set((await listNamespaces()).map((ns) => ns.split('-')[0]))
  let prefix = makeLabPrefix()
  while (taken.has(prefix)) prefix = makeLabPrefix()
  const lab = new Lab(prefix)
  try {
    await lab.build(checked)
  } catch (e) {
    await lab.destroy().catch(() => {})
    throw e instanceof LabError ? e : new LabError('ERR_LAB_SETUP', `cannot build lab ${prefix}: ${(e as Error).message}`, { cause: e })
  }
  return lab
}

/** Creates a lab, runs `fn` with it, and destroys it whatever `fn` does. */
export async function withLab<T> (init: LabInit, fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await createLab(init)
  try {
    return await fn(lab)
  } finally {
    await lab.destroy()
  }
}
