// One delivery attempt: POST the raw body, connecting only to an address that was checked.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkAddresses, isPrivateAddress, resolveHost } from './webhook-target.ts';

export interface PostOptions {
  /** The whole attempt (connect, send, answer) must end within this (ms). */
  timeoutMs: number;
  allowPrivate: boolean;
}

export interface PostResult {
  /** A 2xx answer. */
  ok: boolean;
  /** The HTTP status answered; null when there was none (refused target, timeout, network). */
  code: number | null;
  error: string | null;
  durationMs: number;
}

/** The `lookup` of the connection: resolves, refuses private answers, and connects to what it checked. */
function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname)
      .then((found) => {
        checkAddresses(hostname, found, allowPrivate);
        const usable = options.family ? found.filter((a) => a.family === options.family) : found;
        const first = usable[0];
        if (!first) throw new Error(`${hostname} has no IPv${options.family} address`);
        if (options.all) (callback as (e: null, a: typeof usable) => void)(null, usable);
        else callback(null, first.address, first.family);
      })
      .catch((err: Error) => callback(err as NodeJS.ErrnoException, '', 0));
  };
}

/**
 * POSTs `body` to `url` once. Never follows a redirect (a 3xx is a failed attempt). The
 * host is resolved and every address checked right before connecting, and the socket goes
 * to one of those addresses, so a name that changes its answer (DNS rebinding) cannot
 * reach a private address after passing the check at rule creation.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: PostOptions,
): Promise<PostResult> {
  const started = performance.now();
  const done = (code: number | null, error: string | null): PostResult => ({
    ok: code !== null && code >= 200 && code < 300,
    code,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  const u = new URL(url);
  const literal = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  // An IP literal skips `lookup`: checked here instead.
  if (isIP(literal) !== 0 && !opts.allowPrivate && isPrivateAddress(literal)) {
    return Promise.resolve(done(null, `${literal} is a loopback, private or otherwise internal address`));
  }
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    const req = send(u, {
      method: 'POST',
      agent: false, // a fresh connection per attempt, through the checked lookup
      lookup: checkedLookup(opts.allowPrivate),
      signal: AbortSignal.timeout(opts.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Thumbline-Webhooks/1',
        connection: 'close',
        ...headers,
      },
    });
    req.on('response', (res: IncomingMessage) => {
      const code = res.statusCode ?? null;
      res.destroy(); // the answer's body is not needed; do not let a receiver stream into us
      const error =
        code !== null && code >= 300 && code < 400
          ? `redirect (${code}) not followed`
          : code !== null && (code < 200 || code >= 300)
            ? `HTTP ${code}`
            : null;
      resolve(done(code, error));
    });
    req.on('error', (err: Error & { code?: string }) => {
      const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
      resolve(
        done(null, timedOut ? `no answer within ${opts.timeoutMs} ms` : err.message || err.code || 'network error'),
      );
    });
    req.end(body);
  });
}
