import type { DirectionalKeys } from '@weft/crypto'
import { generateDhKeyPair, rekeyDataKeys } from '@weft/crypto'
import type { Datapath } from '@weft/datapath'
import type { ControlMessage } from '@weft/wire'
import { PacketKind } from '@weft/wire'
import { REKEY_AFTER_PACKETS } from '../constants.js'
import type { PeerLink } from './peer-link.js'

export interface SessionRekeyInit {
  /** Replace a data session after this long (ms). */
  rekeyAfterMs: number
  /** A replaced session keeps receiving this long (ms). */
  graceMs: number
}

export interface SessionRekeyComponents {
  datapath: Datapath
  count?: (event: 'rekey' | 'bad_message', reason?: string) => void
  newIndex(): number
  /** Whether the link is still one of the manager's. */
  isOpen(l: PeerLink): boolean
}

/**
 * Rekey of a neighbour's direct data session: a fresh X25519 exchange over the control channel
 * gives a new session (new indexes, new keys chained to the old). The asking side sends on the
 * new session at once (a heartbeat if nothing else), the answering side starts sending on it
 * when the first datagram arrives on it; the old session keeps receiving for a grace period.
 */
export class SessionRekey {
  constructor(private readonly init: SessionRekeyInit, private readonly c: SessionRekeyComponents) {}

  due(l: PeerLink, now: number): boolean {
    if (now - l.sessionStartedAt >= this.init.rekeyAfterMs) return true
    const s = l.localIndex === null ? undefined : this.c.datapath.directSessionInfo(l.localIndex)
    return s !== undefined && BigInt(s.packetsSent) >= REKEY_AFTER_PACKETS
  }

  start(l: PeerLink): void {
    const pair = generateDhKeyPair()
    const index = this.c.newIndex()
    l.rekeyPending = { pair, index }
    l.conn.send({ t: 'rekey', ephemeral: pair.publicKey, sessionIndex: index, reply: false })
  }

  onMessage(l: PeerLink, msg: Extract<ControlMessage, { t: 'rekey' }>): void {
    if (l.state !== 'established' || !l.keys || !l.peerId || l.localIndex === null) {
      this.c.count?.('bad_message', 'rekey before hello')
      return
    }
    try {
      if (!msg.reply) {
        // both asked at once: the connection initiator's request wins
        if (l.rekeyPending && l.conn.role === 'initiator') return
        l.rekeyPending = null
        const pair = generateDhKeyPair()
        const index = this.c.newIndex()
        this.switchSession(l, rekeyDataKeys(l.keys, pair, msg.ephemeral), index, msg.sessionIndex, false)
        l.conn.send({ t: 'rekey', ephemeral: pair.publicKey, sessionIndex: index, reply: true })
        return
      }
      const pending = l.rekeyPending
      if (!pending) {
        this.c.count?.('bad_message', 'unexpected rekey reply')
        return
      }
      l.rekeyPending = null
      // take over sending only if the direct session was sending: while its path is down a
      // relayed session carries the traffic, and the new one waits for a datagram to arrive
      const sendNow = this.c.datapath.sendingIndex(l.peerId) === l.localIndex
      this.switchSession(l, rekeyDataKeys(l.keys, pending.pair, msg.ephemeral), pending.index, msg.sessionIndex, sendNow)
      this.c.datapath.sendControlPacket(l.peerId, PacketKind.Heartbeat, Buffer.alloc(0), true)
    } catch (err) {
      l.conn.close(`rekey failed: ${(err as Error).message}`)
    }
  }

  private switchSession(l: PeerLink, keys: DirectionalKeys, localIndex: number, remoteIndex: number, sendNow: boolean): void {
    const initiator = l.conn.role === 'initiator'
    const send = initiator ? keys.initiatorToResponder : keys.responderToInitiator
    const receive = initiator ? keys.responderToInitiator : keys.initiatorToResponder
    const peer = l.peerId!
    const old = l.localIndex!
    const current = this.c.datapath.directSessionInfo(old)
    if (!current) throw new Error('no current session to replace')
    this.c.datapath.addSession(peer, { localIndex, remoteIndex, sendKey: send, receiveKey: receive }, current.endpoint, l.mtu ?? undefined, sendNow)
    l.keys = keys
    l.localIndex = localIndex
    l.sessionStartedAt = Date.now()
    l.rekeys++
    this.c.count?.('rekey')
    const retire = () => {
      if (!this.c.datapath.hasIndex(old)) return
      // the old session stays while the peer has not started sending on the new one
      if (this.c.datapath.sendingIndex(peer) === old && this.c.isOpen(l)) {
        setTimeout(retire, this.init.graceMs).unref()
        return
      }
      this.c.datapath.removeSession(old)
    }
    setTimeout(retire, this.init.graceMs).unref()
  }
}
