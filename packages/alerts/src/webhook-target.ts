// Which addresses a webhook may reach (docs/alerts.md, "Private addresses"): a rule must not
// turn Thumbline into a proxy into its own network. Checked when a rule is created and again
// on every connection (see webhook-post.ts), so DNS rebinding cannot slip through.
import { isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { addressRefusal } from './special-addresses.ts';

/**
 * True when `address` (an IP literal) is in a special-purpose block (loopback, private, link-local,
 * documentation, NAT64 local-use, …) or carries an IPv4 address that is; see special-addresses.ts.
 */
export function isPrivateAddress(address: string): boolean {
  return addressRefusal(address) !== null;
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
  for (const { address } of addresses) {
    const why = addressRefusal(address);
    if (why) {
      throw new WebhookTargetError(
        `${host} resolves to ${address}, an internal or special-purpose address: ${why} (set THUMBLINE_WEBHOOK_ALLOW_PRIVATE=true to allow)`,
      );
    }
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
