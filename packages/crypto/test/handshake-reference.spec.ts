import { createCipheriv, createHmac, createHash } from 'node:crypto'
import sodium from 'sodium-native'
import { describe, expect, it } from 'vitest'
import { dhKeyPairFromSecret, Handshake, identityFromSeed, type DhKeyPair, type Identity } from '../src/index.js'

// An independent, straight-line rendering of weft's handshake as docs/CRYPTO.md describes it,
// written from the Noise spec with node:crypto (OpenSSL) for BLAKE2b, HMAC and ChaCha20-Poly1305;
// only X25519 comes from libsodium. The package must produce the same bytes and keys.

const blake2b = (...parts: Buffer[]): Buffer => createHash('blake2b512').update(Buffer.concat(parts)).digest()
const hmac = (key: Buffer, ...parts: Buffer[]): Buffer => createHmac('blake2b512', key).update(Buffer.concat(parts)).digest()

function hkdf(ck: Buffer, ikm: Buffer): [Buffer, Buffer, Buffer] {
  const temp = hmac(ck, ikm)
  const o1 = hmac(temp, Buffer.of(1))
  const o2 = hmac(temp, o1, Buffer.of(2))
  return [o1, o2, hmac(temp, o2, Buffer.of(3))]
}

function seal(key: Buffer, n: number, ad: Buffer, plaintext: Buffer): Buffer {
  const nonce = Buffer.alloc(12)
  nonce.writeUInt32LE(n, 4)
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
  cipher.setAAD(ad, { plaintextLength: plaintext.length })
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

function x25519(secret: Buffer, pub: Buffer): Buffer {
  const out = Buffer.alloc(32)
  sodium.crypto_scalarmult(out, secret, pub)
  return out
}

interface Transcript {
  messages: Buffer[]
  handshakeHash: Buffer
  controlKeys: [Buffer, Buffer]
  dataKeys: [Buffer, Buffer]
}

function reference(
  psk: Buffer,
  i: { id: Identity; e: DhKeyPair },
  r: { id: Identity; e: DhKeyPair },
  payloads: Buffer[],
): Transcript {
  let h: Buffer = Buffer.alloc(64)
  Buffer.from('Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b').copy(h)
  let ck: Buffer = Buffer.from(h)
  let k: Buffer | null = null
  let n = 0
  const mixHash = (data: Buffer): void => {
    h = blake2b(h, data)
  }
  const mixKey = (ikm: Buffer): void => {
    const [nextCk, tempK] = hkdf(ck, ikm)
    ck = nextCk
    k = tempK.subarray(0, 32)
    n = 0
  }
  const encryptAndHash = (plaintext: Buffer): Buffer => {
    const out = seal(k!, n++, h, plaintext)
    mixHash(out)
    return out
  }

  mixHash(Buffer.from('weft/1'))
  // -> psk, e
  const [psk1, pskH, pskK] = hkdf(ck, psk)
  ck = psk1
  mixHash(pskH)
  k = pskK.subarray(0, 32)
  n = 0
  mixHash(i.e.publicKey)
  mixKey(i.e.publicKey)
  const m1 = Buffer.concat([i.e.publicKey, encryptAndHash(payloads[0])])
  // <- e, ee, s, es
  mixHash(r.e.publicKey)
  mixKey(r.e.publicKey)
  mixKey(x25519(r.e.secretKey, i.e.publicKey))
  const rs = encryptAndHash(r.id.dhPublic)
  mixKey(x25519(r.id.dhSecret, i.e.publicKey))
  const m2 = Buffer.concat([r.e.publicKey, rs, encryptAndHash(Buffer.concat([r.id.publicKey, payloads[1]]))])
  // -> s, se
  const is = encryptAndHash(i.id.dhPublic)
  mixKey(x25519(i.id.dhSecret, r.e.publicKey))
  const m3 = Buffer.concat([is, encryptAndHash(Buffer.concat([i.id.publicKey, payloads[2]]))])

  const [c1, c2] = hkdf(ck, Buffer.alloc(0))
  const [d1, d2] = hkdf(ck, Buffer.from('weft data keys'))
  return {
    messages: [m1, m2, m3],
    handshakeHash: h,
    controlKeys: [c1.subarray(0, 32), c2.subarray(0, 32)],
    dataKeys: [d1.subarray(0, 32), d2.subarray(0, 32)],
  }
}

describe('Handshake against an independent reference', () => {
  it.each([
    ['empty payloads', [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)]],
    ['app payloads', [Buffer.from('hello'), Buffer.from('world'), Buffer.alloc(1000, 9)]],
  ])('produces the same messages, hash and keys (%s)', (_name, payloads) => {
    const psk = Buffer.alloc(32, 0x5a)
    const i = { id: identityFromSeed(new Uint8Array(32).fill(3)), e: dhKeyPairFromSecret(new Uint8Array(32).fill(4)) }
    const r = { id: identityFromSeed(new Uint8Array(32).fill(5)), e: dhKeyPairFromSecret(new Uint8Array(32).fill(6)) }
    const expected = reference(psk, i, r, payloads)

    const initiator = Handshake.initiator({ identity: i.id, networkKey: psk, ephemeral: i.e })
    const responder = Handshake.responder({ identity: r.id, networkKeys: [psk], ephemeral: r.e })
    const m1 = initiator.writeMessage(payloads[0])
    expect(responder.readMessage(m1).equals(payloads[0])).toBe(true)
    const m2 = responder.writeMessage(payloads[1])
    expect(initiator.readMessage(m2).equals(payloads[1])).toBe(true)
    const m3 = initiator.writeMessage(payloads[2])
    expect(responder.readMessage(m3).equals(payloads[2])).toBe(true)
    expect([m1, m2, m3].map((m) => m.toString('hex'))).toEqual(expected.messages.map((m) => m.toString('hex')))

    const a = initiator.split()
    const b = responder.split()
    expect(a.handshakeHash.toString('hex')).toBe(expected.handshakeHash.toString('hex'))
    expect(a.dataKeys.send.toString('hex')).toBe(expected.dataKeys[0].toString('hex'))
    expect(a.dataKeys.receive.toString('hex')).toBe(expected.dataKeys[1].toString('hex'))
    expect(b.dataKeys.send.toString('hex')).toBe(expected.dataKeys[1].toString('hex'))
    const ping = Buffer.from('control frame')
    expect(a.send.encrypt(ping).equals(seal(expected.controlKeys[0], 0, Buffer.alloc(0), ping))).toBe(true)
    expect(b.send.encrypt(ping).equals(seal(expected.controlKeys[1], 0, Buffer.alloc(0), ping))).toBe(true)
  })
})
