// Starts a DNS server under test on 127.0.0.1 at a random port, with a test resolv.conf (never
// the host's) written to a temporary directory.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDnsServer, type DnsServer, type DnsServerComponents, type DnsServerInit } from '../../src/index.js'

export interface TestServer {
  server: DnsServer
  port: number
  resolvConf: string
  close(): Promise<void>
}

export async function startServer(init: DnsServerInit, components: DnsServerComponents, resolvConf = '# no upstreams\n'): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-dns-test-'))
  const path = join(dir, 'resolv.conf')
  await writeFile(path, resolvConf)
  const server = createDnsServer({ address: '127.0.0.1', port: 0, resolvConfPath: path, ...init }, components)
  const { port } = await server.start()
  return {
    server, port, resolvConf: path,
    async close() {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
