// resolv.conf parsing: nameserver lines in order, ports, comments, scoped and bad addresses
// ignored, duplicates dropped, at most MAX_UPSTREAMS.
import { describe, expect, it } from 'vitest'
import { MAX_UPSTREAMS, parseResolvConf } from '../src/index.js'

describe('parseResolvConf', () => {
  it('reads nameserver lines and nothing else', () => {
    const text = [
      '# generated', 'search example.test', 'options ndots:2',
      'nameserver 192.0.2.1', 'nameserver   2001:DB8::1  # v6', '; nameserver 192.0.2.9',
      'nameserver 192.0.2.2:5353', 'nameserver [2001:db8::2]:53', 'nameserver fe80::1%eth0',
      'nameserver 192.0.2.1', 'nameserver 192.0.2.300', 'nameserver 192.0.2.3:0', 'nameserver [192.0.2.4]:53', 'nameserver',
    ].join('\n')
    expect(parseResolvConf(text, 53)).toEqual([
      { address: '192.0.2.1', port: 53 },
      { address: '2001:db8::1', port: 53 },
      { address: '192.0.2.2', port: 5353 },
      { address: '2001:db8::2', port: 53 },
    ])
    expect(parseResolvConf('nameserver 192.0.2.1', 5300)).toEqual([{ address: '192.0.2.1', port: 5300 }])
  })

  it('keeps at most MAX_UPSTREAMS', () => {
    const text = Array.from({ length: MAX_UPSTREAMS + 3 }, (_, i) => `nameserver 192.0.2.${i + 1}`).join('\n')
    expect(parseResolvConf(text, 53)).toHaveLength(MAX_UPSTREAMS)
  })
})
