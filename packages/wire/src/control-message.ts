// Control messages: the plaintext of every control frame after the handshake is one msgpack map
//
//   { "t": <type>, <field>: <value>, ... }
//
// validated against CONTROL_SCHEMAS below. Adding a message type is one entry in that table: its
// TypeScript type, its encoder and its decoder all follow from it. Unknown extra fields are
// ignored (a newer peer may send more) and never copied into the result; unknown types are
// rejected with reason 'unknown-type' so the caller can count them apart from broken messages.
//
// Untrusted bytes go through scanMsgpack (plain msgpack only, bounded depth, no extensions) and
// only then through msgpackr, configured without records, structures or extensions.

import { safePackr as packr, safeUnpackr as unpackr } from './safe-msgpack.js'
import {
  MAX_CHANNEL_NAME_CHARS, MAX_CONTROL_MESSAGE_BYTES, MAX_CONTROL_NESTING_DEPTH,
  MAX_CONTROL_PLAINTEXT_BYTES, MAX_GOODBYE_REASON_CHARS, MAX_GOSSIP_PAYLOAD_BYTES,
  MAX_HELLO_ADDRESSES, MAX_NICKNAME_CHARS, MIN_OVERLAY_MTU_BYTES, REKEY_EPHEMERAL_BYTES,
  MAX_ROUTED_PAYLOAD_BYTES, MAX_ROUTED_TTL, PEER_ID_BYTES, RESTART_ID_HEX_CHARS,
} from './constants.js'
import { bool, bytes, finite, ipList, str, u16, u32, uint, type FieldSpec } from './control-field.js'
import { WireError, describeValue, type BadMessageReason } from './errors.js'
import { scanMsgpack } from './msgpack-scan.js'

/** The schema of every control message type: field name -> field kind. */
export const CONTROL_SCHEMAS = {
  /** Sent first by both sides once the handshake is done. */
  hello: {
    version: u16,
    nickname: str(1, MAX_NICKNAME_CHARS),
    restartId: str(RESTART_ID_HEX_CHARS, RESTART_ID_HEX_CHARS, /^[0-9a-f]*$/, 'of lowercase hex'),
    udpPort: uint(1, 0xffff),
    sessionIndex: u32,
    mtu: uint(MIN_OVERLAY_MTU_BYTES, 0xffff),
    addresses: ipList(MAX_HELLO_ADDRESSES),
  },
  /** Control-connection heartbeat; `sentAt` is the sender's clock, echoed for the RTT. */
  ping: { id: u32, sentAt: finite },
  pong: { id: u32, sentAt: finite },
  /** An opaque gossip message of one channel. */
  gossip: {
    channel: str(1, MAX_CHANNEL_NAME_CHARS, /^[a-z0-9-]*$/, 'of [a-z0-9-]'),
    payload: bytes({ max: MAX_GOSSIP_PAYLOAD_BYTES }),
  },
  /** A new data session: the sender's ephemeral X25519 key and its receiver index. */
  rekey: { ephemeral: bytes({ length: REKEY_EPHEMERAL_BYTES }), sessionIndex: u32, reply: bool },
  /** The sender is closing the connection on purpose. */
  goodbye: { reason: str(0, MAX_GOODBYE_REASON_CHARS) },
  /**
   * A message between two peers that are not neighbours, forwarded hop by hop along unicast
   * routes (`ttl` drops by one each hop). `kind` names what `payload` is to the endpoints
   * (e.g. the messages of an end-to-end handshake); relays never look inside.
   */
  routed: {
    to: bytes({ length: PEER_ID_BYTES }),
    from: bytes({ length: PEER_ID_BYTES }),
    ttl: uint(0, MAX_ROUTED_TTL),
    kind: str(1, MAX_CHANNEL_NAME_CHARS, /^[a-z0-9-]*$/, 'of [a-z0-9-]'),
    payload: bytes({ max: MAX_ROUTED_PAYLOAD_BYTES }),
  },
} as const satisfies Record<string, Record<string, FieldSpec<unknown>>>

type Schemas = typeof CONTROL_SCHEMAS
type Simplify<T> = { [K in keyof T]: T[K] } & {}
type FieldsOf<S> = { -readonly [F in keyof S]: S[F] extends FieldSpec<infer T> ? T : never }

