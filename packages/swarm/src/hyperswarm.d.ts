// The small part of the Hyperswarm and HyperDHT APIs weft uses (neither ships types).
declare module 'hyperdht' {
  import type { EventEmitter } from 'node:events'
  interface DHTOptions {
    bootstrap: Array<{ host: string; port: number } | string>
    keyPair?: { publicKey: Buffer; secretKey: Buffer }
    port?: number
    host?: string
    ephemeral?: boolean
    firewalled?: boolean
  }
  class HyperDHT extends EventEmitter {
    constructor(opts: DHTOptions)
    static bootstrapper(port: number, host: string, opts?: Record<string, unknown>): HyperDHT
    ready(): Promise<void>
    fullyBootstrapped(): Promise<void>
    address(): { host: string; port: number }
    destroy(): Promise<void>
    readonly firewalled: boolean
  }
  export default HyperDHT
}

declare module 'hyperdht/lib/constants.js' {
  export const BOOTSTRAP_NODES: string[]
}

declare module 'hyperswarm' {
  import type { EventEmitter } from 'node:events'
  import type { Duplex } from 'node:stream'
  import type HyperDHT from 'hyperdht'
  export interface SwarmSocket extends Duplex {
    isInitiator: boolean
    remotePublicKey: Buffer
    rawStream: { remoteHost: string; remotePort: number } | null
    /** Sends one unordered encrypted message (UDX streams only). */
    trySend?: (data: Uint8Array) => void
  }
  export interface PeerInfo {
    publicKey: Buffer
  }
  interface Discovery {
    flushed(): Promise<void>
    refresh(opts?: { client?: boolean; server?: boolean }): Promise<void>
    destroy(): Promise<void>
  }
  class Hyperswarm extends EventEmitter<{ connection: [SwarmSocket, PeerInfo]; update: [] }> {
    constructor(opts: { dht: HyperDHT; keyPair?: { publicKey: Buffer; secretKey: Buffer }; maxPeers?: number })
    join(topic: Buffer, opts?: { server?: boolean; client?: boolean }): Discovery
    flush(): Promise<void>
    destroy(): Promise<void>
    readonly connections: Set<SwarmSocket>
    /** Peers known on joined topics, by hex public key. */
    readonly peers: Map<string, PeerInfo>
  }
  export default Hyperswarm
}
