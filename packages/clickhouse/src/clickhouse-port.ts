// ClickHouse across threads of one process. Embedded chDB may be used from one thread only
// (a second thread's query hangs the first's next one), so in `npm start` the thread that
// owns it serves every other thread's calls over a MessagePort: the HTTP thread (ingest,
// API, gateway) sees the same `ClickHouse` interface, and its calls run where chDB lives.
import type { MessagePort } from 'node:worker_threads';
import { ClickHouseError } from '@clickhouse/client';
import { AppError, dependencyUnavailable, isAppError, withDeadline } from '@thumbline/core';
import { DEFAULT_TIMEOUTS, ResultTooLargeError, type ClickHouse, type ClickHouseTimeouts } from './client.ts';

type Method = 'query' | 'queryCompact' | 'command' | 'insert' | 'ping';

interface Call {
  id: number;
  method: Method;
  args: unknown[];
}

/** An error as it crosses the port: what the caller's side needs to rebuild the same kind. */
type WireError =
  | { kind: 'app'; code: string; status: number; message: string; headers: Record<string, string> }
  | { kind: 'clickhouse'; message: string; code: string; type: string | undefined }
  | { kind: 'too_large'; maxBytes: number }
  | { kind: 'other'; name: string; message: string; code: unknown; type: unknown };

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

function toWire(err: unknown): WireError {
  if (err instanceof AppError)
    return { kind: 'app', code: err.code, status: err.status, message: err.message, headers: err.headers };
  if (err instanceof ClickHouseError)
    return { kind: 'clickhouse', message: err.message, code: err.code, type: err.type };
  if (err instanceof ResultTooLargeError) return { kind: 'too_large', maxBytes: err.maxBytes };
  // Errors of other kinds (chDB's own ClickHouseError class among them) keep their code and
  // type, which is what callers classify them by.
  const e = err instanceof Error ? err : new Error(String(err));
  const { code, type } = e as { code?: unknown; type?: unknown };
  return { kind: 'other', name: e.name, message: e.message, code, type };
}

function fromWire(w: WireError): Error {
  switch (w.kind) {
    case 'app':
      return new AppError(w.code, w.status, w.message, { headers: w.headers });
    case 'clickhouse':
      return new ClickHouseError({ message: w.message, code: w.code, type: w.type });
    case 'too_large':
      return new ResultTooLargeError(w.maxBytes);
    default: {
      const e = Object.assign(new Error(w.message), { code: w.code, type: w.type });
      e.name = w.name;
      return e;
    }
  }
}

/**
 * Answers the calls that arrive on `port` with `ch` (the thread that owns ClickHouse runs
 * this). Returns a function that stops serving.
 */
export function serveClickHouse(ch: ClickHouse, port: MessagePort): () => void {
  const onMessage = (call: Call) => {
    let work: Promise<unknown>;
    try {
      const fn = ch[call.method] as (...args: unknown[]) => Promise<unknown>;
      work = fn.apply(ch, call.args);
    } catch (err) {
      work = Promise.reject(err);
    }
    work.then(
      (value) => port.postMessage({ id: call.id, ok: true, value } satisfies Reply),
      (err: unknown) => port.postMessage({ id: call.id, ok: false, error: toWire(err) } satisfies Reply),
    );
  };
  port.on('message', onMessage);
  return () => port.off('message', onMessage);
}

/** Extra time a caller waits beyond the owner's own deadline before it answers 503 itself. */
const MARGIN_MS = 200;

/**
 * A `ClickHouse` whose calls run in the thread that serves `port` (serveClickHouse). The
 * owner applies its deadlines; this side waits a little longer, then gives up with the same
 * 503, so a busy or stuck owner never hangs a request.
 */
export function clickHouseOverPort(
  port: MessagePort,
  info: { database: string; embedded: boolean; timeouts?: Partial<ClickHouseTimeouts> },
): ClickHouse {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...info.timeouts };
  let next = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  port.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (!w) return; // the caller gave up already
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.value);
    else w.reject(fromWire(reply.error));
  });
  // Replies keep nothing else alive: the port must not hold the thread open on its own.
  port.unref();
  const call = <T>(method: Method, args: unknown[], ms: number): Promise<T> => {
    const id = next++;
    const answer = new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    port.postMessage({ id, method, args } satisfies Call);
    return withDeadline(answer, ms + MARGIN_MS, () => {
      waiting.delete(id);
      return dependencyUnavailable('ClickHouse');
    });
  };
  // Analyst queries have their own cap (max_execution_time set by the caller); wait for it.
  const analystMs = 60_000;
  return {
    database: info.database,
    embedded: info.embedded,
    query: (sql, params, settings) => call('query', [sql, params, settings], timeouts.queryMs),
    queryCompact: (sql, params, settings, maxBytes, database) =>
      call('queryCompact', [sql, params, settings, maxBytes, database], analystMs),
    command: (sql, params, settings) => call('command', [sql, params, settings], timeouts.writeMs),
    insert: (table, rows, settings, columns) => call('insert', [table, rows, settings, columns], timeouts.writeMs),
    ping: async () => {
      try {
        return await call<boolean>('ping', [], timeouts.queryMs);
      } catch (err) {
        if (isAppError(err)) return false;
        throw err;
      }
    },
    // The owner closes ClickHouse; this side only stops listening.
    close: async () => {
      port.close();
    },
  };
}
