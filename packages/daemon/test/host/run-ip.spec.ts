// Host plumbing against a fake exec: the commands built, the errors reported, validation that
// happens before any command, and clean-up after a failure at every step of an attach.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  attachContainer, detachContainer, ensureBridge, exposeOnBridge, HostError, hostVethName, ipJson,
  resolveNetnsTarget, runIp, type HostExec,
} from '../../src/host/index.js'
import { IS_ROOT, TestNamespaces } from './test-namespaces.js'

type Call = string[]

function failWith (stderr: string): never {
  throw Object.assign(new Error('Command failed'), { stderr })
}

/** An exec that records calls and answers from `answer` (throw to fail). */
function recorder (answer: (args: string[]) => string = () => ''): { exec: HostExec; calls: Call[] } {
  const calls: Call[] = []
  const exec: HostExec = async (cmd, args) => {
    calls.push([cmd, ...args])
    return { stdout: answer(args), stderr: '' }
  }
  return { exec, calls }
}

async function codeOf (p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    expect(err).toBeInstanceOf(HostError)
    return (err as HostError).code
  }
  return undefined
}

describe('runIp', () => {
  it('runs ip with -n for a namespace and returns stdout', async () => {
    const { exec, calls } = recorder(() => 'out')
    expect(await runIp(['link', 'show'], { netns: 'ns1' }, { exec })).toBe('out')
    expect(calls).toEqual([['ip', '-n', 'ns1', 'link', 'show']])
  })

  it('reports the command line and stderr in ERR_HOST_COMMAND', async () => {
    const exec: HostExec = async () => failWith('Error: mtu less than device minimum.')
    const err = await runIp(['link', 'set', 'dev', 'x y', 'mtu', '50'], {}, { exec }).catch((e: unknown) => e) as HostError
    expect(err).toBeInstanceOf(HostError)
    expect(err.code).toBe('ERR_HOST_COMMAND')
    expect(err.message).toContain("ip link set dev 'x y' mtu 50")
    expect(err.message).toContain('mtu less than device minimum')
    expect(err.stderr).toBe('Error: mtu less than device minimum.')
  })

  it('returns empty output with allowFail', async () => {
    const exec: HostExec = async () => failWith('nope')
    expect(await runIp(['x'], { allowFail: true }, { exec })).toBe('')
  })

  it('refuses a malformed namespace name before running anything', async () => {
    const { exec, calls } = recorder()
    expect(await codeOf(runIp(['link'], { netns: '../etc' }, { exec }))).toBe('ERR_NAME')
    expect(calls).toEqual([])
  })

  it('ipJson parses -j output and reports junk', async () => {
    expect(await ipJson(['link'], {}, recorder(() => '[{"ifname":"lo"}]'))).toEqual([{ ifname: 'lo' }])
    expect(await ipJson(['link'], {}, recorder(() => ''))).toEqual([])
    expect(await codeOf(ipJson(['link'], {}, recorder(() => 'not json')))).toBe('ERR_HOST_COMMAND')
    const { exec, calls } = recorder(() => '[]')
    await ipJson(['addr'], { netns: 'n' }, { exec })
    expect(calls).toEqual([['ip', '-n', 'n', '-j', 'addr']])
  })
})

