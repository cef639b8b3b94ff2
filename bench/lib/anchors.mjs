/*
 * The anchor tunnels of bench/side-by-side.mjs, from Debian packages, each between the two lab
 * hosts on the same underlay as weft. Each start function configures both ends in a fresh lab,
 * runs the daemons in the foreground (their PIDs are what CPU is counted on), waits for a ping
 * over the tunnel and returns the measureOverlay inputs. The tunnel address sits on the host
 * namespace itself (weft's traffic also crosses a bridge and a veth into a container; the
 * anchors are spared that hop).
 *
 *   tinc        1.0, Mode = switch (Ethernet over a TAP, like weft), default cipher/digest
 *   wireguard   wireguard-go (userspace), configured with `wg`
 *   nebula      nebula 1.x with a lab CA, no lighthouse, static host map, allow-all firewall
 *
 * Install: apt-get install tinc wireguard-go wireguard-tools nebula
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hostEndpoint } from './overlay-measure.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitPing(h, target, what) {
  for (let i = 0; i < 60; i++) {
    const r = await h.exec('ping', ['-c1', '-W1', target], { allowFail: true })
    if (r.code === 0) return
    await sleep(250)
  }
  throw new Error(`${what}: no ping over the tunnel to ${target} within 15 s (is the package installed?)`)
}

async function waitLink(h, name) {
  for (let i = 0; i < 100; i++) {
    if ((await h.exec('ip', ['link', 'show', name], { allowFail: true })).code === 0) return
    await sleep(100)
  }
  throw new Error(`interface ${name} did not appear in ${h.netns}`)
}

function result(h1, h2, procs, target) {
  return {
    client: hostEndpoint(h1),
    server: hostEndpoint(h2),
    target,
    pids: procs.map((p) => p.pid),
    underlay: { client: hostEndpoint(h1), address: h2.address },
    stop: async () => {
      for (const p of procs) p.kill('SIGTERM')
      await Promise.all(procs.map((p) => p.wait()))
    },
  }
}

export async function startTinc(lab) {
  const hosts = lab.hosts()
  const dirs = hosts.map((h) => join(h.home, 'tinc'))
  for (const [i, h] of hosts.entries()) {
    mkdirSync(join(dirs[i], 'hosts'), { recursive: true })
    const connect = i === 1 ? `ConnectTo = ${hosts[0].name}\n` : ''
    writeFileSync(join(dirs[i], 'tinc.conf'), `Name = ${h.name}\nMode = switch\nInterface = tinc0\nAddressFamily = ipv4\n${connect}`)
    writeFileSync(join(dirs[i], 'hosts', h.name), `Address = ${h.address}\nPort = 655\n`)
    await h.exec('tincd', ['-c', dirs[i], '-K2048'], { input: '\n\n' })
  }
  // Each side knows the other's host file (address and public key).
  for (const [i, h] of hosts.entries()) {
    const other = hosts[1 - i]
    await h.exec('cp', [join(dirs[1 - i], 'hosts', other.name), join(dirs[i], 'hosts', other.name)])
  }
  const procs = hosts.map((h, i) => h.spawn('tincd', ['-c', dirs[i], '-D', '-d0', `--pidfile=${join(dirs[i], 'pid')}`]))
  for (const [i, h] of hosts.entries()) {
    await waitLink(h, 'tinc0')
    await h.exec('ip', ['addr', 'add', `10.45.0.${i + 1}/24`, 'dev', 'tinc0'])
    await h.exec('ip', ['link', 'set', 'tinc0', 'up'])
  }
  await waitPing(hosts[0], '10.45.0.2', 'tinc')
  return result(hosts[0], hosts[1], procs, '10.45.0.2')
}

export async function startWireguardGo(lab) {
  const hosts = lab.hosts()
  const keys = []
  for (const h of hosts) {
    const priv = (await h.exec('wg', ['genkey'])).stdout.trim()
    const pub = (await h.exec('wg', ['pubkey'], { input: priv + '\n' })).stdout.trim()
    const file = join(h.home, 'wg.key')
    mkdirSync(h.home, { recursive: true })
    writeFileSync(file, priv + '\n', { mode: 0o600 })
    keys.push({ file, pub })
  }
  // wireguard-go refuses to run where the kernel module exists unless told it is wanted.
  const env = { WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' }
  // The UAPI socket (/var/run/wireguard/NAME.sock) is shared by all namespaces: one name per end.
  const names = hosts.map((h, i) => `${lab.prefix.slice(0, 10)}wg${i + 1}`)
  const procs = hosts.map((h, i) => h.spawn('wireguard-go', ['-f', names[i]], { env }))
  for (const [i, h] of hosts.entries()) {
    const other = hosts[1 - i]
    const wg = names[i]
    await waitLink(h, wg)
    await h.exec('wg', ['set', wg, 'private-key', keys[i].file, 'listen-port', '51820',
      'peer', keys[1 - i].pub, 'allowed-ips', `10.46.0.${2 - i}/32`, 'endpoint', `${other.address}:51820`])
    await h.exec('ip', ['addr', 'add', `10.46.0.${i + 1}/24`, 'dev', wg])
    await h.exec('ip', ['link', 'set', wg, 'up'])
  }
  await waitPing(hosts[0], '10.46.0.2', 'wireguard-go')
  return result(hosts[0], hosts[1], procs, '10.46.0.2')
}

export async function startNebula(lab) {
  const hosts = lab.hosts()
  const ca = join(lab.dir, 'nebula-ca')
  mkdirSync(ca, { recursive: true })
  await hosts[0].exec('nebula-cert', ['ca', '-name', 'weft-bench', '-out-crt', join(ca, 'ca.crt'), '-out-key', join(ca, 'ca.key')])
  const procs = []
  for (const [i, h] of hosts.entries()) {
    const dir = join(h.home, 'nebula')
    mkdirSync(dir, { recursive: true })
    await h.exec('nebula-cert', ['sign', '-name', h.name, '-ip', `10.47.0.${i + 1}/24`, '-ca-crt', join(ca, 'ca.crt'),
      '-ca-key', join(ca, 'ca.key'), '-out-crt', join(dir, 'host.crt'), '-out-key', join(dir, 'host.key')])
    const other = hosts[1 - i]
    writeFileSync(join(dir, 'config.yml'), [
      'pki:', `  ca: ${join(ca, 'ca.crt')}`, `  cert: ${join(dir, 'host.crt')}`, `  key: ${join(dir, 'host.key')}`,
      'static_host_map:', `  "10.47.0.${2 - i}": ["${other.address}:4242"]`,
      'lighthouse:', '  am_lighthouse: false', '  hosts: []',
      'listen:', '  host: 0.0.0.0', '  port: 4242',
      'punchy:', '  punch: false',
      'tun:', '  dev: nebula1', '  mtu: 1300',
      'logging:', '  level: warning',
      'firewall:', '  outbound:', '    - port: any', '      proto: any', '      host: any',
      '  inbound:', '    - port: any', '      proto: any', '      host: any', '',
    ].join('\n'))
    procs.push(h.spawn('nebula', ['-config', join(dir, 'config.yml')]))
  }
  for (const h of hosts) await waitLink(h, 'nebula1')
  await waitPing(hosts[0], '10.47.0.2', 'nebula')
  return result(hosts[0], hosts[1], procs, '10.47.0.2')
}
