import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DaemonError, formatPeerAddress, parseLaunchArgs, parsePeerAddress } from '../src/index.js'

const env = { WEFT_HOME: '/tmp/weft-test-home' }

describe('parseLaunchArgs', () => {
  it('applies every default and freezes the result', () => {
    const c = parseLaunchArgs([], env)
    expect(c).toMatchObject({ home: '/tmp/weft-test-home', port: 6783, mtu: 1376, underlayMtu: 1500, bridge: 'weft', tap: 'weft-tap', peers: [], secrets: [], foreground: false, netnsPrefix: 'weft-', fastPath: true })
    expect(parseLaunchArgs(['--no-fast-path'], env).fastPath).toBe(false)
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 6784 })
    expect(Object.isFrozen(c)).toBe(true)
    expect(Object.isFrozen(c.peers)).toBe(true)
  })

  it('reads peers, flags, the secret from the environment or a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-cfg-'))
    writeFileSync(join(dir, 'secret'), 'new secret 1\n\n old secret 0 \n')
    const c = parseLaunchArgs(['198.18.0.11', 'host-b:7000', '[fd00::1]:6783', '--nickname', 'n1', '--mtu', '1400', '--password-file', join(dir, 'secret'), '--metrics-addr', 'off', '--foreground'], env)
    expect(c.peers).toEqual(['198.18.0.11', 'host-b:7000', 'fd00::1'])
    expect(c.secrets).toEqual(['new secret 1', 'old secret 0'])
    expect(c.metrics).toBeNull()
    expect(c.foreground).toBe(true)
    expect(parseLaunchArgs([], { ...env, WEFT_PASSWORD: 'from env!' }).secrets).toEqual(['from env!'])
  })

  it.each([
    [['--mtu', '100'], /--mtu/],
    [['--port', 'x'], /--port/],
    [['--bridge', 'a/b'], /--bridge/],
    [['--log-level', 'loud'], /--log-level/],
    [['--nickname', 'bad name'], /--nickname/],
    [['--frobnicate'], /frobnicate/],
    [['host:99999'], /port/],
    [['--password-file', '/nonexistent/secret'], /password-file/],
  ])('rejects %j with a clear DaemonError', (argv, msg) => {
    expect(() => parseLaunchArgs(argv, env)).toThrow(DaemonError)
    expect(() => parseLaunchArgs(argv, env)).toThrow(msg)
  })

  it('answers any argv with a config or a DaemonError', () => {
    const flag = fc.constantFrom('--nickname', '--port', '--mtu', '--underlay-mtu', '--bridge', '--tap', '--metrics-addr', '--log-level', '--foreground', '--x', '-p', '--')
    fc.assert(fc.property(fc.array(fc.oneof(flag, fc.string({ maxLength: 20 })), { maxLength: 8 }), (argv) => {
      try {
        const c = parseLaunchArgs(argv, env)
        expect(Object.isFrozen(c)).toBe(true)
      } catch (err) {
        expect(err).toBeInstanceOf(DaemonError)
      }
    }), { numRuns: 3000 })
  })
})

describe('peer addresses', () => {
  it('parses and formats canonically', () => {
    expect(parsePeerAddress('10.0.0.1')).toEqual({ host: '10.0.0.1', port: 6783 })
    expect(parsePeerAddress('[::1]:80')).toEqual({ host: '::1', port: 80 })
    expect(formatPeerAddress(parsePeerAddress('h.example:6783'))).toBe('h.example')
    expect(formatPeerAddress(parsePeerAddress('[::1]:80'))).toBe('[::1]:80')
  })

  it('round-trips whatever it accepts, and rejects the rest with a DaemonError', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.ipV4().map((ip) => `${ip}:${ip.length}`), fc.ipV6()), (text) => {
      let parsed
      try {
        parsed = parsePeerAddress(text)
      } catch (err) {
        expect(err).toBeInstanceOf(DaemonError)
        return
      }
      expect(parsePeerAddress(formatPeerAddress(parsed))).toEqual(parsed)
    }), { numRuns: 3000 })
  })
})
