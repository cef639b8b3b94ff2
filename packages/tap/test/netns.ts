import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'

export interface RunResult {
  status: number | null
  stdout: string
  stderr: string
}

/**
 * A network namespace owned by one test file, named `wtap<pid><random>` so parallel runs never
 * meet. Create it in beforeAll and `destroy()` it in afterAll: that is safe even when creation
 * failed half way, and it kills the processes started with `spawn` first (by PID).
 */
export class TestNetns {
  readonly name = `wtap${process.pid}${randomBytes(3).toString('hex')}`
  readonly path = `/run/netns/${this.name}`
  readonly #children = new Set<ChildProcess>()

  create(): this {
    runOrThrow('ip', ['netns', 'add', this.name])
    try {
      // No IPv6 chatter (router solicitations, MLD) on the TAPs: the tests count frames.
      this.run('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1')
    } catch (e) {
      this.destroy()
      throw e
    }
    return this
  }

  /** Runs `cmd` inside the namespace and returns its stdout; throws with its stderr on failure. */
  run(cmd: string, ...args: string[]): string {
    return runOrThrow('ip', ['netns', 'exec', this.name, cmd, ...args])
  }

  /** Runs `ip` commands (one per line, without the leading `ip`) inside the namespace. */
  ip(...lines: string[]): void {
    const r = spawnSync('ip', ['netns', 'exec', this.name, 'ip', '-batch', '-'], { input: lines.join('\n') + '\n', encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`ip -batch failed (${r.status}): ${r.stderr}`)
  }

  /** Runs `cmd` inside the namespace, whatever its exit status. */
  tryRun(cmd: string, ...args: string[]): RunResult {
    return runQuietly('ip', ['netns', 'exec', this.name, cmd, ...args])
  }

  /** Starts `cmd` inside the namespace without waiting; `destroy` kills it if still running. */
  spawn(cmd: string, ...args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: 'ignore' })
    this.#children.add(child)
    child.on('exit', () => this.#children.delete(child))
    return child
  }

  /** Whether a device of exactly this name exists (no JSON: `ip -j` leaves control bytes raw). */
  exists(dev: string): boolean {
    return this.tryRun('ip', 'link', 'show', 'dev', dev).status === 0
  }

  /** `ip -j link show` of one device, or undefined when it does not exist. */
  link(dev: string): { ifname: string; address: string; linkinfo?: { info_kind?: string; info_data?: { type?: string } } } | undefined {
    const r = this.tryRun('ip', '-d', '-j', 'link', 'show', 'dev', dev)
    return r.status === 0 ? JSON.parse(r.stdout)[0] : undefined
  }

  /** Packets counted by the kernel on `dev`: rx = frames written to the TAP. */
  counters(dev: string): { rx: number; tx: number } {
    const [link] = JSON.parse(this.run('ip', '-s', '-j', 'link', 'show', 'dev', dev))
    return { rx: link.stats64.rx.packets, tx: link.stats64.tx.packets }
  }

  /** Packets the root qdisc of `dev` handed to the driver: for a TAP, frames queued for reading. */
  qdiscPackets(dev: string): number {
    const qdiscs = JSON.parse(this.run('tc', '-s', '-j', 'qdisc', 'show', 'dev', dev)) as Array<{ root?: boolean; packets: number }>
    return qdiscs.find((q) => q.root === true)?.packets ?? 0
  }

  destroy(): void {
    for (const child of this.#children) {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL')
    }
    runQuietly('ip', ['netns', 'del', this.name])
  }
}

function runQuietly(cmd: string, args: string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error?.message ?? '') }
}

function runOrThrow(cmd: string, args: string[]): string {
  const r = runQuietly(cmd, args)
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return r.stdout
}
