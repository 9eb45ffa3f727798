import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPrivateAddress, WebhookTargetError } from './webhook-target.ts';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::FFFF:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::7f00:1',
    'not-an-address',
    // The rest of the IANA IPv4 special-purpose registry.
    '192.0.0.9',
    '192.0.2.1',
    '192.31.196.1',
    '192.52.193.1',
    '192.88.99.1',
    '192.175.48.1',
    '198.51.100.7',
    '203.0.113.9',
    // The rest of the IANA IPv6 special-purpose registry, and what lies outside global unicast.
    '100::1',
    '100:0:0:1::1',
    '2001::1',
    '2001:1::1',
    '2001:2::1',
    '2001:3::1',
    '2001:4:112::1',
    '2001:20::1',
    '2001:db8::1',
    '2620:4f:8000::1',
    '3fff::1',
    '5f00::1',
    'fec0::1',
    '4000::1',
    '::7f00:1',
    // IPv6 forms that carry a private or loopback IPv4 address.
    '64:ff9b:1::7f00:1',
    '64:ff9b:1:7f00:1::',
    '2002:7f00:1::1',
    '2002:a00:1::1',
    '2002:a9fe:a9fe::',
    '::ffff:0:7f00:1',
    '::ffff:0:10.0.0.1',
    '2001::7f00:1',
    '2001:0:7f00:1::ffff:ffff',
    '2a00:1450:4001::5efe:7f00:1',
    '2a00:1450:4001::200:5efe:a9fe:a9fe',
  ])('refuses %s', (a) => {
    expect(isPrivateAddress(a)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '::ffff:0:808:808',
    '2a00:1450:4001::5efe:808:808',
    '2001:4860:4860::8888',
    '2a00:1450:4001:81a::200e',
    '192.0.1.1',
    '198.20.0.1',
  ])('allows %s', (a) => {
    expect(isPrivateAddress(a)).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  const refused = async (url: string, allowPrivate = false) => {
    const err = await checkWebhookUrl(url, allowPrivate).then(
      () => null,
      (e: unknown) => e,
    );
    return err instanceof WebhookTargetError ? err.message : null;
  };

  it('wants http(s)', async () => {
    expect(await refused('ftp://example.com/x')).toMatch(/http/);
    expect(await refused('javascript:alert(1)')).toMatch(/http/);
    expect(await refused('ftp://example.com/x', true)).toMatch(/http/);
  });

  it('refuses loopback and private targets, by literal or by name', async () => {
    expect(await refused('http://127.0.0.1:9999/hook')).toMatch(/127\.0\.0\.1/);
    expect(await refused('http://[::1]/hook')).toMatch(/::1/);
    expect(await refused('http://[::ffff:127.0.0.1]/hook')).toMatch(/internal/);
    expect(await refused('http://169.254.169.254/latest/meta-data')).toMatch(/169\.254/);
    expect(await refused('http://localhost:8080/hook')).toMatch(/localhost resolves to/);
  });

  it.each([
    ['http://[64:ff9b:1::7f00:1]/', /64:ff9b:1::\/48/],
    ['http://[2002:7f00:1::1]/', /6to4.*127\.0\.0\.1/],
    ['http://[::ffff:0:7f00:1]/', /127\.0\.0\.1/],
    ['http://[2001::7f00:1]/', /Teredo/],
    ['http://[100::1]/', /100::\/64/],
  ])('refuses %s, an IPv6 form of an internal target, naming why', async (url, why) => {
    expect(await refused(url)).toMatch(why);
  });

  it('allows them with THUMBLINE_WEBHOOK_ALLOW_PRIVATE', async () => {
    expect(await refused('http://127.0.0.1:9999/hook', true)).toBeNull();
    expect(await refused('http://localhost:8080/hook', true)).toBeNull();
  });

  it('allows a public address', async () => {
    expect(await refused('https://8.8.8.8/hook')).toBeNull();
  });

  it('refuses a name that does not resolve', async () => {
    expect(await refused('https://no-such-host.invalid/hook')).toMatch(/does not resolve/);
  });
});
