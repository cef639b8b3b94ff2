import { join } from 'node:path'
import { DEFAULT_PING_TIMEOUT_S, SETUP_COMMAND_TIMEOUT_MS } from './constants.js'
import { startCapture, tcpdumpArgs, type Capture, type CaptureOptions } from './capture.js'
import { LabError } from './errors.js'
import { isLabNamespace } from './lab-names.js'
import { startProcess, type LabProcess } from './lab-process.js'
import { baseEnv, runCommand, type ExecOptions, type ExecResult, type SpawnOptions } from './run-command.js'
import { assertWeftBuilt, WEFT_BIN } from './weft-bin.js'

/** Options of `LabHost.ping`. */
export interface PingOptions {
  /** Echo requests to send (default 1; 0.2 s apart). */
  count?: number
  /** ICMP payload bytes (`ping -s`). */
  size?: number
  /** Seconds to wait for a reply, fractions allowed (default 2). */
  timeoutS?: number
  /** Ping from this namespace of the lab (a weft container) instead of the host's. */
  from?: string
  /** Replies needed for success (default: `count`, i.e. no loss). */
  minReplies?: number
  /** Set Don't Fragment (`ping -M do`). */
  dontFragment?: boolean
}

/** What a host needs from its lab (kept narrow so the two files do not import each other). */
export interface LabHostContext {
  readonly prefix: string
  readonly dir: string
  /** Throws ERR_LAB_DESTROYED once the lab is destroyed. */
  checkAlive(): void
  /** Tracks (`running`) or forgets a process so destroy() can kill it. */
  track(proc: LabProcess, running: boolean): void
}

const PING_INTERVAL_S = 0.2
const PING_SLACK_MS = 5_000

/** One "machine" of the lab: a network namespace with `eth0` on the underlay switch. */
export class LabHost {
  /** Namespace of the host: `${prefix}-${name}`. */
  readonly netns: string
  /** The host's WEFT_HOME (created, empty). */
  readonly home: string
  private captures = 0

  constructor (
    private readonly lab: LabHostContext,
    /** Short name from `LabInit.hosts`. */
    readonly name: string,
    /** Underlay IPv4 address of `eth0`. */
    readonly address: string,
  ) {
    this.netns = `${lab.prefix}-${name}`
    this.home = join(lab.dir, name)
  }

  /** Prefix of the namespaces weft creates for containers on this host (`WEFT_NETNS_PREFIX`). */
  get containerPrefix (): string {
    return `${this.netns}-`
  }

  /** Runs `cmd args` inside the host's namespace to completion (see `ExecOptions`). */
  async exec (cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return await this.execIn(this.netns, cmd, args, opts)
  }

  /** Starts a long-running `cmd args` inside the host's namespace; the lab kills it on destroy. */
  spawn (cmd: string, args: readonly string[], opts: SpawnOptions = {}): LabProcess {
    this.lab.checkAlive()
    const proc = startProcess(...inNetns(this.netns, cmd, args), {
      env: baseEnv(opts.env),
      input: opts.input,
      onExit: (p) => this.lab.track(p, false),
    })
    this.lab.track(proc, true)
    return proc
  }

  /** Runs the built `weft` CLI on this host with its WEFT_HOME and container namespace prefix. */
  async weft (args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    assertWeftBuilt()
    return await this.exec(process.execPath, [WEFT_BIN, ...args], { ...opts, env: this.weftEnv(opts.env) })
  }

  /** Starts the `weft` CLI as a long-running process (e.g. `launch --foreground`). */
  spawnWeft (args: readonly string[], opts: SpawnOptions = {}): LabProcess {
    assertWeftBuilt()
    return this.spawn(process.execPath, [WEFT_BIN, ...args], { ...opts, env: this.weftEnv(opts.env) })
  }

  /** Starts tcpdump on `iface` in this namespace; resolves once it is listening. */
  async capture (iface: string, opts: CaptureOptions = {}): Promise<Capture> {
    const path = join(this.lab.dir, `${this.name}-${iface}-${++this.captures}.pcap`)
    const proc = this.spawn('tcpdump', tcpdumpArgs(iface, path, opts.filter))
    return await startCapture(proc, iface, path)
  }

  /** Pings `target` from this host (or from a lab namespace `opts.from`); true when enough replies came. */
  async ping (target: string, opts: PingOptions = {}): Promise<boolean> {
    const count = opts.count ?? 1
    const timeoutS = opts.timeoutS ?? DEFAULT_PING_TIMEOUT_S
    const netns = opts.from ?? this.netns
    if (!isLabNamespace(netns, this.lab.prefix)) {
      throw new LabError('ERR_LAB_NAME', `ping from "${netns}": not a namespace of this lab (${this.lab.prefix}-*)`)
    }
    const args = ['-n', '-q', '-c', String(count), '-W', String(timeoutS)]
    if (count > 1) args.push('-i', String(PING_INTERVAL_S))
    if (opts.size !== undefined) args.push('-s', String(opts.size))
    if (opts.dontFragment === true) args.push('-M', 'do')
    args.push(target)
    const timeoutMs = Math.ceil((timeoutS + PING_INTERVAL_S) * count * 1000) + PING_SLACK_MS
    const r = await this.execIn(netns, 'ping', args, { allowFail: true, timeoutMs })
    const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout)
    const received = m === null ? 0 : Number(m[2])
    return received >= (opts.minReplies ?? count)
  }

  /** Sets a sysctl inside the host's namespace, e.g. `sysctl('net.ipv4.ip_forward', '1')`. */
  async sysctl (key: string, value: string): Promise<void> {
    await this.exec('sysctl', ['-q', '-w', `${key}=${value}`], { timeoutMs: SETUP_COMMAND_TIMEOUT_MS })
  }

  /** Runs an nft script in the host's namespace (`nft -f -`). */
  async nft (script: string): Promise<void> {
    await this.exec('nft', ['-f', '-'], { input: script, timeoutMs: SETUP_COMMAND_TIMEOUT_MS })
  }

  /** The environment `weft` commands of this host get (on top of PATH and LC_ALL=C). */
  weftEnv (extra?: Record<string, string>): Record<string, string> {
    return { HOME: this.home, WEFT_HOME: this.home, WEFT_NETNS_PREFIX: this.containerPrefix, ...extra }
  }

  private async execIn (netns: string, cmd: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    this.lab.checkAlive()
    return await runCommand(...inNetns(netns, cmd, args), { ...opts, track: (p, running) => this.lab.track(p, running) })
  }
}

/**
 * The argv that runs `cmd` in a lab namespace. `nsenter --net` switches only the network
 * namespace: `ip netns exec` would also give the command a private mount table, and namespaces
 * a router creates from there (`ip netns add`) would be invisible to everyone else.
 */
function inNetns (netns: string, cmd: string, args: readonly string[]): [string, string[]] {
  return ['nsenter', [`--net=/run/netns/${netns}`, '--', cmd, ...args]]
}
