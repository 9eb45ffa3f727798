import { pino, type DestinationStream, type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';

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

export interface LoggerOptions {
  level?: string;
  name?: string;
  /**
   * Human-readable lines (pino-pretty) instead of JSON. Default: when stdout is a terminal, so
   * `npm start` reads well and anything piped or collected (containers, log shippers) gets JSON.
   */
  pretty?: boolean;
  /** Where lines go (default stdout); for tests. */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured logger; `level` comes from the app's env. Pretty output is formatted in this
 * thread and written synchronously (no transport worker): a line is on the terminal before
 * the call returns, so nothing is lost when the process exits right after logging.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const config = {
    name: options.name ?? 'thumbline',
    level: options.level ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  if (!(options.pretty ?? process.stdout.isTTY === true)) {
    return options.destination ? pino(config, options.destination as DestinationStream) : pino(config);
  }
  const stream = prettyStream({
    sync: true,
    colorize: options.destination === undefined,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    destination: options.destination ?? 1,
  });
  return pino(config, stream as DestinationStream);
}
