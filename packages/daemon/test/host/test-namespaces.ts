/**
 * Network namespaces for host plumbing tests. Every name starts with a per-run prefix
 * `wst<pid><4 hex><tag>`; `cleanup()` kills (by PID) what runs inside them and deletes them,
 * also those the code under test created with that prefix. The test process never leaves the
 * root namespace: commands of the code under test run through `nsenter --net=<ns>`, which
 * enters only the network namespace (unlike `ip netns exec`, whose private mount namespace
 * would hide namespaces created inside it from everyone else).
 */
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { promisify } from 'node:util'
import type { HostExec } from '../../src/host/index.js'

const execFileP = promisify(execFile)
const RUN_PREFIX = `wst${process.pid}${randomBytes(2).toString('hex')}`

export const IS_ROOT = process.getuid?.() === 0

export async function sh (cmd: string, args: string[]): Promise<string> {
  return (await execFileP(cmd, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } })).stdout
}

/** `ip -j ARGS` run in namespace `ns`, parsed. */
export async function ipJsonIn<T = any> (ns: string, args: string[]): Promise<T> {
  const out = await sh('ip', ['-n', ns, '-j', ...args])
  return JSON.parse(out === '' ? '[]' : out) as T
}

export class TestNamespaces {
  readonly prefix: string
  readonly #pids = new Set<number>()

  constructor (tag: string) {
    this.prefix = RUN_PREFIX + tag
  }

  name (suffix: string): string {
    return this.prefix + suffix
  }

  /** Creates namespace `<prefix><suffix>` and returns its name. */
  async add (suffix: string): Promise<string> {
    const name = this.name(suffix)
    await sh('ip', ['netns', 'add', name])
    return name
  }

  /** An exec running commands inside namespace `ns` (network namespace only). */
  execIn (ns: string): HostExec {
    return async (cmd, args) => {
      const { stdout, stderr } = await execFileP('nsenter', [`--net=/run/netns/${ns}`, '--', cmd, ...args], {
        encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' },
      })
      return { stdout, stderr }
    }
  }

  /**
   * Starts `sleep 60` inside `ns`; resolves with its PID once it is inside (its
   * /proc/PID/ns/net is `ns`, and not the test's own namespace).
   */
  async sleeper (ns: string): Promise<number> {
    const child = spawn('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo ready; exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const pid = child.pid
    if (pid === undefined) throw new Error('could not start sleep')
    this.#pids.add(pid)
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve())
      child.once('exit', (code) => reject(new Error(`sleeper exited early (${code})`)))
    })
    child.stdout.destroy()
    child.unref()
    const inode = (path: string): number => statSync(path).ino
    if (inode(`/proc/${pid}/ns/net`) !== inode(`/run/netns/${ns}`) || inode(`/proc/${pid}/ns/net`) === inode('/proc/self/ns/net')) {
      throw new Error(`process ${pid} is not inside ${ns}: refusing to use it`)
    }
    return pid
  }

  kill (pid: number): void {
    try { process.kill(pid, 'SIGKILL') } catch {}
    this.#pids.delete(pid)
  }

  /** Namespaces with this prefix that exist now. */
  async list (): Promise<string[]> {
    const out = await sh('ip', ['netns', 'list'])
    return out.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((n) => n !== undefined && n.startsWith(this.prefix))
  }

  async cleanup (): Promise<void> {
    for (const pid of [...this.#pids]) this.kill(pid)
    for (const ns of await this.list()) {
      const pids = (await sh('ip', ['netns', 'pids', ns]).catch(() => '')).split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number)
      for (const pid of pids) if (pid !== process.pid) this.kill(pid)
      await sh('ip', ['netns', 'del', ns]).catch(() => '')
    }
  }
}
