import { CryptoError } from './errors.js'

/** A Noise message token (spec rev 34, section 7). */
export type NoiseToken = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk'

/** A handshake pattern with its psk modifiers applied. */
export interface NoisePattern {
  /** As in the protocol name, e.g. `XXpsk0`. */
  readonly name: string
  /** Tokens of each message; even indexes are sent by the initiator. */
  readonly messages: readonly (readonly NoiseToken[])[]
  /** Number of psk tokens: in psk mode every `e` token also does MixKey(e.pub). */
  readonly psks: number
}

/**
 * The interactive patterns without pre-messages that weft can run. XX is what weft uses; NN is
 * here because it is the smallest pattern with published test vectors.
 */
const BASE_PATTERNS: Record<string, NoiseToken[][]> = {
  NN: [['e'], ['e', 'ee']],
  XX: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']],
}

/**
 * Parses a pattern name such as `XX`, `XXpsk0` or `XXpsk0+psk2`: a base pattern and psk
 * modifiers (`psk0` puts a psk token at the start of the first message, `pskN` at the end of
 * message N). Throws `ERR_BAD_ARGUMENT` for anything else.
 */
export function parseNoisePattern(name: string): NoisePattern {
  const match = /^([A-Z]+)((?:psk\d)(?:\+psk\d)*)?$/.exec(name)
  const base = match === null ? undefined : BASE_PATTERNS[match[1]]
  if (match === null || base === undefined) {
    throw new CryptoError(
      'ERR_BAD_ARGUMENT',
      `unsupported Noise pattern ${JSON.stringify(name)}; use one of ${Object.keys(BASE_PATTERNS).join(', ')} with optional pskN modifiers`,
    )
  }
  const messages = base.map((tokens) => [...tokens])
  const modifiers = match[2] === undefined ? [] : match[2].split('+')
  for (const modifier of modifiers) {
    const position = Number(modifier.slice(3))
    if (position === 0) messages[0].unshift('psk')
    else if (position <= messages.length) messages[position - 1].push('psk')
    else {
      throw new CryptoError('ERR_BAD_ARGUMENT', `modifier ${modifier} is past the last message of ${match[1]}`)
    }
  }
  return { name, messages, psks: modifiers.length }
}
