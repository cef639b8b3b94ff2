import type { Identity } from '@weft/crypto'
import { Handshake } from '@weft/crypto'
import type { Logger } from 'pino'

/** Kinds of routed messages this module owns. */
export const E2E_KINDS = ['e2e-1', 'e2e-2', 'e2e-3'] as const
export type E2eKind = (typeof E2E_KINDS)[number]

/** A handshake not finished within this long is abandoned and retried later (ms). */
export const E2E_HANDSHAKE_TIMEOUT_MS = 2_000

export interface EndToEndKeys {
  localIndex: number
  remoteIndex: number
  sendKey: Buffer
  receiveKey: Buffer
}

export interface EndToEndComponents {
  identity: Identity
  networkKeys: readonly Buffer[]
  logger: Logger
  /** Sends a routed control message towards `to`; false if there is no route. */
  sendRouted(to: string, kind: E2eKind, payload: Buffer): boolean
  /** Installs a relayed data session with `peer`; it becomes the one traffic to `peer` uses. */
  install(peer: string, keys: EndToEndKeys): void
  /** Removes one relayed data session, by our index. */
  uninstall(localIndex: number): void
  /** A session index not in use. */
  newIndex(): number
  now?: () => number
  /** Replace a session after this long (ms). */
  rekeyAfterMs: number
  /** A replaced session keeps receiving this long (ms). */
  graceMs: number
}

interface Pending {
  handshake: Handshake
  localIndex: number
  startedAt: number
}

/**
 * End-to-end data sessions with peers we have no direct connection to: the same Noise XXpsk0
 * handshake as on a control connection, carried in `routed` control messages through the
 * mesh, so relays forward data they can neither read nor forge. Either side starts one when it
 * has none (the smaller id wins a collision), the smaller id rekeys; each side's session index
 * rides in its encrypted handshake payload.
 */
export class EndToEndSessions {
  private readonly pending = new Map<string, Pending>()
  /** Our index and start time of the session with each peer. */
  private readonly established = new Map<string, { localIndex: number; since: number }>()
  private readonly now: () => number

  constructor(private readonly selfId: string, private readonly c: EndToEndComponents) {
    this.now = c.now ?? Date.now
  }

  /** Peers with an end-to-end session. */
  peers(): string[] {
    return [...this.established.keys()]
  }

  has(peer: string): boolean {
    return this.established.has(peer)
  }

  /**
   * Brings sessions in line with the routes: a session with every peer reachable only through
   * relays (`relayed`), none with anyone else.
   */
  reconcile(relayed: ReadonlySet<string>): void {
    const now = this.now()
    for (const peer of [...this.established.keys()]) {
      if (!relayed.has(peer)) this.drop(peer)
    }
    for (const [peer, p] of this.pending) {
      if (!relayed.has(peer) || now - p.startedAt > E2E_HANDSHAKE_TIMEOUT_MS) this.pending.delete(peer)
    }
    for (const peer of relayed) {
      if (this.pending.has(peer)) continue
      const current = this.established.get(peer)
      // with no session either side starts one (a collision is settled in onRouted); a rekey
      // is started by the smaller id
      if (!current || (this.selfId < peer && now - current.since >= this.c.rekeyAfterMs)) this.start(peer)
    }
  }

  /** Forgets the session with `peer` whose data path state is already gone. */
  forget(peer: string): void {
    this.pending.delete(peer)
    this.established.delete(peer)
  }

  /** Our index of the session with `peer`, if there is one. */
  sessionIndex(peer: string): number | undefined {
    return this.established.get(peer)?.localIndex
  }

  /** Removes the session with `peer` (the direct path works again, or it went away). */
  drop(peer: string): void {
    this.pending.delete(peer)
    const current = this.established.get(peer)
    if (!current) return
    this.established.delete(peer)
    this.c.uninstall(current.localIndex)
  }

  private start(peer: string): void {
    const handshake = Handshake.initiator({ identity: this.c.identity, networkKey: this.c.networkKeys[0] })
    const p = { handshake, localIndex: this.c.newIndex(), startedAt: this.now() }
    if (this.c.sendRouted(peer, 'e2e-1', handshake.writeMessage())) this.pending.set(peer, p)
  }

  /** Handles one routed message of an e2e kind from `from`; malformed ones throw (the caller counts them). */
  onRouted(from: string, kind: string, payload: Buffer): void {
    if (kind === 'e2e-1') {
      // both started at once: the smaller id's handshake goes on, the other is abandoned
      const mine = this.pending.get(from)
      if (mine?.handshake.initiator && this.selfId < from) return
      // a (re)start from the peer: answer it, replacing whatever we had
      const handshake = Handshake.responder({ identity: this.c.identity, networkKeys: [...this.c.networkKeys] })
      handshake.readMessage(payload)
      const localIndex = this.c.newIndex()
      const msg2 = handshake.writeMessage(indexBytes(localIndex))
      this.checkIdentity(handshake, from)
      this.pending.set(from, { handshake, localIndex, startedAt: this.now() })
      this.c.sendRouted(from, 'e2e-2', msg2)
      return
    }
    const p = this.pending.get(from)
    if (!p) throw new Error(`unexpected ${kind} from ${from.slice(0, 12)}`)
    if (kind === 'e2e-2' && !p.handshake.complete) {
      const remoteIndex = readIndex(p.handshake.readMessage(payload))
      this.checkIdentity(p.handshake, from)
      this.c.sendRouted(from, 'e2e-3', p.handshake.writeMessage(indexBytes(p.localIndex)))
      this.finish(from, p, remoteIndex)
    } else if (kind === 'e2e-3') {
      const remoteIndex = readIndex(p.handshake.readMessage(payload))
      this.checkIdentity(p.handshake, from)
      this.finish(from, p, remoteIndex)
    } else {
      throw new Error(`unexpected ${kind} from ${from.slice(0, 12)}`)
    }
  }

  private checkIdentity(h: Handshake, from: string): void {
    const remote = h.remotePublicKey
    if (remote && remote.toString('hex') !== from) throw new Error('end-to-end handshake answered by another identity than the routed sender')
  }

  private finish(peer: string, p: Pending, remoteIndex: number): void {
    const { dataKeys } = p.handshake.split()
    this.pending.delete(peer)
    const previous = this.established.get(peer)
    this.established.set(peer, { localIndex: p.localIndex, since: this.now() })
    this.c.install(peer, { localIndex: p.localIndex, remoteIndex, sendKey: dataKeys.send, receiveKey: dataKeys.receive })
    if (previous) {
      // a rekey: the old session keeps receiving what is still in flight, then goes
      setTimeout(() => {
        if (this.established.get(peer)?.localIndex !== previous.localIndex) this.c.uninstall(previous.localIndex)
      }, this.c.graceMs).unref()
    } else {
      this.c.logger.info({ peer: peer.slice(0, 12) }, 'end-to-end session established')
    }
  }
}

function indexBytes(index: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(index, 0)
  return b
}

function readIndex(payload: Buffer): number {
  if (payload.length !== 4) throw new Error(`end-to-end handshake payload of ${payload.length} bytes, expected 4`)
  const index = payload.readUInt32LE(0)
  if (index === 0) throw new Error('end-to-end handshake gave session index 0')
  return index
}
