// One copy through Redis: a batch job names its stream entries instead of carrying them;
// trimming keeps them until the job is done, a dead letter copies them out, and a pin no
// job holds is released (issue 14; docs/durability.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { pinEntries, refsOf, trimDone } from '@thumbline/redis';
import { deadLetters, JOB, PinCheck, replayDeadLetters, type InsertBatchData } from '@thumbline/worker';
import { eventually, openTestEnv, type TestEnv } from './support/harness.ts';
import { FlakyClickHouse } from './support/flaky-clickhouse.ts';
import { thumb } from './support/events.ts';
import { appendRaw, entriesInStreams, readAll, startTestWorker } from './support/pipeline.ts';

let env: TestEnv;
const NOW = Date.now();

beforeAll(async () => {
  env = await openTestEnv('stream-pins');
});
afterAll(() => env.cleanup());

const ups = async (ws: string) =>
  Number(
    (
      await env.ch.query<{ n: string }>(
        'SELECT sum(thumbs_up) AS n FROM feedback_15m WHERE workspace_id = {ws:String}',
        {
          ws,
        },
      )
    )[0]?.n ?? 0,
  );

/** Every partition trimmed as the pump's maintenance would. */
async function trimAll(): Promise<void> {
  for (let p = 0; p < env.keys.partitions; p++) {
    const partition = env.keys.partition(p);
    if ((await env.redis.exists(partition.stream)) === 0) continue;
    await trimDone(env.redis, partition);
  }
}

describe('batch jobs name their entries', () => {
  it('a job holds entry ids, not events, and its entries are trimmed only once it is done', async () => {
    const ws = 'pins-a';
    // Two entries per partition (two requests), so trimming has something to take: it
    // always keeps a stream's last delivered entry.
    const events = Array.from({ length: 40 }, (_, i) => thumb(`pa-c${i % 20}`, `pa-m${i}`, 'up', NOW - 1000));
    await appendRaw(env.redis, env.keys, ws, events.slice(0, 20));
    await appendRaw(env.redis, env.keys, ws, events.slice(20));
    const appended = await entriesInStreams(env.redis, env.keys);
    const flaky = new FlakyClickHouse(env.ch);
    flaky.down = true; // the job cannot finish yet
    const w = startTestWorker(env, {
      ch: flaky,
      retry: { attempts: 1000, baseMs: 50, maxMs: 100 },
      pump: { consumer: 'pins-a' },
    });
    try {
      const jobs = await eventually(
        () => w.queue.getJobs(['waiting', 'active', 'delayed']),
        (j) => j.length > 0,
      );
      for (const job of jobs) {
        expect(job.data.entries).toBeUndefined();
        expect(job.data.refs?.length).toBeGreaterThan(0);
        // The job's bytes in Redis: ids only, nowhere near the events' JSON.
        expect(JSON.stringify(job.data).length).toBeLessThan(JSON.stringify(events).length / 4);
      }
      // Acknowledged by the pump, but pinned: trimming leaves every entry in place.
      await eventually(
        async () => (await readAll(env.redis, env.keys, 'pins-a-probe', '0')).length,
        (n) => n === 0,
      );
      await trimAll();
      expect(await entriesInStreams(env.redis, env.keys)).toBe(appended);
      flaky.down = false;
      expect(
        await eventually(
          () => ups(ws),
          (n) => n === 40,
        ),
      ).toBe(40);
      // Done: unpinned, and the next trim takes them.
      await eventually(
        async () => {
          await trimAll();
          return entriesInStreams(env.redis, env.keys);
        },
        (n) => n === appended / 2,
      );
    } finally {
      await w.close();
    }
  });

  it('a dead letter copies its entries out of the streams and no longer holds them; a replay counts it once', async () => {
    const ws = 'pins-b';
    const flaky = new FlakyClickHouse(env.ch);
    flaky.poison = 'pb-poison';
    const w = startTestWorker(env, {
      ch: flaky,
      retry: { attempts: 2, baseMs: 20, maxMs: 50 },
      pump: { consumer: 'pins-b' },
    });
    try {
      await appendRaw(env.redis, env.keys, ws, [
        thumb('pb-poison', 'pb-m1', 'up', NOW - 1000),
        thumb('pb-poison', 'pb-m2', 'up', NOW - 1000),
      ]);
      const [dead] = await eventually(
        () => deadLetters(w.queue),
        (d) => d.length === 1 && d[0]?.events === 2,
        20_000,
      );
      const job = await w.queue.getJob(dead?.id as string);
      expect(job?.data.entries?.length).toBe(1);
      expect(job?.data.refs).toBeUndefined();
      // Its pin is gone: once a later entry of its partition is done, the stream trims past it
      // (trimming always keeps a stream's last delivered entry).
      const partition = env.keys.partition(env.keys.partitionOf('pb-poison'));
      expect(await env.redis.zscore(partition.pins, dead?.id as string)).toBeNull();
      let neighbour = 0;
      while (env.keys.partitionOf(`pb-n${neighbour}`) !== partition.index) neighbour++;
      await appendRaw(env.redis, env.keys, ws, [thumb(`pb-n${neighbour}`, 'pb-m3', 'up', NOW - 1000)]);
      expect(
        await eventually(
          () => ups(ws),
          (n) => n === 1,
        ),
      ).toBe(1);
      await eventually(
        async () => {
          await trimDone(env.redis, partition);
          const entries = (await env.redis.xrange(partition.stream, '-', '+')) as [string, string[]][];
          return entries.filter(([, f]) => f.join(' ').includes('pb-poison')).length;
        },
        (n) => n === 0,
      );
      flaky.poison = null;
      expect(await replayDeadLetters(w.queue)).toBe(1);
      expect(
        await eventually(
          () => ups(ws),
          (n) => n === 3,
        ),
      ).toBe(3);
    } finally {
      await w.close();
    }
  });

  it('a pin no job holds is released after two checks; a pending job keeps its pin', async () => {
    const ws = 'pins-c';
    const old = NOW - 5 * 60_000;
    await appendRaw(env.redis, env.keys, ws, [thumb('pc-c1', 'pc-m1', 'up', old), thumb('pc-c1', 'pc-m2', 'up', old)]);
    const partition = env.keys.partition(env.keys.partitionOf('pc-c1'));
    const entries = (await readAll(env.redis, env.keys, 'pins-c')).filter((e) => e.workspaceId === ws);
    // Old-looking entry ids, so the check considers their pins.
    const refs = refsOf(entries).map((r) => ({ ...r, ids: r.ids.map(() => `${old}-0`) }));
    const queueName = 'events-pins-c';
    await env.redis.hset(env.keys.queues, queueName, 'pins-c');
    const queue = new Queue<InsertBatchData>(queueName, { connection: env.connect(), prefix: env.keys.bull });
    const check = new PinCheck(env.redis, env.keys, env.log);
    try {
      await pinEntries(env.redis, env.keys, 'orphan', refs);
      await pinEntries(env.redis, env.keys, 'waiting-job', refs);
      await queue.add(JOB, { refs }, { jobId: 'waiting-job' }); // nobody processes this queue
      await check.run(partition);
      expect(await env.redis.zscore(partition.pins, 'orphan')).not.toBeNull(); // suspected, not yet released
      await check.run(partition);
      expect(await env.redis.zscore(partition.pins, 'orphan')).toBeNull();
      expect(await env.redis.zscore(partition.pins, 'waiting-job')).not.toBeNull();
    } finally {
      await check.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await env.redis.hdel(env.keys.queues, queueName);
      await env.redis.zrem(partition.pins, 'waiting-job');
    }
  });
});
