/**
 * Where traffic for peers goes beyond our neighbours, as the control path computes it from the
 * topology (shortest paths, per-source spanning trees). Swapped whole with `Datapath.setRoutes`
 * and never changed in place: the data path reads whichever object is current, per datagram.
 * Peer ids are the 64-hex-digit ids the sessions are installed under.
 */
export interface DatapathRoutes {
  /** Next hop (a neighbour with a direct session) for each destination peer id. */
  readonly nextHop: ReadonlyMap<string, string>
  /**
   * Neighbours to forward a broadcast from `source` to (source = self for our own broadcasts).
   * Called once per broadcast datagram received or sent; should return a precomputed array.
   */
  broadcast(source: string): readonly string[]
}

const NO_NEIGHBOURS: readonly string[] = Object.freeze([])

/**
 * Before the control path sets any routes: no next hops, and broadcasts from others go nowhere.
 * Our own broadcasts are flooded as Data datagrams to every peer with a direct session, exactly
 * as before routes existed (the data path special-cases this state rather than consult it).
 */
export const NO_ROUTES: DatapathRoutes = Object.freeze({
  nextHop: new Map<string, string>(),
  broadcast: (): readonly string[] => NO_NEIGHBOURS,
})
