/*
 * One host, the container and router life cycle a user goes through: launch (twice), run in the
 * foreground and detached, exec, ps, attach and detach an existing namespace (by name and by
 * pid), rm, stop, reset.
 *
 *   h1 198.18.0.11
 *   ┌───────────────────────────────────────────┐
 *   │ fg   10.44.0.1   (weft run, foreground)   │
 *   │ bg   10.44.0.2   (weft run -d)            │
 *   │ ext  10.44.0.3   (ip netns add; attach)   │
 *   │ pid  10.44.0.4   (a process's netns)      │
 *   │ brief 10.44.0.6  (run -d, exits after 1 s) │
 *   │   └──── bridge weft ── weft-tap ── router │
 *   └───────────────────────────────────────────┘
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab, LabHost, LabProcess } from '@weft/testing'
import { createLab, waitFor } from '@weft/testing'
import { launch, ping, status } from './support.js'

/** The process is gone or a zombie (its parent, init here, reaps it when it gets to it). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

describe.sequential('router and container life cycle on one host', () => {
  let lab: Lab
  let h1: LabHost
  let sleeper: LabProcess

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1'] })
    ;[h1] = lab.hosts()
    await launch(h1)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('launching twice is a no-op with a clear message', async () => {
    const pid = (await status(h1)).router.pid
    const again = await h1.weft(['launch'], { env: { WEFT_PASSWORD: 'correct horse battery staple' } })
    expect(again.stdout).toMatch(/already running.*nothing to do/)
    expect((await status(h1)).router.pid).toBe(pid)
  })

  it('runs a container in the foreground and removes it when the command exits', async () => {
    const r = await h1.weft(['run', 'fg', '--ip', '10.44.0.1/16', '--', 'sh', '-c', 'ip -o -4 addr show ethwe; exit 3'], { allowFail: true })
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('10.44.0.1/16')
    expect((await status(h1)).containers).toBe(0)
    const ns = (await h1.exec('ip', ['netns', 'list'])).stdout
    expect(ns).not.toContain(`${h1.containerPrefix}fg`)
  })

  it('runs a detached container, lists it, and execs in it', async () => {
    await h1.weft(['run', 'bg', '--ip', '10.44.0.2/16', '-d', '--', 'sleep', 'infinity'])
    const ps = JSON.parse((await h1.weft(['ps', '--json'])).stdout) as Array<{ name: string; running: boolean; cidrs: string[]; pid: number }>
    expect(ps).toHaveLength(1)
    expect(ps[0]).toMatchObject({ name: 'bg', running: true, cidrs: ['10.44.0.2/16'] })
    const mtu = (await h1.weft(['exec', 'bg', '--', 'cat', '/sys/class/net/ethwe/mtu'])).stdout.trim()
    expect(mtu).toBe('1376')
    expect((await h1.weft(['ps'])).stdout).toMatch(/bg\s+\S+\s+10\.44\.0\.2\/16.*running/)
  })

  it('removes a detached container when its command exits, and its namespace with it', async () => {
    await h1.weft(['run', 'brief', '--ip', '10.44.0.6/16', '-d', '--', 'sleep', '1'])
    expect((await h1.weft(['ps'])).stdout).toContain('brief')
    const names = async () => JSON.parse((await h1.weft(['ps', '--json'])).stdout).map((c: { name: string }) => c.name) as string[]
    await waitFor(async () => !(await names()).includes('brief'), { timeoutMs: 15_000, what: 'the exited container to be removed' })
    expect(await names()).toEqual(['bg'])
    expect((await h1.exec('ip', ['netns', 'list'])).stdout).not.toContain(`${h1.containerPrefix}brief`)
  })

  it('attaches an existing namespace by name and a process by pid; detach leaves them running', async () => {
    const ext = `${h1.containerPrefix}ext`
    await h1.exec('ip', ['netns', 'add', ext])
    await h1.weft(['attach', ext, '10.44.0.3/16'])
    sleeper = h1.spawn('unshare', ['--net', 'sleep', '600'])
    await new Promise((r) => setTimeout(r, 300))
    await h1.weft(['attach', String(sleeper.pid), '10.44.0.4/16', '--name', 'pidc'])
    const bg = `${h1.containerPrefix}bg`
    expect(await ping(h1, bg, '10.44.0.3')).toBe(true)
    expect(await ping(h1, bg, '10.44.0.4')).toBe(true)
    const names = JSON.parse((await h1.weft(['ps', '--json'])).stdout).map((c: { name: string }) => c.name).sort()
    expect(names).toEqual(['bg', ext, 'pidc'].sort()) // an attached namespace is named after it by default
    await h1.weft(['detach', ext])
    await h1.weft(['detach', 'pidc'])
    expect(await ping(h1, bg, '10.44.0.3')).toBe(false)
    expect(sleeper.exited()).toBe(false)
    expect((await h1.exec('ip', ['netns', 'list'])).stdout).toContain(ext)
    const refused = await h1.weft(['detach', 'bg'], { allowFail: true })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/weft rm bg/)
  })

  it('rm kills the container and removes its namespace; errors name what to do', async () => {
    const pid = JSON.parse((await h1.weft(['ps', '--json'])).stdout)[0].pid as number
    await h1.weft(['rm', 'bg'])
    expect(gone(pid)).toBe(true)
    const again = await h1.weft(['rm', 'bg'], { allowFail: true })
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/no container named 'bg'.*weft ps/)
    const dup = await h1.weft(['run', 'x', '--ip', 'not-a-cidr', '--', 'true'], { allowFail: true })
    expect(dup.code).toBe(1)
    expect(dup.stderr).toMatch(/not-a-cidr/)
  })

  it('reset stops the router and removes bridge, TAP, containers and state', async () => {
    await h1.weft(['run', 'late', '--ip', '10.44.0.5/16', '-d', '--', 'sleep', 'infinity'])
    const before = await status(h1)
    await h1.weft(['reset'])
    const links = (await h1.exec('ip', ['-o', 'link'])).stdout
    expect(links).not.toMatch(/ weft[:@]/)
    expect(links).not.toMatch(/ weft-tap[:@]/)
    expect((await h1.exec('ip', ['netns', 'list'])).stdout).not.toContain(`${h1.containerPrefix}late`)
    const st = await h1.weft(['status'], { allowFail: true })
    expect(st.code).toBe(1)
    expect(st.stderr).toMatch(/not running.*weft launch/)
    await launch(h1)
    const after = await status(h1)
    expect(after.router.id).not.toBe(before.router.id)
    expect(after.containers).toBe(0)
    await h1.weft(['stop'])
    expect((await h1.weft(['status'], { allowFail: true })).code).toBe(1)
  })
})
