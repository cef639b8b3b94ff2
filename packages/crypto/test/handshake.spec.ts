import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CryptoError,
  dhKeyPairFromSecret,
  generateIdentity,
  Handshake,
  identityFromSeed,
  MAX_MESSAGE_BYTES,
  NoiseHandshakeState,
  PROLOGUE,
  type HandshakeResult,
  type Identity,
} from '../src/index.js'

const alice = identityFromSeed(new Uint8Array(32).fill(0xa1))
const bob = identityFromSeed(new Uint8Array(32).fill(0xb0))
const networkKey = new Uint8Array(32).fill(0x42)

interface Run {
  messages: Buffer[]
  received: Buffer[]
  initiator: Handshake
  responder: Handshake
}

/** Runs a full handshake, delivering `tamper(index, message)` instead of each message. */
function handshake(
  opts: { initiatorKey?: Uint8Array; responderKeys?: Uint8Array[]; payloads?: Uint8Array[] } = {},
): Run {
  const initiator = Handshake.initiator({ identity: alice, networkKey: opts.initiatorKey ?? networkKey })
  const responder = Handshake.responder({ identity: bob, networkKeys: opts.responderKeys ?? [networkKey] })
  const payloads = opts.payloads ?? []
  const messages: Buffer[] = []
  const received: Buffer[] = []
  for (let i = 0; i < 3; i++) {
    const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator]
    const message = writer.writeMessage(payloads[i])
    messages.push(message)
    received.push(reader.readMessage(message))
  }
  return { messages, received, initiator, responder }
}

function expectCode(fn: () => unknown, ...codes: string[]): void {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  expect(thrown).toBeInstanceOf(CryptoError)
  expect(codes).toContain((thrown as CryptoError).code)
}

function expectPaired(a: HandshakeResult, b: HandshakeResult): void {
  expect(a.handshakeHash.length).toBe(64)
  expect(a.handshakeHash.equals(b.handshakeHash)).toBe(true)
  expect(a.dataKeys.send.length).toBe(32)
  expect(a.dataKeys.send.equals(b.dataKeys.receive)).toBe(true)
  expect(a.dataKeys.receive.equals(b.dataKeys.send)).toBe(true)
  expect(a.dataKeys.send.equals(a.dataKeys.receive)).toBe(false)
  const m1 = a.send.encrypt(Buffer.from('ping'))
  expect(b.receive.decrypt(m1).toString()).toBe('ping')
  const m2 = b.send.encrypt(Buffer.from('pong'), Buffer.from('ad'))
  expect(a.receive.decrypt(m2, Buffer.from('ad')).toString()).toBe('pong')
}

