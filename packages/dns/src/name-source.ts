// The one thing the DNS server asks of the names: the seam that lets it run on a fake in tests,
// and on `@weft/names` (whose `Names` has exactly these two methods) in the router.

/** Where local answers come from. Both calls are synchronous and should be fast. */
export interface NameSource {
  /**
   * Every address of `name`, given relative to the DNS domain (`web` for `web.weft.local.`), in
   * any case: IPv4 and IPv6 literals, [] if none. May throw (the client gets SERVFAIL).
   */
  lookup(name: string): readonly string[]
  /**
   * Every name (relative to the domain, in the case it was registered in) with `address`,
   * given as an IP literal; [] if none. May throw (the client gets SERVFAIL).
   */
  reverse(address: string): readonly string[]
}
