import { NetsimError } from './errors.js'
import type { LinkProps } from './link-props.js'
import { DEFAULT_LINK, resolveLinkProps } from './link-props.js'
import type { Realm, SimNode } from './realm.js'
import { createRealm } from './realm.js'

/**
 * Who exists and what joins them: nodes by name, realms, per-pair link properties and blocks.
 * Pairs are unordered: links and blocks are symmetric. @internal
 */
export class Topology {
  readonly internet: Realm = createRealm(undefined)
  private readonly nodes = new Map<string, SimNode>()
  private readonly links = new Map<string, LinkProps>()
  private readonly blocks = new Set<string>()
  defaultLink: LinkProps

  constructor(defaultLink: Partial<LinkProps> = {}) {
    this.defaultLink = resolveLinkProps(defaultLink, DEFAULT_LINK)
  }

  add(node: SimNode, realm: Realm, address: string): void {
    if (this.nodes.has(node.name)) throw new NetsimError('ERR_DUPLICATE_NAME', `a host or NAT named '${node.name}' already exists; pick another name`)
    const clash = realm.byAddress.get(address)
    if (clash) throw new NetsimError('ERR_DUPLICATE_ADDRESS', `address ${address} is taken by '${clash.name}' in the same realm`)
    this.nodes.set(node.name, node)
    realm.byAddress.set(address, node)
  }

  get(name: string): SimNode {
    const node = this.nodes.get(name)
    if (!node) throw new NetsimError('ERR_UNKNOWN_NODE', `no host or NAT named '${name}'`)
    return node
  }

  /** The realm a NAT's inside forms, for hosts added `behind` it (the internet when undefined). */
  realmBehind(natName: string | undefined): Realm {
    if (natName === undefined) return this.internet
    const nat = this.get(natName)
    if (nat.kind !== 'nat') throw new NetsimError('ERR_UNKNOWN_NODE', `'${natName}' is a host, not a NAT`)
    return nat.inside
  }

  link(a: string, b: string): LinkProps {
    return this.links.get(pairKey(a, b)) ?? this.defaultLink
  }

  setLink(a: string, b: string, patch: Partial<LinkProps>): void {
    this.get(a)
    this.get(b)
    this.links.set(pairKey(a, b), resolveLinkProps(patch, this.link(a, b)))
  }

  setDefaultLink(patch: Partial<LinkProps>): void {
    this.defaultLink = resolveLinkProps(patch, this.defaultLink)
  }

  block(a: string, b: string): void {
    this.get(a)
    this.get(b)
    if (a !== b) this.blocks.add(pairKey(a, b))
  }

  unblock(a: string, b: string): void {
    this.blocks.delete(pairKey(a, b))
  }

  heal(): void {
    this.blocks.clear()
  }

  isBlocked(a: string, b: string): boolean {
    return this.blocks.size > 0 && this.blocks.has(pairKey(a, b))
  }

  /** True when any two of `names` are blocked from each other. */
  anyBlocked(names: readonly string[]): boolean {
    if (this.blocks.size === 0) return false
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) if (this.isBlocked(names[i], names[j])) return true
    }
    return false
  }

  /** True when `next` is blocked from any of `path`. */
  blockedFrom(path: readonly string[], next: string): boolean {
    if (this.blocks.size === 0) return false
    return path.some((n) => this.isBlocked(n, next))
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
}