describe('validation before any command', () => {
  const base = { target: { kind: 'pid' as const, value: String(process.pid) }, hostVeth: 'vwtest', bridge: 'weft', mtu: 1376, cidrs: ['10.32.0.1/12'] }

  it('bad CIDRs, names, MTUs and missing namespaces fail typed, with no command run', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ cidrs: ['10.32.0.1/12', '10.32.0.300/12'] }, 'ERR_BAD_CIDR'],
      [{ cidrs: ['10.32.0.1'] }, 'ERR_BAD_CIDR'],
      [{ routes: ['nonsense'] }, 'ERR_BAD_CIDR'],
      [{ hostVeth: 'a-very-long-veth-name' }, 'ERR_NAME'],
      [{ ifName: 'eth/0' }, 'ERR_NAME'],
      [{ bridge: '' }, 'ERR_NAME'],
      [{ mtu: 0 }, 'ERR_BAD_MTU'],
      [{ mtu: 1500.5 }, 'ERR_BAD_MTU'],
      [{ target: { kind: 'name', value: 'wst-no-such-namespace' } }, 'ERR_NETNS_NOT_FOUND'],
      [{ target: { kind: 'pid', value: '4194304' } }, 'ERR_NETNS_NOT_FOUND'],
      [{ target: { kind: 'name', value: 'bad/name' } }, 'ERR_NAME'],
    ]
    for (const [change, code] of cases) {
      const { exec, calls } = recorder()
      expect(await codeOf(attachContainer({ ...base, ...change } as never, { exec })), JSON.stringify(change)).toBe(code)
      expect(calls, JSON.stringify(change)).toEqual([])
    }
    const { exec, calls } = recorder()
    expect(await codeOf(exposeOnBridge('weft', '10.32.0.1', { exec }))).toBe('ERR_BAD_CIDR')
    expect(await codeOf(ensureBridge('weft', 70000, { exec }))).toBe('ERR_BAD_MTU')
    expect(await codeOf(ensureBridge('this-name-is-too-long', 1500, { exec }))).toBe('ERR_NAME')
    expect(calls).toEqual([])
  })
})

describe('resolveNetnsTarget', () => {
  it('takes digits as a PID that must exist', () => {
    expect(resolveNetnsTarget(String(process.pid))).toEqual({ kind: 'pid', value: String(process.pid) })
    expect(() => resolveNetnsTarget('4194304')).toThrow(expect.objectContaining({ code: 'ERR_NETNS_NOT_FOUND' }))
    expect(() => resolveNetnsTarget('99999999999')).toThrow(expect.objectContaining({ code: 'ERR_NETNS_NOT_FOUND' }))
  })

  it('takes anything else as a name under /run/netns', () => {
    expect(() => resolveNetnsTarget('wst-surely-missing')).toThrow(expect.objectContaining({ code: 'ERR_NETNS_NOT_FOUND', message: expect.stringMatching(/ip netns list/) }))
    expect(() => resolveNetnsTarget('../../etc/passwd')).toThrow(expect.objectContaining({ code: 'ERR_NAME' }))
    expect(() => resolveNetnsTarget('')).toThrow(expect.objectContaining({ code: 'ERR_NAME' }))
  })
})

describe('hostVethName', () => {
  it('is deterministic, short, and salted', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (name, salt, other) => {
      const v = hostVethName(name, salt)
      expect(v).toMatch(/^vw[0-9a-f]{10}$/)
      expect(hostVethName(name, salt)).toBe(v)
      if (other !== salt) expect(hostVethName(name, other)).not.toBe(v)
    }))
    expect(hostVethName('web', 'a')).not.toBe(hostVethName('db', 'a'))
  })
})

/**
 * A fake `ip` with just enough state for attach: links by name (a veth pair deleted by either
 * end), failing the `failAt`-th command after the pair exists.
 */
function fakeIp (failAt: number): { exec: HostExec; links: Set<string>; calls: Call[] } {
  const links = new Set<string>()
  const peers = new Map<string, string>()
  const calls: Call[] = []
  let afterAdd = -1
  const exec: HostExec = async (_cmd, raw) => {
    calls.push(raw)
    const args = raw[0] === '-n' ? raw.slice(2) : raw
    const inNetns = raw[0] === '-n'
    if (afterAdd >= 0) {
      afterAdd++
      if (afterAdd === failAt) failWith('Error: simulated failure.')
    }
    const json = args[0] === '-j'
    const rest = json ? args.slice(1) : args
    if (rest[0] === 'link' && rest[1] === 'show') {
      const name = rest[3]
      if (inNetns) return { stdout: `[{"ifname":"${name}","address":"02:00:00:00:00:0a"}]`, stderr: '' }
      if (!links.has(name)) failWith(`Device "${name}" does not exist.`)
      return { stdout: `[{"ifname":"${name}","address":"02:00:00:00:00:0b"}]`, stderr: '' }
    }
    if (rest[0] === 'link' && rest[1] === 'add') {
      const [a, b] = [rest[3], rest[8]]
      links.add(a).add(b)
      peers.set(a, b).set(b, a)
      afterAdd = 0
    }
    if (rest[0] === 'link' && rest[1] === 'del') {
      const a = rest[3]
      links.delete(a)
      links.delete(peers.get(a) ?? '')
    }
    if (rest[0] === 'link' && rest[1] === 'set' && rest[4] === 'netns') links.delete(rest[3]) // moved away, still paired
    return { stdout: '', stderr: '' }
  }
  return { exec, links, calls }
}

