/*
 * Network-namespace lab with two hosts on one private switch (P = the lab's per-run prefix):
 *
 *        P-h1                        P-sw                         P-h2
 *  +----------------+      +---------------------+      +----------------+
 *  |  eth0          |      |         br0         |      |          eth0  |
 *  |  198.18.0.10   |=veth=| Ph1             Ph2 |=veth=|  198.18.0.11   |
 *  |  inet weftlab  |      |    (no address)     |      |  inet weftlab  |
 *  +----------------+      +---------------------+      +----------------+
 *
 * The root namespace has no link, address or route into any of them, and no namespace of the
 * lab has a default route. Containers weft makes on h1 are named P-h1-<name>.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createLab, isPidAlive, LabError, makeLabPrefix, readPcap, sweepStaleLabs, waitFor, withLab,
  type Lab, type LabHost, type LabProcess,
} from '../src/index.js'

const UDP_PORT = 7000

function namespaces (): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => n !== '')
}

function labNamespaces (prefix: string): string[] {
  return namespaces().filter((n) => n.startsWith(`${prefix}-`))
}

/** A UDP receiver on `host` printing "got <bytes>" per datagram. */
async function startUdpSink (host: LabHost): Promise<LabProcess> {
  const script = `const s = require('dgram').createSocket('udp4')
s.on('message', (m) => console.log('got ' + m.length))
s.bind(${UDP_PORT}, () => console.log('ready'))`
  const proc = host.spawn(process.execPath, ['-e', script])
  await waitFor(async () => proc.stdout().includes('ready'), { timeoutMs: 10_000, what: `udp sink on ${host.name}` })
  return proc
}

/** Sends one datagram per size, in order, from `from` to `to`. */
async function sendUdp (from: LabHost, to: LabHost, sizes: number[]): Promise<void> {
  const script = `const s = require('dgram').createSocket('udp4')
const sizes = ${JSON.stringify(sizes)}
let i = 0
const next = () => {
  if (i >= sizes.length) return s.close()
  s.send(Buffer.alloc(sizes[i++]), ${UDP_PORT}, '${to.address}', (e) => { if (e) console.error(e.message); next() })
}
next()`
  await from.exec(process.execPath, ['-e', script])
}

function received (sink: LabProcess): number[] {
  return [...sink.stdout().matchAll(/^got (\d+)$/gm)].map((m) => Number(m[1]))
}

async function deadPid (): Promise<number> {
  for (;;) {
    const child = spawn('true', [], { stdio: 'ignore' })
    const pid = child.pid as number
    await new Promise((resolve) => child.once('exit', resolve))
    if (!isPidAlive(pid)) return pid
  }
}

