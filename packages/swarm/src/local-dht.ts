import { createRequire } from 'node:module'

/** A small DHT of our own: the bootstrap of labs and tests, never connected to the public one. */
export interface LocalDht {
  /** Where routers bootstrap from: `HOST:PORT`. */
  bootstrap: string
  close(): Promise<void>
}

type CreateTestnet = (size: number, opts: { host: string; port: number; bootstrap: [] }) => Promise<{
  bootstrap: Array<{ host: string; port: number }>
  destroy(): Promise<void>
}>

/**
 * Starts `size` persistent DHT nodes in this process, the first on `host:port`, the others
 * bootstrapping from it (hyperdht's testnet with an explicit empty bootstrap for the first).
 */
export async function startLocalDht(init: { host: string; port: number; size?: number }): Promise<LocalDht> {
  const createTestnet = createRequire(import.meta.url)('hyperdht/testnet') as CreateTestnet
  const testnet = await createTestnet(init.size ?? 3, { host: init.host, port: init.port, bootstrap: [] })
  const first = testnet.bootstrap[0]
  return { bootstrap: `${first.host}:${first.port}`, close: () => testnet.destroy() }
}
