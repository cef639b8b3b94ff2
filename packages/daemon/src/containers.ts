import type { ContainerInfo, CreateContainerRequest, NetnsTarget } from '@weft/api'
import type { ContainerRecord, Store } from '@weft/store'
import type { Logger } from 'pino'
import { CONTAINER_IFNAME } from './constants.js'
import { DaemonError } from './errors.js'
import {
  addContainerAddresses, attachContainer, createNetns, deleteNetns, detachContainer, hostVethName, linkExists, netnsExists, parseCidr,
  removeContainerAddresses, resolveNetnsTarget, runIp,
} from './host/index.js'

export interface ContainerManagerInit {
  bridge: string
  mtu: number
  netnsPrefix: string
  /** Mixed into host-side veth names so routers sharing a kernel never collide. */
  vethSalt: string
}

/** Is a process alive? (signal 0 probes without signalling.) */
export function processAlive(pid: number | undefined | null): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** What happened to a container, for the services that follow containers (IPAM, DNS). */
export type ContainerEvent =
  | { kind: 'added'; container: ContainerRecord }
  /** `reason`: `removed` (by a user), `died` (its process or namespace is gone), `reset`. */
  | { kind: 'removed'; container: ContainerRecord; reason: 'removed' | 'died' | 'reset' }
  /** IPAM moved it from address `old` to `next` (CIDRs); `container` is the new record. */
  | { kind: 'readdressed'; container: ContainerRecord; old: string; next: string }

export type ContainerListener = (event: ContainerEvent) => void | Promise<void>

/** Turns what a create request asked for into addresses (IPAM), and undoes that on failure. */
export interface ContainerAddresses {
  addresses(name: string, requested: readonly string[]): Promise<string[]>
  release(name: string): Promise<void>
}

/**
 * Containers: network namespaces joined to the bridge by a veth pair, their addresses, and
 * their records in the store. Operations run one at a time; listeners hear of every container
 * added, re-addressed and removed (awaited, in order, inside the operation).
 */
export class ContainerManager {
  private queue: Promise<unknown> = Promise.resolve()
  private readonly listeners: ContainerListener[] = []

  constructor(
    private readonly init: ContainerManagerInit, private readonly store: Store, private readonly logger: Logger,
    private readonly ipam?: ContainerAddresses,
  ) {}

  /** Calls `listener` for every container added or removed from now on. */
  onEvent(listener: ContainerListener): void {
    this.listeners.push(listener)
  }

  list(): ContainerInfo[] {
    return this.store.listContainers().map((r) => this.info(r))
  }

  get(name: string): ContainerInfo {
    const r = this.store.getContainer(name)
    if (!r) throw new DaemonError('ERR_NOT_FOUND', `no container named '${name}': see 'weft ps'`)
    return this.info(r)
  }

  async create(req: CreateContainerRequest): Promise<ContainerInfo> {
    const exists = () => new DaemonError('ERR_CONFLICT', `a container named '${req.name}' exists already: remove it with 'weft rm ${req.name}'`)
    if (this.store.getContainer(req.name)) throw exists()
    // Addresses come first, outside the queue: an allocation may wait for peers.
    const requested = this.ipam ? await this.ipam.addresses(req.name, req.cidrs) : req.cidrs
    return this.serial(async () => {
      if (this.store.getContainer(req.name)) throw exists()
      try {
        return await this.attach(req, requested)
      } catch (err) {
        await this.ipam?.release(req.name)
        throw err
      }
    })
  }

  private async attach(req: CreateContainerRequest, requested: readonly string[]): Promise<ContainerInfo> {
    if (requested.length === 0) throw new DaemonError('ERR_BAD_REQUEST', `give the container an address with --ip CIDR (e.g. --ip 10.32.0.5/12)`)
    const cidrs = requested.map((c) => {
      const p = parseCidr(c)
      return `${p.address}/${p.prefix}`
    })
    let target: NetnsTarget
    const ownsNetns = !req.target
    if (req.target) {
      target = resolveNetnsTarget(req.target.value)
    } else {
      target = { kind: 'name', value: `${this.init.netnsPrefix}${req.name}` }
      await createNetns(target.value)
    }
    const hostVeth = hostVethName(req.name, this.init.vethSalt)
    let mac: string
    try {
      ({ mac } = await attachContainer({ target, hostVeth, ifName: CONTAINER_IFNAME, bridge: this.init.bridge, mtu: this.init.mtu, cidrs }))
    } catch (err) {
      if (ownsNetns) await deleteNetns(target.value)
      throw err
    }
    const rec: ContainerRecord = {
      name: req.name,
      netns: target.kind === 'name' ? target.value : `pid:${target.value}`,
      ownsNetns,
      hostVeth,
      ifName: CONTAINER_IFNAME,
      mac,
      cidrs,
      createdAt: Date.now(),
      ...(target.kind === 'pid' ? { pid: Number(target.value) } : {}),
    }
    await this.store.putContainer(rec)
    this.logger.info({ container: req.name, netns: rec.netns, cidrs }, 'container attached')
    await this.emit({ kind: 'added', container: rec })
    return this.info(rec)
  }

