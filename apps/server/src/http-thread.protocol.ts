// What the main thread and the HTTP thread of `npm start` say to each other (parentPort).
import type { MessagePort } from 'node:worker_threads';
import type { Env } from '@thumbline/runtime';

/** workerData of the HTTP thread. */
export interface HttpThreadData {
  /** The process's settings, with REDIS_URL naming the Redis the main thread opened. */
  env: Env;
  /** Where the main thread serves ClickHouse (serveClickHouse). */
  clickhouse: { port: MessagePort; database: string; embedded: boolean };
}

export type ToHttpThread =
  { type: 'ready'; demoWorkspace: string } | { type: 'metrics'; id: number; json: unknown[] } | { type: 'stop' };

export type FromHttpThread =
  | { type: 'listening'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'metrics'; id: number }
  | { type: 'stopped' };