/** The `t` of every control message type. */
export type ControlMessageType = keyof Schemas
/** The control message of type `K`, as the schema table defines it. */
export type ControlMessageOf<K extends ControlMessageType> = Simplify<{ t: K } & FieldsOf<Schemas[K]>>
/** Any control message (a discriminated union on `t`). */
export type ControlMessage = { [K in ControlMessageType]: ControlMessageOf<K> }[ControlMessageType]

export type HelloMessage = ControlMessageOf<'hello'>
export type PingMessage = ControlMessageOf<'ping'>
export type PongMessage = ControlMessageOf<'pong'>
export type GossipMessage = ControlMessageOf<'gossip'>
export type RekeyMessage = ControlMessageOf<'rekey'>
export type GoodbyeMessage = ControlMessageOf<'goodbye'>

const SCHEMAS: Readonly<Record<string, Readonly<Record<string, FieldSpec<unknown>>>>> = CONTROL_SCHEMAS


function decodeError(reason: BadMessageReason, what: string): WireError {
  return new WireError('ERR_BAD_MESSAGE',
    `bad control message: ${what}; drop it and count it (the peer runs a broken or incompatible version)`, reason)
}

function encodeError(reason: BadMessageReason, what: string): WireError {
  return new WireError('ERR_BAD_MESSAGE', `cannot encode control message: ${what}; fix the caller`, reason)
}

/**
 * Checks `source` against its schema and returns a fresh object holding `t` and the schema's
 * fields only, or throws the error `fail` builds.
 */
function validate(source: Record<string, unknown>, fail: (reason: BadMessageReason, what: string) => WireError):
  ControlMessage {
  const t = Object.hasOwn(source, 't') ? source.t : undefined
  if (typeof t !== 'string') throw fail('bad-field', `field 't' (the message type) must be a string, got ${describeValue(t)}`)
  if (!Object.hasOwn(SCHEMAS, t)) throw fail('unknown-type', `unknown type ${describeValue(t)}`)
  const schema = SCHEMAS[t]
  const result: Record<string, unknown> = { t }
  for (const name of Object.keys(schema)) {
    const spec = schema[name]
    if (!Object.hasOwn(source, name)) throw fail('bad-field', `${t}.${name} is missing (expected ${spec.expects})`)
    const value = source[name]
    if (!spec.accepts(value)) throw fail('bad-field', `${t}.${name} must be ${spec.expects}, got ${describeValue(value)}`)
    result[name] = value
  }
  return result as ControlMessage
}

/**
 * Encodes a control message (its schema's fields only, in schema order). Throws WireError
 * ERR_BAD_MESSAGE if it breaks its schema or would not fit a control frame.
 */
export function encodeControl(msg: ControlMessage): Buffer {
  if (typeof msg !== 'object' || msg === null) throw encodeError('not-a-map', `expected an object, got ${describeValue(msg)}`)
  const clean = validate(msg as unknown as Record<string, unknown>, encodeError)
  const encoded = packr.pack(clean)
  if (encoded.length > MAX_CONTROL_PLAINTEXT_BYTES) {
    throw encodeError('too-large', `${encoded.length} bytes exceed the ${MAX_CONTROL_PLAINTEXT_BYTES}-byte limit`)
  }
  return encoded
}

/**
 * Decodes and validates one control message. Throws WireError ERR_BAD_MESSAGE, with `reason`
 * 'too-large', 'not-msgpack', 'not-a-map', 'unknown-type' or 'bad-field' and a message naming
 * the rule that failed. Byte fields of the result are copies, not views of `bytes`.
 */
export function decodeControl(bytes: Uint8Array): ControlMessage {
  if (bytes.length > MAX_CONTROL_MESSAGE_BYTES) {
    throw decodeError('too-large', `${bytes.length} bytes exceed the ${MAX_CONTROL_MESSAGE_BYTES}-byte limit`)
  }
  const problem = scanMsgpack(bytes, MAX_CONTROL_NESTING_DEPTH)
  if (problem !== null) throw decodeError('not-msgpack', `not acceptable msgpack: ${problem}`)
  // A fresh view: msgpackr caches a DataView on the object it is given.
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let value: unknown
  try {
    value = unpackr.unpack(view)
  } catch (error) {
    throw decodeError('not-msgpack', `msgpack decoding failed (${(error as Error).message.slice(0, 80)})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw decodeError('not-a-map', `expected a msgpack map, got ${describeValue(value)}`)
  }
  return validate(value as Record<string, unknown>, decodeError)
}