  setPid(name: string, pid: number): Promise<ContainerInfo> {
    return this.serial(async () => {
      this.get(name)
      await this.store.setContainerPid(name, pid)
      return this.get(name)
    })
  }

  /**
   * Gives container `name` the address `next` in place of `old` (IPAM revoked `old`): on its
   * interface and in its record. False if the container or its address `old` is gone.
   */
  readdress(name: string, old: string, next: string): Promise<boolean> {
    return this.serial(async () => {
      const r = this.store.getContainer(name)
      if (!r || !r.cidrs.includes(old)) return false
      const target = this.targetOf(r)
      // old first: deleting a primary address also deletes the secondaries of its subnet
      await removeContainerAddresses(target, r.ifName, [old])
      await addContainerAddresses(target, r.ifName, [next])
      const rec = { ...r, cidrs: r.cidrs.map((c) => (c === old ? next : c)) }
      await this.store.putContainer(rec)
      this.logger.warn({ container: name, old, new: next }, 'container re-addressed')
      await this.emit({ kind: 'readdressed', container: rec, old, next })
      return true
    })
  }

  remove(name: string): Promise<{ removed: boolean }> {
    return this.serial(async () => {
      const r = this.store.getContainer(name)
      if (!r) throw new DaemonError('ERR_NOT_FOUND', `no container named '${name}': see 'weft ps'`)
      await this.forget(r, 'removed')
      this.logger.info({ container: name }, 'container removed')
      return { removed: true }
    })
  }

  /**
   * Removes containers that died: the veth vanished (host rebooted, namespace deleted by hand),
   * or the process the container was started for (`run -d`, `attach PID`) exited. Runs at start
   * and periodically; returns the names removed.
   */
  sweep(): Promise<string[]> {
    return this.serial(async () => {
      const dead: string[] = []
      for (const r of this.store.listContainers()) {
        const why = !(await linkExists(r.hostVeth)) ? 'container link is gone' : r.pid !== undefined && !processAlive(r.pid) ? 'container process exited' : null
        if (why === null) continue
        this.logger.warn({ container: r.name, netns: r.netns, pid: r.pid }, `${why}: removing the container`)
        await this.forget(r, 'died')
        dead.push(r.name)
      }
      return dead
    })
  }

  /** Removes every container (for `weft reset`). */
  removeAll(): Promise<void> {
    return this.serial(async () => {
      for (const r of this.store.listContainers()) await this.forget(r, 'reset')
    })
  }

  private async forget(r: ContainerRecord, reason: 'removed' | 'died' | 'reset'): Promise<void> {
    await this.teardown(r)
    await this.store.deleteContainer(r.name)
    await this.emit({ kind: 'removed', container: r, reason })
  }

  private async emit(event: ContainerEvent): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(event)
      } catch (err) {
        this.logger.error({ container: event.container.name, err: (err as Error).message }, `a ${event.kind} container listener failed`)
      }
    }
  }

  private async teardown(r: ContainerRecord): Promise<void> {
    const target = this.targetOf(r)
    if (r.ownsNetns) await this.killNetnsProcesses(r.netns)
    await detachContainer({ target, hostVeth: r.hostVeth, ifName: r.ifName })
    if (r.ownsNetns) await deleteNetns(r.netns)
  }

  private async killNetnsProcesses(netns: string): Promise<void> {
    if (!(await netnsExists(netns))) return
    const pids = async () => (await runIp(['netns', 'pids', netns], { allowFail: true })).split(/\s+/).filter(Boolean).map(Number)
    for (const pid of await pids()) {
      try { process.kill(pid, 'SIGTERM') } catch { /* gone already */ }
    }
    for (let i = 0; i < 20 && (await pids()).length > 0; i++) await new Promise((r) => setTimeout(r, 100))
    for (const pid of await pids()) {
      try { process.kill(pid, 'SIGKILL') } catch { /* gone already */ }
    }
  }

  private targetOf(r: ContainerRecord): NetnsTarget {
    return r.netns.startsWith('pid:') ? { kind: 'pid', value: r.netns.slice(4) } : { kind: 'name', value: r.netns }
  }

  private info(r: ContainerRecord): ContainerInfo {
    return {
      name: r.name, netns: r.netns, ownsNetns: r.ownsNetns, ifName: r.ifName, hostVeth: r.hostVeth, mac: r.mac,
      cidrs: r.cidrs, pid: r.pid ?? null, running: processAlive(r.pid), createdAt: r.createdAt,
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }
}
