import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

/** A destination and what was written to it so far. */
function sink() {
  const out = new PassThrough();
  return { out, text: () => (out.read() as Buffer | null)?.toString() ?? '' };
}

const tty = process.stdout.isTTY;
afterEach(() => {
  process.stdout.isTTY = tty;
});

describe('createLogger', () => {
  it('writes readable lines when stdout is a terminal, synchronously and redacted', () => {
    process.stdout.isTTY = true;
    const { out, text } = sink();
    const log = createLogger({ destination: out, name: 'tl' });
    log.info({ jobId: 7, authorization: 'Bearer sk_secret' }, 'insert done');
    // On the stream before the call returned (no transport thread).
    const line = text();
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(tl\): insert done\n/);
    expect(line).toContain('jobId: 7');
    expect(line).toContain('[redacted]');
    expect(line).not.toContain('sk_secret');
  });

  it('writes JSON when stdout is not a terminal', () => {
    process.stdout.isTTY = false;
    const { out, text } = sink();
    createLogger({ destination: out, name: 'tl' }).warn({ authorization: 'x' }, 'slow');
    expect(JSON.parse(text())).toMatchObject({ level: 40, name: 'tl', msg: 'slow', authorization: '[redacted]' });
  });
});