describe('Handshake', () => {
  it('completes with app payloads, identities and matching keys', () => {
    const payloads = [Buffer.from('one'), Buffer.from('two'), Buffer.from('three')]
    const run = handshake({ payloads })
    expect(run.received.map(String)).toEqual(['one', 'two', 'three'])
    expect(run.initiator.complete && run.responder.complete).toBe(true)
    expect(run.initiator.remotePublicKey!.equals(bob.publicKey)).toBe(true)
    expect(run.responder.remotePublicKey!.equals(alice.publicKey)).toBe(true)
    expect(run.initiator.matchedKeyIndex).toBe(0)
    expect(run.responder.matchedKeyIndex).toBe(0)
    const a = run.initiator.split()
    const b = run.responder.split()
    expectPaired(a, b)
    // Control keys and data keys are all different.
    const dataKeys = [a.dataKeys.send, a.dataKeys.receive].map((k) => k.toString('hex'))
    expect(new Set(dataKeys).size).toBe(2)
    expect(run.initiator.remotePublicKey!.equals(bob.publicKey)).toBe(true)
  })

  it('has messages of 48, 128 and 96 bytes without app payload', () => {
    const run = handshake()
    expect(run.messages.map((m) => m.length)).toEqual([48, 128, 96])
    expect(run.received.map((m) => m.length)).toEqual([0, 0, 0])
  })

  it('works with either side initiating and random identities', () => {
    for (const [i, r] of [
      [bob, alice],
      [generateIdentity(), generateIdentity()],
    ] as [Identity, Identity][]) {
      const key = randomBytes(32)
      const initiator = Handshake.initiator({ identity: i, networkKey: key })
      const responder = Handshake.responder({ identity: r, networkKeys: [key] })
      responder.readMessage(initiator.writeMessage())
      expect(initiator.remotePublicKey).toBeNull()
      initiator.readMessage(responder.writeMessage())
      expect(initiator.remotePublicKey!.equals(r.publicKey)).toBe(true)
      expect(responder.remotePublicKey).toBeNull()
      responder.readMessage(initiator.writeMessage())
      expect(responder.remotePublicKey!.equals(i.publicKey)).toBe(true)
      expectPaired(initiator.split(), responder.split())
    }
  })

  it('fails at message 1 on a responder without the initiator\'s network key', () => {
    const initiator = Handshake.initiator({ identity: alice, networkKey })
    const responder = Handshake.responder({ identity: bob, networkKeys: [randomBytes(32), randomBytes(32)] })
    const m1 = initiator.writeMessage(Buffer.from('hello'))
    expectCode(() => responder.readMessage(m1), 'ERR_HANDSHAKE_DECRYPT')
    expect(responder.matchedKeyIndex).toBe(-1)
    expect(responder.remotePublicKey).toBeNull()
    // Nothing more comes out of it: it never writes message 2.
    expectCode(() => responder.writeMessage(), 'ERR_HANDSHAKE_FAILED')
    expectCode(() => responder.readMessage(m1), 'ERR_HANDSHAKE_FAILED')
  })

  it('accepts rotated keys and reports which one matched', () => {
    const oldKey = randomBytes(32)
    const newKey = randomBytes(32)
    const run = handshake({ initiatorKey: newKey, responderKeys: [oldKey, newKey] })
    expect(run.responder.matchedKeyIndex).toBe(1)
    expectPaired(run.initiator.split(), run.responder.split())
    const legacy = handshake({ initiatorKey: oldKey, responderKeys: [newKey, randomBytes(32), oldKey] })
    expect(legacy.responder.matchedKeyIndex).toBe(2)
    expectPaired(legacy.initiator.split(), legacy.responder.split())
  })

  it('fails on any altered byte of any message', () => {
    const reference = handshake().messages
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (index, rawPosition, mask) => {
          const initiator = Handshake.initiator({ identity: alice, networkKey })
          const responder = Handshake.responder({ identity: bob, networkKeys: [networkKey] })
          for (let i = 0; i < 3; i++) {
            const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator]
            const message = writer.writeMessage()
            expect(message.length).toBe(reference[i].length)
            if (i === index) {
              message[rawPosition % message.length] ^= mask
              expectCode(() => reader.readMessage(message), 'ERR_HANDSHAKE_DECRYPT', 'ERR_HANDSHAKE_MALFORMED')
              expect(reader.complete).toBe(false)
              expectCode(() => reader.readMessage(message), 'ERR_HANDSHAKE_FAILED')
              return
            }
            reader.readMessage(message)
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('throws typed errors for garbage into a fresh responder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const responder = Handshake.responder({ identity: bob, networkKeys: [networkKey, randomBytes(32)] })
        expectCode(() => responder.readMessage(bytes), 'ERR_HANDSHAKE_DECRYPT', 'ERR_HANDSHAKE_MALFORMED')
        expectCode(() => responder.writeMessage(), 'ERR_HANDSHAKE_FAILED')
      }),
      { numRuns: 300 },
    )
  })

  it('throws typed errors for garbage into an initiator awaiting message 2', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const initiator = Handshake.initiator({ identity: alice, networkKey })
        initiator.writeMessage()
        expectCode(() => initiator.readMessage(bytes), 'ERR_HANDSHAKE_DECRYPT', 'ERR_HANDSHAKE_MALFORMED')
        expect(initiator.remotePublicKey).toBeNull()
        expectCode(() => initiator.writeMessage(), 'ERR_HANDSHAKE_FAILED')
      }),
      { numRuns: 300 },
    )
  })

  it('rejects truncated and extended messages', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: -200, max: 64 }), (index, delta) => {
        fc.pre(delta !== 0)
        const initiator = Handshake.initiator({ identity: alice, networkKey })
        const responder = Handshake.responder({ identity: bob, networkKeys: [networkKey] })
        for (let i = 0; i < 3; i++) {
          const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator]
          let message = writer.writeMessage()
          if (i === index) {
            message =
              delta < 0 ? message.subarray(0, Math.max(0, message.length + delta)) : Buffer.concat([message, randomBytes(delta)])
            expectCode(() => reader.readMessage(message), 'ERR_HANDSHAKE_DECRYPT', 'ERR_HANDSHAKE_MALFORMED')
            return
          }
          reader.readMessage(message)
        }
      }),
      { numRuns: 100 },
    )
    const responder = Handshake.responder({ identity: bob, networkKeys: [networkKey] })
    expectCode(() => responder.readMessage(Buffer.alloc(MAX_MESSAGE_BYTES + 1)), 'ERR_HANDSHAKE_MALFORMED')
  })

  it('rejects a peer whose Ed25519 key does not match its static key', () => {
    const mallory = generateIdentity()
    const forger = (initiator: boolean): NoiseHandshakeState =>
      new NoiseHandshakeState({
        pattern: 'XXpsk0',
        initiator,
        prologue: Buffer.from(PROLOGUE),
        psks: [networkKey],
        staticKeyPair: { publicKey: mallory.dhPublic, secretKey: mallory.dhSecret },
      })

    // Mallory answers as responder but claims to be Bob.
    const initiator = Handshake.initiator({ identity: alice, networkKey })
    const fakeResponder = forger(false)
    fakeResponder.readMessage(initiator.writeMessage())
    expectCode(() => initiator.readMessage(fakeResponder.writeMessage(bob.publicKey)), 'ERR_IDENTITY_MISMATCH')
    expect(initiator.remotePublicKey).toBeNull()
    expectCode(() => initiator.writeMessage(), 'ERR_HANDSHAKE_FAILED')

    // Mallory initiates and claims to be Alice.
    const responder = Handshake.responder({ identity: bob, networkKeys: [networkKey] })
    const fakeInitiator = forger(true)
    responder.readMessage(fakeInitiator.writeMessage())
    fakeInitiator.readMessage(responder.writeMessage())
    expectCode(() => responder.readMessage(fakeInitiator.writeMessage(alice.publicKey)), 'ERR_IDENTITY_MISMATCH')
    expect(responder.complete).toBe(false)
    expectCode(() => responder.split(), 'ERR_HANDSHAKE_FAILED')

    // An identity payload shorter than a key, or not a curve point, is a mismatch too.
    for (const claim of [Buffer.alloc(31, 7), Buffer.concat([Buffer.of(1), Buffer.alloc(31)])]) {
      const victim = Handshake.initiator({ identity: alice, networkKey })
      const fake = forger(false)
      fake.readMessage(victim.writeMessage())
      expectCode(() => victim.readMessage(fake.writeMessage(claim)), 'ERR_IDENTITY_MISMATCH')
    }
  })

  it('throws ERR_HANDSHAKE_STATE for calls out of turn without failing', () => {
    const initiator = Handshake.initiator({ identity: alice, networkKey })
    const responder = Handshake.responder({ identity: bob, networkKeys: [networkKey] })
    expectCode(() => initiator.readMessage(Buffer.alloc(48)), 'ERR_HANDSHAKE_STATE')
    expectCode(() => responder.writeMessage(), 'ERR_HANDSHAKE_STATE')
    expectCode(() => initiator.split(), 'ERR_HANDSHAKE_STATE')
    const m1 = initiator.writeMessage()
    expectCode(() => initiator.writeMessage(), 'ERR_HANDSHAKE_STATE')
    responder.readMessage(m1)
    expectCode(() => responder.readMessage(m1), 'ERR_HANDSHAKE_STATE')
    initiator.readMessage(responder.writeMessage())
    responder.readMessage(initiator.writeMessage())
    for (const side of [initiator, responder]) {
      expectCode(() => side.writeMessage(), 'ERR_HANDSHAKE_STATE')
      expectCode(() => side.readMessage(m1), 'ERR_HANDSHAKE_STATE')
    }
    expectPaired(initiator.split(), responder.split())
    expectCode(() => initiator.split(), 'ERR_HANDSHAKE_STATE')
  })

  it('refuses payloads that would exceed 65535 bytes, without failing', () => {
    const initiator = Handshake.initiator({ identity: alice, networkKey })
    const responder = Handshake.responder({ identity: bob, networkKeys: [networkKey] })
    expectCode(() => initiator.writeMessage(Buffer.alloc(MAX_MESSAGE_BYTES - 48 + 1)), 'ERR_MESSAGE_TOO_LARGE')
    const m1 = initiator.writeMessage(Buffer.alloc(MAX_MESSAGE_BYTES - 48))
    expect(m1.length).toBe(MAX_MESSAGE_BYTES)
    expect(responder.readMessage(m1).length).toBe(MAX_MESSAGE_BYTES - 48)
    expectCode(() => responder.writeMessage(Buffer.alloc(MAX_MESSAGE_BYTES - 128 + 1)), 'ERR_MESSAGE_TOO_LARGE')
    expect(responder.writeMessage(Buffer.alloc(MAX_MESSAGE_BYTES - 128)).length).toBe(MAX_MESSAGE_BYTES)
  })

  it('rejects bad keys at construction', () => {
    expectCode(() => Handshake.initiator({ identity: alice, networkKey: new Uint8Array(16) }), 'ERR_BAD_KEY')
    expectCode(() => Handshake.responder({ identity: bob, networkKeys: [] }), 'ERR_BAD_ARGUMENT')
    expectCode(() => Handshake.responder({ identity: bob, networkKeys: [networkKey, new Uint8Array(33)] }), 'ERR_BAD_KEY')
    const broken = { ...alice, dhSecret: Buffer.alloc(0) }
    expectCode(() => Handshake.initiator({ identity: broken, networkKey }), 'ERR_BAD_KEY')
  })

  it('is deterministic with fixed ephemeral keys', () => {
    const fixed = (byte: number) => dhKeyPairFromSecret(new Uint8Array(32).fill(byte))
    const transcript = (): string[] => {
      const initiator = Handshake.initiator({ identity: alice, networkKey, ephemeral: fixed(1) })
      const responder = Handshake.responder({ identity: bob, networkKeys: [networkKey], ephemeral: fixed(2) })
      const m1 = initiator.writeMessage(Buffer.from('m1'))
      responder.readMessage(m1)
      const m2 = responder.writeMessage()
      initiator.readMessage(m2)
      const m3 = initiator.writeMessage()
      responder.readMessage(m3)
      const a = initiator.split()
      expectPaired(a, responder.split())
      return [m1, m2, m3, a.handshakeHash, a.dataKeys.send].map((b) => b.toString('hex'))
    }
    const first = transcript()
    expect(transcript()).toEqual(first)
    // The initiator's ephemeral public key is the first 32 bytes of message 1.
    expect(first[0].slice(0, 64)).toBe(fixed(1).publicKey.toString('hex'))
  })
})
