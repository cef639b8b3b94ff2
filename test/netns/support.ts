import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { StatusResponse } from '@weft/api'
import type { LabHost } from '@weft/testing'
import { waitFor } from '@weft/testing'

/** Helpers for namespace tests that drive real routers through the `weft` CLI. */

export const SECRET = 'correct horse battery staple'
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

export async function status(h: LabHost): Promise<StatusResponse> {
  const r = await h.weft(['status', '--json'])
  return JSON.parse(r.stdout) as StatusResponse
}

export async function launch(h: LabHost, args: string[] = [], secret = SECRET): Promise<void> {
  await h.weft(['launch', '--nickname', h.name, ...args], { env: { WEFT_PASSWORD: secret }, timeoutMs: 30_000 })
}

/** Waits until `h` has `n` established connections; returns its status. */
export async function waitEstablished(h: LabHost, n: number, timeoutMs = 15_000): Promise<StatusResponse> {
  return waitFor(async () => {
    const s = await status(h)
    return s.connections.filter((c) => c.state === 'established').length === n ? s : undefined
  }, { timeoutMs, intervalMs: 100, what: `${h.name} to have ${n} established connection(s)` })
}

/** Starts a detached container running `sleep infinity`; returns its namespace. */
export async function container(h: LabHost, name: string, cidr: string): Promise<string> {
  await h.weft(['run', name, '--ip', cidr, '-d', '--', 'sleep', 'infinity'])
  return `${h.containerPrefix}${name}`
}

/** Runs a command inside a container namespace on `h`. */
export function inContainer(h: LabHost, netns: string, cmd: string, args: string[], timeoutMs = 30_000) {
  return h.exec('ip', ['netns', 'exec', netns, cmd, ...args], { timeoutMs, allowFail: true })
}

export async function ping(h: LabHost, netns: string, ip: string, count = 1): Promise<boolean> {
  const r = await inContainer(h, netns, 'ping', ['-c', String(count), '-i', '0.2', '-W', '2', ip])
  return r.code === 0
}

/** Waits until a ping from `netns` on `h` to `ip` succeeds. */
export async function waitPing(h: LabHost, netns: string, ip: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => (await ping(h, netns, ip)) || undefined, { timeoutMs, intervalMs: 200, what: `${netns} on ${h.name} to reach ${ip}` })
}

/** One figure from h's Prometheus endpoint, e.g. `weft_dropped_packets_total{reason="replay"}` (0 when absent). */
export async function metric(h: LabHost, name: string): Promise<number> {
  const r = await h.exec(process.execPath, ['-e', "fetch('http://127.0.0.1:6784/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))"])
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? 0 : Number(line.split(' ')[1])
}

/** Waits until `h` shows an established connection to peer `id` whose path matches `path`; the error names what it saw. */
export async function waitPath(h: LabHost, id: string, path: RegExp, timeoutMs = 60_000): Promise<StatusResponse['connections'][number]> {
  let seen = 'none'
  return await waitFor(async () => {
    const all = (await status(h)).connections
    if (all.length > 0) seen = all.map((x) => `${x.peer?.nickname ?? '?'} ${x.state} ${x.path}`).join('; ')
    return all.find((x) => x.peer?.id === id && x.state === 'established' && path.test(x.path))
  }, { timeoutMs, intervalMs: 250, what: `${h.name} to reach ${id.slice(0, 12)} with a path like ${path}` }).catch((e: Error) => {
    throw new Error(`${e.message}; ${h.name}'s connections: ${seen}`)
  })
}

/** The last `max` lines of `h`'s router log (WEFT_HOME/weft.log) whose message matches `msg`, or why there are none. */
export function logLines(h: LabHost, msg: RegExp, max = 12): string {
  let text: string
  try {
    text = readFileSync(join(h.home, 'weft.log'), 'utf8')
  } catch (e) {
    return `${h.name}: no weft.log (${(e as Error).message})`
  }
  const lines = text.split('\n').filter((l) => msg.test(l)).slice(-max)
  return lines.length === 0 ? `${h.name}: no log line matches ${msg}` : lines.join('\n')
}
