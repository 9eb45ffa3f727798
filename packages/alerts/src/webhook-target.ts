// Which addresses a webhook may reach (docs/alerts.md, "Private addresses"): a rule must not
// turn Thumbline into a proxy into its own network. Checked when a rule is created and again
// on every connection (see webhook-post.ts), so DNS rebinding cannot slip through.
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

const blocked = new BlockList();
// IPv4: unspecified/"this network", private, shared (CGNAT), loopback, link-local, IETF
// protocol assignments, benchmarking, multicast, reserved and broadcast.
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
// IPv6: unspecified, loopback and IPv4-compatible (::/96), unique-local, link-local,
// site-local (deprecated), multicast. IPv4-mapped and NAT64 addresses are judged by the
// IPv4 address inside them (below).
for (const [net, prefix] of [
  ['::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::/96) IPv6 address, or null. */
function embeddedIpv4(ipv6: string): string | null {
  // The URL parser canonicalizes IPv6 (lower case, compressed, dotted quad as hex).
  const host = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1);
  const m = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!m) return null;
  const hi = parseInt(m[1] as string, 16);
  const lo = parseInt(m[2] as string, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True when `address` (an IP literal) is loopback, private, link-local, unique-local, multicast or unspecified. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const bare = address.split('%')[0] as string; // a zone id (fe80::1%eth0) is link-local anyway
    const v4 = embeddedIpv4(bare);
    if (v4 !== null) return blocked.check(v4, 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

/** Why a target is refused, as the API says it (`400 invalid_webhook_url`). */
export class WebhookTargetError extends Error {
  override readonly name = 'WebhookTargetError';
}

const LOOKUP_TIMEOUT_MS = 3000;

/** Every address `host` resolves to (an IP literal is its own). */
export function resolveHost(host: string, timeoutMs = LOOKUP_TIMEOUT_MS): Promise<LookupAddress[]> {
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  const family = isIP(literal);
  if (family !== 0) return Promise.resolve([{ address: literal, family }]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new WebhookTargetError(`${host} did not resolve within ${timeoutMs} ms`)),
      timeoutMs,
    );
    dnsLookup(literal, { all: true, verbatim: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err) reject(new WebhookTargetError(`${host} does not resolve (${err.code ?? err.message})`));
      else if (addresses.length === 0) reject(new WebhookTargetError(`${host} has no address`));
      else resolve(addresses);
    });
  });
}

/** Refuses an address list with one private address in it (unless private targets are allowed). */
export function checkAddresses(host: string, addresses: readonly LookupAddress[], allowPrivate: boolean): void {
  if (allowPrivate) return;
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) {
    throw new WebhookTargetError(
      `${host} resolves to ${bad.address}, a loopback, private or otherwise internal address (set THUMBLINE_WEBHOOK_ALLOW_PRIVATE=true to allow)`,
    );
  }
}

/**
 * Checks a webhook URL before a rule is saved: http(s), and, unless private targets are
 * allowed, a host whose every address is public. Throws WebhookTargetError saying why not.
 */
export async function checkWebhookUrl(url: string, allowPrivate: boolean): Promise<void> {
  if (!URL.canParse(url)) throw new WebhookTargetError('webhook.url: not a URL');
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new WebhookTargetError('webhook.url: must be http(s)');
  if (allowPrivate) return;
  checkAddresses(u.hostname, await resolveHost(u.hostname), false);
}
