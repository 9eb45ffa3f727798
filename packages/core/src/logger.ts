import { pino, type Logger } from 'pino';

export type { Logger };

/** Field paths whose values never reach a log line. */
const REDACT = [
  'authorization',
  'req.headers.authorization',
  'headers.authorization',
  '*.secret_key',
  '*.public_key',
  '*.dashboard_token',
  '*.admin_token',
  'password',
  '*.password',
];

/** Structured JSON logger; `level` comes from the app's env. */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'thumbline',
    level: options.level ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
  });
}
