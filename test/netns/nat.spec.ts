/*
 * Across NATs: routers launched with `--swarm --swarm-bootstrap <lab DHT>` and no peer address
 * find each other by the network secret alone, through a HyperDHT running inside the lab's
 * public network. One scenario over several topologies; each checks container ping, a short TCP
 * transfer, the data path shown in `weft status`, and that nothing left the lab's addresses.
 *
 *   public 10.200.0.0/24: boot (DHT) .10, public peers, NAT routers r<name>
 *   private host <name>: 10.<i+1>.0.2 behind r<name> (easy: masquerade; symmetric: fully-random)
 */
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { LabHost, NatKind, NatLab } from '@weft/testing'
import { createNatLab, readPcap, waitFor } from '@weft/testing'
import { FIXTURES, container, inContainer, launch, logLines, metric, status, waitPath, waitPing } from './support.js'

const DHT_PORT = 49737
/** Nodes of the lab DHT: with 3, no peer ever learns it is reachable (HyperDHT's NAT check needs more). */
const DHT_NODES = 8
/** The lab's public network: private space, since HyperDHT will not connect peers on reserved 198.18/15. */
const PUBLIC_SUBNET = '10.200.0.0/24'

interface Topology {
  title: string
  public: string[]
  private: Array<{ name: string; kind: NatKind }>
  /** How a's status must show the path to b. */
  path: RegExp
  /**
   * Launch every peer with `weft launch <this public peer's address>` instead of `--swarm`: no
   * lab DHT, so nothing but weft's own hole punch (coordinated over the mesh) can link a and b.
   */
  join?: string
  /** A firewall on a drops UDP to and from weft's data port (6783): only the swarm stream gets through. */
  dataPortBlocked?: boolean
}

const TOPOLOGIES: Topology[] = [
  { title: 'both public', public: ['a', 'b'], private: [], path: /^direct 10\.200\.0\.\d+:6783 \(control over swarm\)$/ },
  { title: 'a behind an easy NAT', public: ['b'], private: [{ name: 'a', kind: 'easy' }], path: /^direct 10\.200\.0\.\d+:6783 \(control over swarm\)$/ },
  {
    // joined by address (no swarm): once the NAT routers drop unsolicited input, HyperDHT's own
    // punch would also link a and b over the swarm; here only weft's punch can
    title: 'both behind easy NATs, joined via a public third peer',
    public: ['c'],
    private: [{ name: 'a', kind: 'easy' }, { name: 'b', kind: 'easy' }],
    path: /^direct \(punched\) 10\.200\.0\.\d+:6783$/,
    join: 'c',
  },
  {
    // HyperDHT connects a and b over a hole-punched swarm stream, or they meet through c and weft punches
    title: 'both behind easy NATs, a public third peer',
    public: ['c'],
    private: [{ name: 'a', kind: 'easy' }, { name: 'b', kind: 'easy' }],
    path: /^direct (\(punched\) )?10\.200\.0\.\d+:6783( \(control over swarm\))?$/,
  },
  {
    title: 'a behind a symmetric NAT, b behind an easy NAT, joined via a public third peer',
    public: ['c'],
    private: [{ name: 'a', kind: 'symmetric' }, { name: 'b', kind: 'easy' }],
    path: /^relay via [0-9a-f]{12}: this host behind symmetric NAT/,
    join: 'c',
  },
  {
    // no third peer to relay through, no UDP between the data sockets: the swarm stream's datagrams carry the data
    title: 'both public, a firewall drops UDP on the data port, no third peer',
    public: ['a', 'b'],
    private: [],
    path: /^direct over swarm datagrams: UDP to 10\.200\.0\.\d+:6783 unanswered$/,
    dataPortBlocked: true,
  },
  {
    title: 'both behind symmetric NATs, a public third peer',
    public: ['c'],
    private: [{ name: 'a', kind: 'symmetric' }, { name: 'b', kind: 'symmetric' }],
    path: /^relay via [0-9a-f]{12}: both behind symmetric NATs/,
  },
]

/** One row of the matrix printed at the end: topology and the path a's status showed to b. */
const matrix: Array<{ topology: string; ping: string; tcp: string; path: string }> = []