describe('two hosts on the underlay', () => {
  let lab: Lab
  let h1: LabHost
  let h2: LabHost

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2'] })
    h1 = lab.host('h1')
    h2 = lab.host('h2')
  })
  afterAll(async () => {
    await lab?.destroy()
  })

  it('names and addresses hosts from the prefix and subnet', () => {
    expect(lab.prefix).toMatch(/^w[0-9a-z]{4,8}$/)
    expect(lab.hosts().map((h) => [h.name, h.netns, h.address])).toEqual([
      ['h1', `${lab.prefix}-h1`, '198.18.0.10'],
      ['h2', `${lab.prefix}-h2`, '198.18.0.11'],
    ])
    expect(labNamespaces(lab.prefix).sort()).toEqual([`${lab.prefix}-h1`, `${lab.prefix}-h2`, `${lab.prefix}-sw`])
    expect(existsSync(h1.home)).toBe(true)
    expect(h1.home.startsWith(join(tmpdir(), `weft-lab-${lab.prefix}`))).toBe(true)
    expect(h1.weftEnv({ WEFT_PASSWORD: 'x' })).toMatchObject({ WEFT_HOME: h1.home, WEFT_NETNS_PREFIX: `${lab.prefix}-h1-`, WEFT_PASSWORD: 'x' })
    expect(() => lab.host('nope')).toThrow(LabError)
  })

  it('hosts ping each other over the underlay', async () => {
    expect(await h1.ping(h2.address)).toBe(true)
    expect(await h2.ping(h1.address, { count: 2 })).toBe(true)
  })

  it('has no way out: no default route, no link or address in the root namespace', async () => {
    // Only routing decisions are checked; no packet is sent to an outside address.
    const out = await h1.exec('ip', ['route', 'get', '8.8.8.8'], { allowFail: true })
    expect(out.code).not.toBe(0)
    expect(out.stderr).toMatch(/unreachable/i)
    for (const ns of labNamespaces(lab.prefix)) {
      expect(execFileSync('ip', ['-n', ns, 'route', 'show', 'default'], { encoding: 'utf8' }).trim()).toBe('')
    }
    expect(execFileSync('ip', ['-n', lab.switchNetns, '-o', '-4', 'addr', 'show'], { encoding: 'utf8' })).not.toMatch(/198\.18\./)
    const rootAddrs = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' })
    expect(rootAddrs).not.toContain(h1.address)
    expect(rootAddrs).not.toContain(h2.address)
    expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).not.toContain(lab.prefix)
  })

  it('blockAll makes ping fail and unblock restores it', async () => {
    await lab.blockAll(h1, h2)
    expect(await h1.ping(h2.address, { timeoutS: 0.3 })).toBe(false)
    expect(await h2.ping(h1.address, { timeoutS: 0.3 })).toBe(false)
    await lab.unblock(h1, h2)
    expect(await h1.ping(h2.address)).toBe(true)
    await lab.unblock(h1, h2) // idempotent
  })

  it('blockUdp drops UDP but not ICMP', async () => {
    const sink = await startUdpSink(h2)
    try {
      await lab.blockUdp(h1, h2)
      await sendUdp(h1, h2, [100])
      expect(await h1.ping(h2.address)).toBe(true)
      await lab.unblock(h1, h2)
      await sendUdp(h1, h2, [101])
      await waitFor(async () => received(sink).includes(101), { timeoutMs: 5000, what: 'the datagram sent after unblock' })
      expect(received(sink)).toEqual([101])
    } finally {
      sink.kill()
    }
  })

  it('limitUdpSize drops large datagrams in and out of eth0 and passes small ones', async () => {
    const sink = await startUdpSink(h2)
    try {
      // Inbound on h2. The large one is sent first on the same path, so it would arrive first.
      await lab.limitUdpSize(h2, 1000)
      await sendUdp(h1, h2, [1200, 100])
      await waitFor(async () => received(sink).includes(100), { timeoutMs: 5000, what: 'the small datagram' })
      const counters = (await h2.exec('nft', ['list', 'chain', 'inet', 'weftlab', 'udp_size'])).stdout
      expect(counters).toMatch(/iifname "eth0" .*ip length > 1000 counter packets 1 /)
      // Outbound on h1.
      await lab.limitUdpSize(h2, null)
      await lab.limitUdpSize(h1, 1000)
      await sendUdp(h1, h2, [1300, 200])
      await waitFor(async () => received(sink).includes(200), { timeoutMs: 5000, what: 'the second small datagram' })
      // Lifted.
      await lab.limitUdpSize(h1, null)
      await sendUdp(h1, h2, [1400])
      await waitFor(async () => received(sink).includes(1400), { timeoutMs: 5000, what: 'the large datagram after lifting' })
      expect(received(sink)).toEqual([100, 200, 1400])
    } finally {
      sink.kill()
    }
  })

  it('captures an ICMP echo between the hosts', async () => {
    const cap = await h2.capture('eth0', { filter: 'icmp' })
    const isEcho = (f: Buffer): boolean =>
      f.length >= 14 + 20 + 8 &&
      f.readUInt16BE(12) === 0x0800 && // IPv4
      f[14 + 9] === 1 && // ICMP
      f.subarray(14 + 12, 14 + 16).join('.') === h1.address &&
      f[14 + (f[14] & 0x0f) * 4] === 8 // echo request
    let buf: Buffer
    try {
      expect(await h1.ping(h2.address)).toBe(true)
      await waitFor(async () => readPcap(readFileSync(cap.path)).packets.some(isEcho), { timeoutMs: 5000, what: 'the echo in the capture file' })
    } finally {
      buf = await cap.stop()
    }
    const pcap = readPcap(buf)
    expect(pcap.linkType).toBe(1)
    expect(pcap.packets.some(isEcho)).toBe(true)
    expect(await cap.stop()).toBe(buf)
  })

  it('rejects a capture tcpdump cannot start', async () => {
    await expect(h1.capture('nosuchif0')).rejects.toMatchObject({ code: 'ERR_LAB_CAPTURE' })
  })

  it('exec reports failures with command line, exit code and output', async () => {
    const err = await h1.exec('sh', ['-c', 'echo out-text; echo boom >&2; exit 3']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LabError)
    expect((err as LabError).code).toBe('ERR_LAB_EXEC')
    expect((err as LabError).message).toContain(`nsenter --net=/run/netns/${h1.netns} -- sh -c`)
    expect((err as LabError).message).toContain('exit code 3')
    expect((err as LabError).message).toContain('boom')
    expect((err as LabError).message).toContain('out-text')
    const r = await h1.exec('sh', ['-c', 'exit 3'], { allowFail: true })
    expect(r.code).toBe(3)
    const cat = await h1.exec('sh', ['-c', 'cat; echo "[$FOO]"'], { input: 'hello\n', env: { FOO: 'bar' } })
    expect(cat.stdout).toBe('hello\n[bar]\n')
  })

  it('exec kills the process group on timeout', async () => {
    const err = await h1.exec('sh', ['-c', 'echo $$; exec sleep 1000'], { timeoutMs: 300 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_LAB_TIMEOUT' })
    const pid = Number((err as LabError).result?.stdout.trim())
    expect(pid).toBeGreaterThan(1)
    expect(existsSync(`/proc/${pid}`)).toBe(false)
  })

  it('pings only from namespaces of the lab', async () => {
    await expect(h1.ping(h2.address, { from: 'some-other-ns' })).rejects.toMatchObject({ code: 'ERR_LAB_NAME' })
  })
})

