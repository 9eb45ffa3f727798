import { describe, expect, it } from 'vitest';
import { addressRefusal, embeddedIpv4 } from './special-addresses.ts';

describe('embeddedIpv4', () => {
  it.each([
    ['::ffff:127.0.0.1', 'IPv4-mapped', '127.0.0.1'],
    ['::ffff:0:a00:1', 'IPv4-translated', '10.0.0.1'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 (64:ff9b::/96)', '169.254.169.254'],
    ['2002:c0a8:101::1', '6to4 (2002::/16)', '192.168.1.1'],
    ['2a00:1450::5efe:7f00:1', 'ISATAP', '127.0.0.1'],
    ['2a00:1450::200:5efe:808:808', 'ISATAP', '8.8.8.8'],
  ])('finds the IPv4 address in %s', (ipv6, form, ipv4) => {
    expect(embeddedIpv4(ipv6)).toEqual({ form, ipv4 });
  });

  it.each(['2606:4700:4700::1111', '::1', 'fe80::5efe:1:2:3', '1.2.3.4', 'nope'])('finds none in %s', (a) => {
    expect(embeddedIpv4(a)).toBeNull();
  });
});

describe('addressRefusal', () => {
  it('names the block, and the IPv4 address a form carries', () => {
    expect(addressRefusal('192.0.2.1')).toBe('documentation (TEST-NET-1) (192.0.2.0/24)');
    expect(addressRefusal('2002:7f00:1::1')).toBe('6to4 (2002::/16) carrying 127.0.0.1: loopback (127.0.0.0/8)');
    expect(addressRefusal('2001::7f00:1')).toBe('Teredo (2001::/32)');
    expect(addressRefusal('64:ff9b:1::7f00:1')).toBe('local-use IPv4/IPv6 translation (64:ff9b:1::/48)');
    expect(addressRefusal('4000::1')).toBe('outside global unicast (2000::/3)');
    expect(addressRefusal('fd00::1%eth0')).toBe('unique-local (fc00::/7)');
    expect(addressRefusal('2a00:1450:4001:81a::200e')).toBeNull();
  });

  it('judges an ISATAP address by its prefix too', () => {
    expect(addressRefusal('fe80::5efe:808:808')).toBe('link-local (fe80::/10)');
    expect(addressRefusal('2a00:1450::5efe:808:808')).toBeNull();
  });
});