describe.sequential('routers find each other through the swarm across NATs', () => {
  let nat: NatLab | undefined
  afterEach(async () => {
    await nat?.destroy()
    nat = undefined
  })
  afterAll(() => {
    const cols = ['topology', 'ping', 'tcp', 'path'] as const
    const width = cols.map((k) => Math.max(k.length, ...matrix.map((r) => r[k].length)))
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`
    console.log(['NAT lab matrix (path: a to b in `weft status connections`)', line([...cols]), line(width.map((w) => '-'.repeat(w))),
      ...matrix.map((r) => line(cols.map((k) => r[k])))].join('\n'))
  })

  it.each(TOPOLOGIES)('$title', async (t) => {
    nat = await createNatLab({ subnet: PUBLIC_SUBNET, public: ['boot', ...t.public], private: t.private })
    const boot = nat.host('boot')
    if (t.join === undefined) {
      const dht = boot.spawn(process.execPath, [join(FIXTURES, 'dht-node.mjs'), boot.address, String(DHT_PORT), String(DHT_NODES)])
      await waitFor(async () => dht.stdout().includes('ready') || undefined, { timeoutMs: 15_000, what: 'the lab DHT to start' })
    }
    // debug logs every swarm announce and lookup: a topology whose peers never meet says why
    const how = t.join === undefined ? ['--swarm', '--swarm-bootstrap', `${boot.address}:${DHT_PORT}`, '--log-level', 'debug'] : [nat.host(t.join).address]
    // safety: every public-side interface (DHT host, public peers, NAT routers' outside) sees only lab addresses
    const watched: LabHost[] = [boot, ...t.public.map((n) => nat!.host(n)), ...t.private.map((p) => nat!.natRouter(p.name))]
    const captures = await Promise.all(watched.map(async (h) => await h.capture('eth0')))

    const peers = ['a', 'b', ...t.public.filter((n) => n !== 'a' && n !== 'b')].map((n) => nat!.host(n))
    if (t.dataPortBlocked) {
      await peers[0].nft(['table inet datafw {', '  chain in { type filter hook input priority 0; udp dport 6783 drop; udp sport 6783 drop; }',
        '  chain out { type filter hook output priority 0; udp dport 6783 drop; udp sport 6783 drop; }', '}', ''].join('\n'))
    }
    for (const h of peers) await launch(h, h.name === t.join ? [] : how)
    const [a, b] = peers
    const ca = await container(a, 'ca', '10.50.0.1/16')
    const cb = await container(b, 'cb', '10.50.0.2/16')
    const idB = (await status(b)).router.id

    const found = await waitPath(a, idB, t.path).catch((e: Error) => {
      const swarmLog = peers.map((h) => logLines(h, /"msg":"(swarm|joined the swarm|cannot join)/)).join('\n')
      throw new Error(`${e.message}\nswarm log lines of ${peers.map((h) => h.name).join(', ')}:\n${swarmLog}`)
    })
    expect(found.path).toMatch(t.path)

    const row = { topology: t.title, ping: 'FAIL', tcp: 'FAIL', path: found.path }
    matrix.push(row)
    await waitPing(a, ca, '10.50.0.2', 20_000)
    row.ping = 'ok'
    const sink = b.spawn('ip', ['netns', 'exec', cb, 'node', join(FIXTURES, 'tcp-sink.mjs'), '5003'])
    await waitFor(async () => sink.stderr().includes('listening') || undefined, { timeoutMs: 5000, what: 'sink to listen' })
    const source = await inContainer(a, ca, 'node', [join(FIXTURES, 'tcp-source.mjs'), '10.50.0.2', '5003', '1'], 60_000)
    expect(source.code, source.stderr).toBe(0)
    await sink.wait()
    expect(sink.stdout().trim()).toBe(source.stdout.trim())
    row.tcp = 'ok'
    // a punched path is carried by the native fast path like a direct one (1 MiB: ~750 frames)
    if (found.path.startsWith('direct (punched)')) expect(await metric(a, 'weft_fast_path_frames_in_total')).toBeGreaterThan(500)

    // status peers agrees on the kind of path (over the swarm, a link may still be routed around,
    // and punched meanwhile, until both ends report it)
    const reach = (await status(a)).peers.find((p) => p.id === idB)?.reach
    const text = (await a.weft(['status', 'connections'])).stdout
    const why = `${text}\n${peers.map((h) => logLines(h, /"msg":"(swarm connection|direct data path|[^"]*punch|connection (established|lost)|duplicate|routes changed)/)).join('\n')}`
    if (found.path.startsWith('relay')) expect(reach, why).toBe(found.path.split(':')[0])
    else if (t.dataPortBlocked) expect(reach, why).toBe('direct')
    else expect(reach, why).toMatch(/^direct/)
    const unanchored = new RegExp(t.path.source.replace(/^\^/, '').replace(/\$$/, ''), 'm')
    expect(text, text).toMatch(unanchored)

    for (const cap of captures) {
      const pcap = readPcap(await cap.stop())
      expect(pcap.packets.length).toBeGreaterThan(0)
      for (const addr of ipv4Addresses(pcap.packets)) {
        // link-local multicast (IGMP reports of interfaces coming up) never leaves a link
        expect(addr.startsWith('10.200.0.') || addr.startsWith('224.0.0.') || addr === '0.0.0.0' || addr === '255.255.255.255', addr).toBe(true)
      }
    }
  }, 240_000)
})

/** Source and destination of every IPv4 packet in Ethernet frames. */
function ipv4Addresses(frames: readonly Buffer[]): Set<string> {
  const out = new Set<string>()
  for (const f of frames) {
    if (f.length < 34 || f.readUInt16BE(12) !== 0x0800) continue
    out.add([...f.subarray(26, 30)].join('.'))
    out.add([...f.subarray(30, 34)].join('.'))
  }
  return out
}
