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