describe('attachContainer clean-up', () => {
  it('a failure at any step after the veth exists leaves no veth behind', async () => {
    const target = { kind: 'pid' as const, value: String(process.pid) }
    const opts = { target, hostVeth: 'vwclean', bridge: 'weft', mtu: 1376, cidrs: ['10.32.0.1/12', 'fd00::1/64'], routes: ['10.40.1.1/16'] }
    // count the commands of a successful attach
    const ok = fakeIp(-1)
    expect(await attachContainer(opts, { exec: ok.exec })).toEqual({ mac: '02:00:00:00:00:0a' })
    const steps = ok.calls.length - ok.calls.findIndex((c) => c[1] === 'add') - 1
    expect(steps).toBeGreaterThan(8)
    for (let failAt = 1; failAt <= steps; failAt++) {
      const f = fakeIp(failAt)
      const err = await attachContainer(opts, { exec: f.exec }).then(() => undefined, (e: unknown) => e)
      // the handle removal runs with allowFail, so a failure there does not fail the attach
      const failed = f.calls[f.calls.findIndex((c) => c[1] === 'add') + failAt]
      if (failed !== undefined && failed.join(' ').includes('netns del')) continue
      expect(err, `failing command ${failAt}: ${failed?.join(' ')}`).toBeInstanceOf(HostError)
      expect(f.links.has('vwclean'), `failing command ${failAt}`).toBe(false)
      expect([...f.links].filter((l) => l.startsWith('vt'))).toEqual([])
    }
  })

  it('does not delete a hostVeth that existed before', async () => {
    const f = fakeIp(-1)
    f.links.add('vwtaken')
    const err = await attachContainer({ target: { kind: 'pid', value: String(process.pid) }, hostVeth: 'vwtaken', bridge: 'weft', mtu: 1376, cidrs: [] }, { exec: f.exec }).catch((e: unknown) => e)
    expect((err as HostError).code).toBe('ERR_CONTAINER_EXISTS')
    expect(f.links.has('vwtaken')).toBe(true)
    expect(f.calls.every((c) => !c.includes('del'))).toBe(true)
  })

  it('detach deletes ifName in a named namespace when the host veth is gone, never in a PID target', async () => {
    const named = fakeIp(-1)
    await detachContainer({ target: { kind: 'pid', value: String(process.pid) }, hostVeth: 'vwgone', ifName: 'ethwe' }, { exec: named.exec })
    expect(named.calls.every((c) => !c.includes('del') && !c.includes('attach'))).toBe(true)
    if (!IS_ROOT) return
    const lab = new TestNamespaces('r')
    try {
      const ns = await lab.add('-x')
      const f = fakeIp(-1)
      await detachContainer({ target: { kind: 'name', value: ns }, hostVeth: 'vwgone', ifName: 'ethwe' }, { exec: f.exec })
      expect(f.calls).toContainEqual(['-n', ns, 'link', 'del', 'dev', 'ethwe'])
    } finally {
      await lab.cleanup()
    }
  })

  it('detach tolerates a missing veth and a missing namespace', async () => {
    const f = fakeIp(-1)
    await detachContainer({ target: { kind: 'name', value: 'wst-gone' }, hostVeth: 'vwgone', ifName: 'ethwe' }, { exec: f.exec })
    expect(f.calls.every((c) => !c.includes('del'))).toBe(true)
  })
})
