// The main thread's side of the HTTP thread (http-thread.ts): starts it, serves it
// ClickHouse and this thread's metrics, tells it when everything is ready, stops it.
import { MessageChannel, Worker } from 'node:worker_threads';
import { serveClickHouse } from '@thumbline/clickhouse';
import type { Logger } from '@thumbline/core';
import type { Services } from '@thumbline/runtime';
import type { FromHttpThread, HttpThreadData, ToHttpThread } from './http-thread.protocol.ts';

export interface HttpThread {
  /** The port it listens on. */
  port: number;
  /** Every role runs and the demo workspace is complete: /readyz may answer 200. */
  ready(demoWorkspace: string): void;
  /** Stops accepting, closes its connections; ClickHouse calls are served until it has. */
  stop(): Promise<void>;
}

/** How long a stop may take before the thread is terminated. */
const STOP_DEADLINE_MS = 5_000;

/**
 * The thread's Node flags: this process's, less V8 heap sizes (per isolate, so a thread
 * refuses them; `resourceLimits` carries them).
 */
function threadOptions(): { execArgv: string[]; resourceLimits: { maxYoungGenerationSizeMb?: number } } {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--max-'));
  const semi = process.execArgv.map((a) => /^--max-semi-space-size=(\d+)$/.exec(a)?.[1]).find(Boolean);
  // V8's young generation is three semi-spaces (two halves of the scavenger and the
  // large-object part sized like one).
  return { execArgv, resourceLimits: semi ? { maxYoungGenerationSizeMb: 3 * Number(semi) } : {} };
}

/**
 * The thread's entry: tsx's loader, registered in the thread itself (a thread does not get
 * the process's `--import tsx` hooks on Node 20), then http-thread.ts.
 */
const ENTRY = `import('tsx/esm/api')
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./http-thread.ts', import.meta.url).href)}); })`;

export async function startHttpThread(services: Services, log: Logger): Promise<HttpThread> {
  const { env, ch, metrics } = services;
  const channel = new MessageChannel();
  const stopServing = serveClickHouse(ch, channel.port1);
  const data: HttpThreadData = {
    env: { ...env, REDIS_URL: services.redisUrl },
    clickhouse: { port: channel.port2, database: ch.database, embedded: ch.embedded },
  };
  const worker = new Worker(ENTRY, {
    eval: true,
    workerData: data,
    transferList: [channel.port2],
    ...threadOptions(),
    name: 'thumbline-http',
  });
  const send = (m: ToHttpThread) => worker.postMessage(m);
  let stopped: (() => void) | null = null;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the HTTP thread exited (${code}) before it listened`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.on('message', (m: FromHttpThread) => {
      if (m.type === 'listening') {
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(m.port);
      } else if (m.type === 'failed') reject(new Error(m.message));
      else if (m.type === 'stopped') stopped?.();
      else if (m.type === 'metrics') {
        void metrics.registry
          .getMetricsAsJSON()
          .then((json) => send({ type: 'metrics', id: m.id, json }))
          .catch(() => send({ type: 'metrics', id: m.id, json: [] }));
      }
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    stopServing();
    throw err;
  });
  // After start, a thread that dies takes the process with it: a supervisor restarts both.
  worker.on('error', (err) => {
    log.fatal({ err }, 'the HTTP thread failed');
    process.exit(1);
  });

  return {
    port,
    ready: (demoWorkspace) => send({ type: 'ready', demoWorkspace }),
    async stop() {
      const done = new Promise<void>((resolve) => {
        stopped = resolve;
      });
      send({ type: 'stop' });
      const timer = setTimeout(() => void worker.terminate(), STOP_DEADLINE_MS);
      await Promise.race([done, exited]);
      clearTimeout(timer);
      await worker.terminate();
      stopServing();
      channel.port1.close();
    },
  };
}
