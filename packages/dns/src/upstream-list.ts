// The current upstream resolvers: read from the resolv.conf at start, and again when the file
// changes (checked at most every RESOLV_CONF_CHECK_INTERVAL_MS, in the background, when a query
// is forwarded), so a host whose resolvers change (DHCP, VPN) keeps working. Upstreams that are
// this server itself are left out: forwarding to ourselves would loop.

import { stat } from 'node:fs/promises'
import { RESOLV_CONF_CHECK_INTERVAL_MS } from './constants.js'
import { readResolvConf, type Upstream } from './resolv-conf.js'

export class UpstreamList {
  private list: readonly Upstream[] = []
  private mtimeMs = -1
  private checkedAt = -Infinity
  private checking = false
  private self: (u: Upstream) => boolean = () => false

  constructor(
    private readonly path: string,
    private readonly defaultPort: number,
    private readonly now: () => number,
    private readonly fixed: readonly Upstream[] | undefined,
  ) {}

  /** The upstreams to use now; starts a background re-check of the file when one is due. */
  current(): readonly Upstream[] {
    if (this.fixed === undefined && !this.checking && this.now() - this.checkedAt >= RESOLV_CONF_CHECK_INTERVAL_MS) {
      this.checking = true
      void this.reload(false).finally(() => { this.checking = false })
    }
    return this.list
  }

  /** Leaves out every upstream `isSelf` matches, from now on. */
  exclude(isSelf: (u: Upstream) => boolean): void {
    this.self = isSelf
    this.list = this.list.filter((u) => !isSelf(u))
  }

  /** Reads the file (if it changed, or always with `force`); resolves to the upstreams in use. */
  async reload(force = true): Promise<readonly Upstream[]> {
    this.checkedAt = this.now()
    if (this.fixed !== undefined) {
      this.list = this.fixed.filter((u) => !this.self(u))
      return this.list
    }
    let mtimeMs = -1
    try {
      mtimeMs = (await stat(this.path)).mtimeMs
    } catch {
      // missing: no upstreams
    }
    if (!force && mtimeMs === this.mtimeMs) return this.list
    this.mtimeMs = mtimeMs
    const read = mtimeMs < 0 ? [] : await readResolvConf(this.path, this.defaultPort)
    this.list = read.filter((u) => !this.self(u))
    return this.list
  }
}
