import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Thumbline-Signature` of a raw body: `sha256=<hex HMAC-SHA256(secret, body)>`. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** What a receiver does (docs/alerts.md): recompute and compare in constant time. */
export function verifySignature(secret: string, rawBody: string, header: string | undefined | null): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
