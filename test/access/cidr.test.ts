import { describe, expect, it } from 'vitest';
import { CidrError, parseCidrList } from '../../src/access/cidr.ts';
import { clientIp } from '../../src/access/client-ip.ts';

describe('CIDR allow-lists', () => {
  it('matches IPv4 ranges, single addresses and IPv6 ranges', () => {
    const set = parseCidrList(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    expect(set.has('10.200.3.4')).toBe(true);
    expect(set.has('11.0.0.1')).toBe(false);
    expect(set.has('192.0.2.7')).toBe(true);
    expect(set.has('192.0.2.8')).toBe(false);
    expect(set.has('2001:db8:1::5')).toBe(true);
    expect(set.has('2001:db9::1')).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 socket address as its IPv4 address', () => {
    expect(parseCidrList(['127.0.0.0/8']).has('::ffff:127.0.0.1')).toBe(true);
  });

  it('refuses entries that are not addresses or have a bad prefix', () => {
    expect(() => parseCidrList(['10.0.0.0/33'])).toThrow(CidrError);
    expect(() => parseCidrList(['example.com'])).toThrow(/not an IP address/);
    expect(() => parseCidrList(['10.0.0.0/x'])).toThrow(/bad prefix/);
  });

  it('never matches garbage addresses', () => {
    expect(parseCidrList(['0.0.0.0/0']).has('not-an-ip')).toBe(false);
  });
});

describe('client address behind proxies', () => {
  const trusted = parseCidrList(['127.0.0.1']);

  it('uses the socket peer when it is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientIp('203.0.113.9', '10.1.1.1', trusted)).toBe('203.0.113.9');
  });

  it('believes X-Forwarded-For from a trusted proxy, taking the right-most untrusted hop', () => {
    expect(clientIp('127.0.0.1', '198.51.100.1, 203.0.113.5', trusted)).toBe('203.0.113.5');
    expect(clientIp('127.0.0.1', '198.51.100.1, 127.0.0.1', trusted)).toBe('198.51.100.1');
  });

  it('falls back to the peer when there is no header', () => {
    expect(clientIp('127.0.0.1', undefined, trusted)).toBe('127.0.0.1');
  });
});
