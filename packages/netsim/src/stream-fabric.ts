import { MAX_HOPS } from './constants.js'
import type { Endpoint } from './endpoint.js'
import type { FabricContext } from './fabric-context.js'
import type { SimNode } from './realm.js'
import type { SimHost } from './sim-host.js'
import type { SimNat } from './sim-nat.js'
import type { SimStream } from './sim-stream.js'
import type { HeldMapping, StreamRoute } from './stream-connection.js'
import { StreamConnection } from './stream-connection.js'

interface Resolution {
  readonly route: StreamRoute | undefined
  readonly mappings: HeldMapping[]
}

/**
 * Opens stream connections and tells them when the topology changes. The route is resolved once,
 * at `connect`: outbound through each NAT (a TCP mapping held while the stream lives), inbound
 * only through a NAT's `forward`. @internal
 */
export class StreamFabric {
  private readonly live = new Set<StreamConnection>()
  private nextId = 1

  constructor(private readonly ctx: FabricContext, private readonly timeoutMs: number) {}

  connect(host: SimHost, localPort: number, to: Endpoint): SimStream {
    const id = this.nextId++
    const { route, mappings } = this.resolve(host, { address: host.address, port: localPort }, to)
    const conn = new StreamConnection(this.ctx, {
      id, client: host, localPort, to, route, mappings,
      prng: this.ctx.prng.fork(`stream:${id}`),
      timeoutMs: this.timeoutMs,
      onEnd: (c) => this.live.delete(c),
    })
    this.live.add(conn)
    conn.start()
    return conn.client
  }

  /** Partitions or links changed: every connection re-checks its path. */
  recheck(): void {
    for (const c of [...this.live]) c.recheck()
  }

  /** Open (or opening) connections. */
  size(): number {
    return this.live.size
  }

  private resolve(host: SimHost, local: Endpoint, to: Endpoint): Resolution {
    const mappings: HeldMapping[] = []
    const path: SimNode[] = [host]
    const fail = (): Resolution => ({ route: undefined, mappings })
    let realm = host.realm
    let src = local
    let dst = to
    let lastOut: SimNat | undefined
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const target = realm.byAddress.get(dst.address)
      if (target?.kind === 'host') {
        if (target !== path[path.length - 1]) path.push(target)
        return { route: { path, server: target, serverPort: dst.port, seenAs: src }, mappings }
      }
      if (target?.kind === 'nat') {
        if (target === lastOut && !target.hairpin) return fail()
        if (target !== path[path.length - 1]) path.push(target)
        const internal = target.inboundStream(dst.port)
        if (!internal || !target.inside.byAddress.has(internal.address)) return fail()
        dst = internal
        realm = target.inside
        lastOut = undefined
        continue
      }
      const nat = realm.owner
      if (!nat) return fail()
      const port = nat.outbound('tcp', src, dst, true)
      if (port === undefined) return fail()
      mappings.push({ nat, port })
      src = { address: nat.publicAddress, port }
      path.push(nat)
      realm = nat.realm
      lastOut = nat
    }
    return fail()
  }
}