describe('teardown', () => {
  it('destroy kills spawned processes and processes in weft-made namespaces, deletes every namespace', async () => {
    const lab = await createLab({ hosts: ['a'] })
    // What `weft run` would leave: a container namespace with a process the lab did not start.
    const container = `${lab.prefix}-a-c1`
    execFileSync('ip', ['netns', 'add', container])
    const outsider = spawn('ip', ['netns', 'exec', container, 'sleep', '1000'], { stdio: 'ignore' })
    const outsiderExit = new Promise<NodeJS.Signals | null>((resolve) => outsider.once('exit', (_c, s) => resolve(s)))
    const sleeper = lab.host('a').spawn('sleep', ['1000'])
    await waitFor(async () => execFileSync('ip', ['netns', 'pids', container], { encoding: 'utf8' }).trim() !== '', { timeoutMs: 5000, what: 'sleep in the container' })

    await lab.destroy()
    expect(await sleeper.wait()).toEqual({ code: null, signal: 'SIGKILL' })
    expect(existsSync(`/proc/${sleeper.pid}`)).toBe(false)
    expect(await outsiderExit).toBe('SIGKILL')
    expect(labNamespaces(lab.prefix)).toEqual([])
    expect(existsSync(lab.dir)).toBe(false)
    await lab.destroy() // idempotent
    await expect(lab.host('a').exec('true', [])).rejects.toMatchObject({ code: 'ERR_LAB_DESTROYED' })
  })

  it('destroys the lab when the test body throws', async () => {
    let prefix = ''
    let sleeper: LabProcess | undefined
    await expect(withLab({ hosts: ['a', 'b'] }, async (lab) => {
      prefix = lab.prefix
      sleeper = lab.host('b').spawn('sleep', ['1000'])
      throw new Error('test body failed')
    })).rejects.toThrow('test body failed')
    expect(sleeper).toBeDefined()
    await sleeper?.wait()
    expect(existsSync(`/proc/${sleeper?.pid}`)).toBe(false)
    expect(labNamespaces(prefix)).toEqual([])
  })

  it('destroySync (the exit hook) removes everything synchronously', async () => {
    const lab = await createLab({ hosts: ['a'] })
    const sleeper = lab.host('a').spawn('sleep', ['1000'])
    lab.destroySync()
    expect(labNamespaces(lab.prefix)).toEqual([])
    expect(existsSync(lab.dir)).toBe(false)
    expect((await sleeper.wait()).signal).toBe('SIGKILL')
  })

  it('sweepStaleLabs deletes labs of dead processes and nothing else', async () => {
    const stale = makeLabPrefix(await deadPid())
    const unmarked = makeLabPrefix(await deadPid())
    const alive = makeLabPrefix(process.pid)
    const created = [`${stale}-h1`, `${stale}-sw`, `${unmarked}-h1`, `${alive}-h1`]
    const dirs = [stale, alive].map((p) => join(tmpdir(), `weft-lab-${p}`))
    try {
      for (const d of dirs) {
        mkdirSync(d, { recursive: true })
        writeFileSync(join(d, 'lab.json'), '{}\n')
      }
      for (const ns of created) execFileSync('ip', ['netns', 'add', ns])
      const inside = spawn('ip', ['netns', 'exec', `${stale}-h1`, 'sleep', '1000'], { stdio: 'ignore' })
      const insideExit = new Promise<NodeJS.Signals | null>((resolve) => inside.once('exit', (_c, s) => resolve(s)))
      await waitFor(async () => execFileSync('ip', ['netns', 'pids', `${stale}-h1`], { encoding: 'utf8' }).trim() !== '', { timeoutMs: 5000, what: 'sleep in the stale namespace' })

      const swept = await sweepStaleLabs()
      const left = namespaces()
      expect(left).not.toContain(`${stale}-h1`)
      expect(left).not.toContain(`${stale}-sw`)
      expect(existsSync(dirs[0])).toBe(false)
      expect(await insideExit).toBe('SIGKILL')
      expect(left).toContain(`${unmarked}-h1`) // no marker file: never ours to delete
      expect(left).toContain(`${alive}-h1`)
      expect(existsSync(dirs[1])).toBe(true)
      expect(swept).not.toContain(`${alive}-h1`)
    } finally {
      for (const ns of created) {
        if (namespaces().includes(ns)) execFileSync('ip', ['netns', 'delete', ns])
      }
      for (const d of dirs) rmSync(d, { recursive: true, force: true })
    }
  })
})

