/**
 * What needs a process of its own: an unprivileged opener, a machine without /dev/net/tun, and
 * whether an open TAP keeps the process alive. Each child runs test/fixtures/tap-child.mjs
 * against the TypeScript sources (no build needed) and answers with one JSON line. Children that
 * could open a TAP run inside this file's namespace (`ip netns exec`), so a TAP opened by mistake
 * never lands in the root namespace.
 *
 *   test process ── ip netns exec wtap<pid><rand> [setpriv | unshare -m] node tap-child.mjs
 */
import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestNetns } from './netns.js'

const fixture = (file: string) => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url))
const NODE_CHILD = [process.execPath, '--import', fixture('register-ts.mjs'), fixture('tap-child.mjs')]
/** A bound against a hung child, not an assertion: a child that hits it fails the test. */
const CHILD_KILL_AFTER_MS = 15_000

const ns = new TestNetns()
beforeAll(() => {
  ns.create()
})
afterAll(() => ns.destroy())

/** Runs `prefix... node tap-child.mjs args...` in the namespace; returns the child's JSON. */
function child(prefix: string[], ...args: string[]): Record<string, any> {
  const r = spawnSync('ip', ['netns', 'exec', ns.name, ...prefix, ...NODE_CHILD, ...args], {
    encoding: 'utf8',
    timeout: CHILD_KILL_AFTER_MS,
    killSignal: 'SIGKILL',
  })
  const lines = r.stdout.trim().split('\n')
  if (r.status !== 0 || lines[0] === '') throw new Error(`child failed (${r.status ?? r.signal}): ${r.stderr}`)
  return JSON.parse(lines[lines.length - 1])
}

describe('NativeTap in a child process', () => {
  it('says ERR_TAP_PERMISSION to an unprivileged user (no access to /dev/net/tun)', () => {
    const out = child(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], 'open', JSON.stringify({ name: 'wtperm0' }))
    // where /dev/net/tun is 0600, open() fails (EACCES); where it is world-writable (0666, as on
    // many distributions), open() succeeds and TUNSETIFF fails for want of CAP_NET_ADMIN (EPERM)
    const worldWritable = (statSync('/dev/net/tun').mode & 0o006) === 0o006
    expect(out.error).toEqual({
      name: 'TapError', code: 'ERR_TAP_PERMISSION', message: 'opening TAP wtperm0 needs CAP_NET_ADMIN: run as root',
      cause: worldWritable ? 'EPERM' : 'EACCES',
    })
  })

  it('says ERR_TAP_PERMISSION to root without CAP_NET_ADMIN', () => {
    const out = child(['setpriv', '--inh-caps=-net_admin', '--bounding-set=-net_admin'], 'open', JSON.stringify({ name: 'wtperm1' }))
    expect(out.error).toMatchObject({ code: 'ERR_TAP_PERMISSION', cause: 'EPERM' })
    expect(ns.link('wtperm1')).toBeUndefined()
  })

  it('says ERR_TAP_NO_DEVICE when /dev/net/tun is missing', () => {
    // A private mount namespace with an empty tmpfs over /dev/net: only the child sees it.
    const hide = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /dev/net && exec "$@"', 'sh']
    const out = child(hide, 'open', JSON.stringify({ name: 'wtnodev0' }))
    expect(out.error).toMatchObject({ code: 'ERR_TAP_NO_DEVICE', cause: 'ENOENT' })
    expect(out.error.message).toMatch(/\/dev\/net\/tun is missing.*modprobe tun/)
  })

  it('opens as root in the namespace (the children above failed for the reason tested)', () => {
    expect(child([], 'open', JSON.stringify({ name: 'wtok0' }))).toEqual({ name: 'wtok0' })
  })

  it('keeps the process alive while a handler waits on a ref\'d TAP', () => {
    const out = child([], 'echo', JSON.stringify({ name: 'wtref0', netns: ns.path }), ns.name)
    expect(out).toEqual({ replies: 1, closed: true })
  })

  it('lets the process exit with an unref\'d TAP still open', () => {
    const out = child([], 'echo', JSON.stringify({ name: 'wtunref0', netns: ns.path, ref: false }), ns.name)
    expect(out).toEqual({ replies: 0, closed: false })
    expect(ns.link('wtunref0')).toBeUndefined() // the fd died with the process
  })
})
