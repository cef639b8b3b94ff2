import { mkdirSync } from 'node:fs'
import { HOST_IFACE, SETUP_COMMAND_TIMEOUT_MS } from './constants.js'
import { LabError } from './errors.js'
import { createLab, type Lab } from './lab.js'
import { LabHost } from './lab-host.js'
import { isLabHostName } from './lab-names.js'
import { runCommand } from './run-command.js'

/**
 * How a NAT router maps its hosts' flows: `easy` is nftables masquerade keeping the source port
 * (endpoint-independent mapping); `symmetric` is masquerade `fully-random` (a new random port per
 * destination). Both filter inbound by connection state: only replies get in.
 */
export type NatKind = 'easy' | 'symmetric'

export interface NatLabInit {
  /**
   * Subnet of the public network (default the lab's 198.18.0.0/24). HyperDHT skips addresses in
   * reserved ranges such as 198.18.0.0/15 when it connects peers, so swarm tests use a private one.
   */
  subnet?: string
  /** Hosts on the public switch (198.18.0.0/24), no NAT. */
  public: string[]
  /** Hosts each behind a NAT router of their own: `{ name, kind }`; the router is `r<name>`. */
  private: Array<{ name: string; kind: NatKind }>
}

/** Interface of a NAT router towards its private host. */
const LAN_IFACE = 'lan0'

/**
 * A lab with a "public" network and hosts behind NAT routers: host `name` of `private[i]` lives
 * in `10.(i+1).0.0/24` (so the public subnet must not overlap 10.1-10.9) (address `.2`, its router `.1`) and reaches the public network only
 * through router `r<name>`, a public host with forwarding and masquerade. No route leaves the lab.
 */
export class NatLab {
  private readonly inner = new Map<string, LabHost>()
  private readonly routers = new Map<string, LabHost>()

  constructor (readonly lab: Lab) {}

  /** A public host, NAT router or private host by name. */
  host (name: string): LabHost {
    return this.inner.get(name) ?? this.lab.host(name)
  }

  /** The NAT router in front of private host `name`. */
  natRouter (name: string): LabHost {
    const r = this.routers.get(name)
    if (r === undefined) throw new LabError('ERR_LAB_UNKNOWN_HOST', `host "${name}" is not behind a NAT in lab ${this.lab.prefix}`)
    return r
  }

  async destroy (): Promise<void> {
    await this.lab.destroy()
  }

  /** @internal */
  async addPrivate (index: number, name: string, kind: NatKind): Promise<void> {
    const router = this.lab.host(`r${name}`)
    const net = `10.${index + 1}.0`
    const host = new LabHost(this.lab, name, `${net}.2`)
    mkdirSync(host.home, { recursive: true, mode: 0o700 })
    const ip = async (args: string[], input?: string): Promise<void> => {
      await runCommand('ip', args, { input, timeoutMs: SETUP_COMMAND_TIMEOUT_MS, track: (p, r) => this.lab.track(p, r) })
    }
    await ip(['netns', 'add', host.netns])
    await ip(['-n', host.netns, '-batch', '-'], [
      'link set lo up',
      `link add ${HOST_IFACE} type veth peer name ${LAN_IFACE} netns ${router.netns}`,
      `addr add ${host.address}/24 dev ${HOST_IFACE}`,
      `link set ${HOST_IFACE} up`,
      `route add default via ${net}.1`,
    ].join('\n') + '\n')
    await ip(['-n', router.netns, '-batch', '-'], [`addr add ${net}.1/24 dev ${LAN_IFACE}`, `link set ${LAN_IFACE} up`].join('\n') + '\n')
    await router.nft(natRules(kind))
    this.inner.set(name, host)
    this.routers.set(name, router)
  }
}

/** The nftables rules of a NAT router of `kind`. */
export function natRules (kind: NatKind): string {
  return `table ip weftnat {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${HOST_IFACE}" masquerade${kind === 'symmetric' ? ' fully-random' : ''}
  }
  chain lanfilter {
    type filter hook forward priority filter; policy accept;
    iifname "${HOST_IFACE}" oifname "${LAN_IFACE}" ct state established,related accept
    iifname "${HOST_IFACE}" oifname "${LAN_IFACE}" drop
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "${HOST_IFACE}" ct state established,related accept
    iifname "${HOST_IFACE}" drop
  }
}
`
}

/** Builds a NAT lab (see `NatLab`); destroys what it built if any step fails. */
export async function createNatLab (init: NatLabInit): Promise<NatLab> {
  for (const p of init.private) {
    if (!isLabHostName(p.name) || p.name.length > 5) throw new LabError('ERR_LAB_INIT', `private host name "${p.name}" must match [a-z0-9]{1,5}`)
  }
  const routers = init.private.map((p) => `r${p.name}`)
  const lab = await createLab({ hosts: [...init.public, ...routers], forwarding: routers, subnet: init.subnet })
  const nat = new NatLab(lab)
  try {
    for (const [i, p] of init.private.entries()) await nat.addPrivate(i, p.name, p.kind)
  } catch (e) {
    await lab.destroy().catch(() => {})
    throw e instanceof LabError ? e : new LabError('ERR_LAB_SETUP', `cannot build NAT lab ${lab.prefix}: ${(e as Error).message}`, { cause: e })
  }
  return nat
}
