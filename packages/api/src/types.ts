/** Request and response bodies of the control API (HTTP+JSON over WEFT_HOME/weft.sock). */

export const API_VERSION = 'v1'

export interface PeerInfo {
  /** Ed25519 public key, hex. */
  id: string
  shortId: string
  nickname: string
}

export interface LocalPeerInfo extends PeerInfo {
  version: string
  restartId: string
  pid: number
  controlPort: number
  udpPort: number
  mtu: number
  bridge: string
  tap: string
  home: string
  startedAt: number
}

export type ConnectionState = 'connecting' | 'handshake' | 'established' | 'failed' | 'retrying'

/** Path-MTU discovery on a connection's underlay path, direct or through relays (docs/WIRE.md §5). */
export interface PathMtuInfo {
  /**
   * `probing`: a search is running (the MTU shown is the configured one, or the last one found);
   * `done`: the last search found the path's MTU; `failed`: it got no ProbeAck at any size (the
   * configured MTU, or the last one found, stays in force).
   */
  state: 'probing' | 'done' | 'failed'
  /** Largest datagram (UDP payload, bytes) a Probe got through with, when a search found one. */
  datagramBytes: number | null
  /** When the MTU in force was found (ms since the epoch), or null. */
  discoveredAt: number | null
}

export interface ConnectionInfo {
  peer: PeerInfo | null
  address: string
  direction: 'outbound' | 'inbound' | 'relayed'
  state: ConnectionState
  /** Why a failed/retrying connection is down, or `''`. */
  info: string
  encryption: string
  /** How data reaches the peer: `direct HOST:PORT`, `relay via SHORTID`, or `-`. */
  path: string
  udpEndpoint: string | null
  /** Largest IP packet a container may send to the peer, as discovered (through relays: end to end). */
  mtu: number | null
  /** Path-MTU discovery of the connection's path (direct, or end to end through relays); absent if not established. */
  pmtu?: PathMtuInfo
  rttMs: number | null
  establishedAt: number | null
  bytesSent: number
  bytesReceived: number
  packetsSent: number
  packetsReceived: number
}

export interface TargetInfo {
  address: string
  /** Learnt from gossip (not persisted), as opposed to given by the user. */
  discovered: boolean
  state: 'connected' | 'connecting' | 'retrying' | 'idle'
  attempts: number
  nextAttemptAt: number | null
  lastError: string
}

/** A peer the topology knows, with how it is reached from here. */
export interface KnownPeer extends PeerInfo {
  /** Established connections the peer itself reports. */
  connections: number
  /** `direct`, `relay via SHORTID`, or `unreachable`. */
  reach: string
}

export interface StatusResponse {
  router: LocalPeerInfo
  encryption: string
  peers: KnownPeer[]
  connections: ConnectionInfo[]
  targets: TargetInfo[]
  containers: number
  exposed: string[]
  drops: Record<string, number>
  /** Datagrams this router relayed for others. */
  relayed: { packets: number; bytes: number }
  /** Route table changes since start. */
  routeChanges: number
}

export interface ContainerInfo {
  name: string
  netns: string
  ownsNetns: boolean
  ifName: string
  hostVeth: string
  mac: string
  cidrs: string[]
  pid: number | null
  running: boolean
  createdAt: number
}

export type NetnsTarget = { kind: 'name' | 'pid'; value: string }

export interface CreateContainerRequest {
  name: string
  /**
   * Addresses: empty for one allocated by IPAM in the default subnet; each entry `net:CIDR`
   * (allocate in that subnet), `ip:ADDR[/len]` (claim that address) or a plain CIDR (explicit).
   */
  cidrs: string[]
  /** Attach an existing namespace instead of creating `<prefix><name>`. */
  target?: NetnsTarget
  /** DNS name to register instead of `name` (`weft run --dns-name`). */
  dnsName?: string
}

export interface AddressRequest {
  address: string
}

export interface CidrRequest {
  cidr: string
}

export interface PidRequest {
  pid: number
}

export interface JoinInfo {
  /** Present only when this router generated the secret at its first launch. */
  generatedSecret: string | null
  addresses: string[]
  port: number
}

export interface ErrorBody {
  error: { code: string; message: string }
}

/** One owner of IPAM space, as `weft status ipam` shows it. */
export interface IpamPeerInfo {
  id: string
  shortId: string
  nickname: string
  /** Addresses it owns. */
  owned: number
  /** Addresses it reports free. */
  free: number
  /** `self`, `direct`, `relay via SHORTID` or `unreachable`. */
  reach: string
}

export interface IpamAllocationInfo {
  container: string
  address: string
  subnet: string
  /** The address with the subnet's prefix length: what the interface has. */
  cidr: string
}

/** `GET /v1/ipam`: this router's view of IP address management. */
export interface IpamStatusResponse {
  range: string
  defaultSubnet: string
  mode: 'seed' | 'consensus' | 'observer'
  quorum: number | null
  /** Null until the ring exists (the first allocation here or on a peer). */
  ringId: string | null
  self: { id: string; shortId: string; nickname: string; owned: number; used: number; free: number }
  peers: IpamPeerInfo[]
  /** Ids of owners that this router cannot reach now. */
  unreachable: string[]
  /** Restarted sharing the ring and not heard from peers yet: allocates nothing until it has. */
  syncing: boolean
  /** Why an allocation in the default subnet cannot complete now, or null. */
  blocked: string | null
  /** Allocations waiting. */
  waiting: number
  allocations: IpamAllocationInfo[]
  /** The latest allocations revoked because their space went to another peer. */
  revoked: IpamAllocationInfo[]
  notes: string[]
  /** Counters of the allocator (conflicts, revoked, donations, takeovers, ...). */
  stats: Record<string, number>
}

/** `POST /v1/ipam/rmpeer`. */
export interface RmpeerRequest {
  /** Full id, short id (unique prefix) or nickname. */
  peer: string
}

export interface RmpeerResult {
  /** The full id of the peer taken over. */
  peer: string
  /** Addresses taken over (0: it owned nothing any more). */
  addresses: number
}