describe('createLab options', () => {
  it('rejects bad host names, subnets and MTUs before touching anything', async () => {
    await expect(createLab({ hosts: [] })).rejects.toMatchObject({ code: 'ERR_LAB_INIT' })
    await expect(createLab({ hosts: ['H1'] })).rejects.toMatchObject({ code: 'ERR_LAB_INIT' })
    await expect(createLab({ hosts: ['toolong7'] })).rejects.toMatchObject({ code: 'ERR_LAB_INIT' })
    await expect(createLab({ hosts: ['a', 'a'] })).rejects.toMatchObject({ code: 'ERR_LAB_INIT' })
    await expect(createLab({ hosts: ['sw'] })).rejects.toMatchObject({ code: 'ERR_LAB_INIT' })
    await expect(createLab({ hosts: ['a'], subnet: '198.18.0.1/24' })).rejects.toMatchObject({ code: 'ERR_LAB_INIT' })
    await expect(createLab({ hosts: ['a'], subnet: 'nope' })).rejects.toMatchObject({ code: 'ERR_LAB_INIT' })
    await expect(createLab({ hosts: ['a'], mtu: 10 })).rejects.toMatchObject({ code: 'ERR_LAB_INIT' })
  })

  it('honours subnet, mtu and forwarding', async () => {
    await withLab({ hosts: ['a', 'b'], subnet: '198.18.4.0/24', mtu: 1400, forwarding: ['b'] }, async (lab) => {
      expect(lab.host('b').address).toBe('198.18.4.11')
      expect((await lab.host('a').exec('ip', ['-o', 'link', 'show', 'eth0'])).stdout).toContain('mtu 1400')
      expect((await lab.host('a').exec('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim()).toBe('0')
      expect((await lab.host('b').exec('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim()).toBe('1')
      expect(await lab.host('a').ping(lab.host('b').address, { size: 1372, dontFragment: true })).toBe(true)
      expect(await lab.host('a').ping(lab.host('b').address, { size: 1373, dontFragment: true, timeoutS: 0.3 })).toBe(false)
    })
  })
})
