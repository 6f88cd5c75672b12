import { describe, expect, it } from 'vitest';
import { CidrSet, parseIpv4, parseIpv6 } from './cidr.js';

describe('CidrSet', () => {
  const privateNets = new CidrSet(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', '::1/128']);

  it('matches IPv4 addresses inside and outside each network', () => {
    expect(privateNets.has('10.244.1.17')).toBe(true);
    expect(privateNets.has('172.31.255.255')).toBe(true);
    expect(privateNets.has('172.32.0.1')).toBe(false);
    expect(privateNets.has('203.0.113.50')).toBe(false);
  });

  it('matches IPv6 and IPv4-mapped IPv6 addresses', () => {
    expect(privateNets.has('fd12:3456::1')).toBe(true);
    expect(privateNets.has('::1')).toBe(true);
    expect(privateNets.has('2001:db8::7')).toBe(false);
    expect(privateNets.has('::ffff:10.1.2.3')).toBe(true);
    expect(privateNets.has('::ffff:8.8.8.8')).toBe(false);
  });

  it('handles /0, host addresses and odd prefix lengths', () => {
    expect(new CidrSet(['0.0.0.0/0']).has('8.8.8.8')).toBe(true);
    expect(new CidrSet(['198.51.100.7']).has('198.51.100.7')).toBe(true);
    expect(new CidrSet(['198.51.100.7']).has('198.51.100.8')).toBe(false);
    expect(new CidrSet(['2001:db8:ab00::/41']).has('2001:db8:ab7f::1')).toBe(true);
    expect(new CidrSet(['2001:db8:ab00::/41']).has('2001:db8:ab80::1')).toBe(false);
  });

  it('treats text that is not an address as no match', () => {
    expect(privateNets.has('not-an-ip')).toBe(false);
    expect(privateNets.has('10.0.0')).toBe(false);
    expect(privateNets.has('10.0.0.256')).toBe(false);
  });

  it('rejects invalid networks with a message showing the expected form', () => {
    expect(() => new CidrSet(['10.0.0.0/33'])).toThrow(/prefix length must be 0..32/);
    expect(() => new CidrSet(['pods'])).toThrow(/10\.0\.0\.0\/8/);
  });
});

describe('address parsing', () => {
  it('parses dotted quads exactly', () => {
    expect(parseIpv4('192.168.1.2')).toBe(0xc0a80102);
    expect(parseIpv4('1.2.3.4.5')).toBeUndefined();
    expect(parseIpv4('01234.1.1.1')).toBeUndefined();
  });

  it('expands :: and embedded IPv4 tails', () => {
    expect(parseIpv6('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('::ffff:192.0.2.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]);
    expect(parseIpv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7')).toBeUndefined();
  });
});
