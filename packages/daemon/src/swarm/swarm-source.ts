import type { Identity } from '@weft/crypto'
import { topicFromNetworkKey } from '@weft/crypto'
import { SwarmRendezvous, formatBootstrapList } from '@weft/swarm'
import type { Logger } from 'pino'
import type { ConnectionManager } from '../control/connection-manager.js'
import { plainAddress } from '../peer-address.js'
import type { SwarmConfig } from './swarm-config.js'

export interface SwarmSourceComponents {
  identity: Identity
  /** The network key used when dialling (the first accepted one): it names the topic. */
  networkKey: Buffer
  connections: ConnectionManager
  logger: Logger
}

/**
 * The swarm as a source of control connections: joins the topic derived one-way from the
 * network key and hands every stream to the connection manager, which runs weft's own Noise
 * XXpsk0 handshake on it before trusting anything (a stranger who found the topic and lacks the
 * key fails that handshake like on TCP).
 */
export class SwarmSource {
  private readonly rendezvous: SwarmRendezvous

  constructor(private readonly config: SwarmConfig, private readonly c: SwarmSourceComponents) {
    this.rendezvous = new SwarmRendezvous({
      topic: topicFromNetworkKey(c.networkKey),
      bootstrap: config.bootstrap,
      keyPair: { publicKey: c.identity.publicKey, secretKey: c.identity.secretKey },
    })
    this.rendezvous.on('connection', (conn) => {
      const host = plainAddress(conn.remoteAddress.slice(0, Math.max(0, conn.remoteAddress.lastIndexOf(':'))))
      this.c.logger.debug({ endpoint: conn.remoteAddress, initiator: conn.initiator }, 'swarm connection')
      this.c.connections.adoptStream(conn.stream, { address: `swarm ${conn.remoteAddress}`, remoteHost: host, initiator: conn.initiator, via: 'swarm', datagrams: conn.datagrams })
    })
    this.rendezvous.on('refresh', (r) => this.c.logger.debug(r, 'swarm announce and lookup'))
  }

  /** Joins the topic in the background: launch does not wait for the DHT. */
  start(): void {
    const bootstrap = formatBootstrapList(this.config.bootstrap)
    this.rendezvous.start().then(
      () => this.c.logger.info({ bootstrap }, 'joined the swarm topic'),
      (err: Error) => this.c.logger.error({ bootstrap, err: err.message }, 'cannot join the swarm topic'),
    )
  }

  /** Open swarm streams and whether the DHT sees us behind a NAT or firewall. */
  info(): { connections: number; firewalled: boolean | null } {
    return { connections: this.rendezvous.connectionCount, firewalled: this.rendezvous.firewalled }
  }

  async close(): Promise<void> {
    await this.rendezvous.close()
  }
}
