// Dashboard query latency at 10 million events, generated straight into embedded
// ClickHouse, next to raw scans of the same data answering the same questions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conversationPage, dailyFeedback, migrate, openClickHouse, type ClickHouse } from '@thumbline/clickhouse';

const WS = 'bench';
const DAY_MS = 86_400_000;

/** Percentiles of `runs` timings of `fn`, in ms. */
async function time(fn: () => Promise<unknown>, runs: number): Promise<{ p50: number; p95: number }> {
  await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => Math.round((ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p95: at(0.95) };
}

/**
 * 10 events per conversation (started, 4 messages, 4 thumbs, 1 CSAT) for `conversations`
 * conversations spread over 30 days; the aggregates are fed the way the worker feeds them.
 */
async function generate(ch: ClickHouse, conversations: number, end: number): Promise<void> {
  const start = end - 30 * DAY_MS;
  const span = end - start;
  // Each conversation's start in ms; its events follow it a minute apart.
  const conv = `(number % ${conversations})`;
  const k = `intDiv(number, ${conversations})`;
  const at = `fromUnixTimestamp64Milli(toInt64(${start} + (cityHash64(${conv}) % ${span}) + ${k} * 60000), 'UTC')`;
  await ch.command(
    `INSERT INTO events
     SELECT '${WS}', generateUUIDv4(number),
            multiIf(${k} = 0, 'conversation.started', ${k} <= 4, 'message.created', ${k} <= 8, 'message.feedback', 'conversation.csat'),
            ${at}, leftPad(toString(number), 20, '0'), concat('c', toString(${conv})), 'default', 'en',
            if(${k} BETWEEN 1 AND 8, concat('m', toString(${conv}), '-', toString((${k} - 1) % 4)), ''),
            if(${k} BETWEEN 1 AND 4, if(${k} % 2 = 1, 'shopper', 'assistant'), ''),
            if(${k} BETWEEN 1 AND 4, concat('question ', toString(${conv} % 1000)), ''),
            if(${k} BETWEEN 5 AND 8, if(cityHash64(number) % 4 = 0, 'down', 'up'), ''),
            if(${k} = 9, toUInt8(1 + cityHash64(number) % 5), NULL), '', '', ${at}
       FROM numbers(${conversations * 10})`,
    {},
    { async_insert: 0, max_insert_threads: 2 },
  );
  await ch.command(
    `INSERT INTO feedback_changes (workspace_id, bucket, conversation_id, message_id, event_id,
                                   thumbs_up, thumbs_down, csat_sum, csat_count)
     SELECT workspace_id, toStartOfFifteenMinutes(ts), conversation_id, message_id, event_id,
            thumb = 'up', thumb = 'down', ifNull(score, 0), score IS NOT NULL
       FROM events WHERE workspace_id = '${WS}' AND type IN ('message.feedback', 'conversation.csat')`,
    {},
    { async_insert: 0 },
  );
  await ch.command(
    `INSERT INTO conversations (workspace_id, conversation_id, started_at, score, negative_reason, rated_at,
                                thumbs_up, thumbs_down, version, updated_at, committed_at)
     SELECT workspace_id, conversation_id, min(ts), anyIf(score, type = 'conversation.csat'),
            if(anyIf(score, type = 'conversation.csat') <= 2, 'too slow', NULL), maxIf(ts, type = 'conversation.csat'),
            countIf(thumb = 'up'), countIf(thumb = 'down'), 1, max(ts), max(ts)
       FROM events WHERE workspace_id = '${WS}' GROUP BY workspace_id, conversation_id`,
    {},
    { async_insert: 0 },
  );
}

export interface QueryFigures {
  events: number;
  generate_s: number;
  overview_p50_ms: number;
  overview_p95_ms: number;
  overview_raw_scan_p50_ms: number;
  overview_raw_scan_p95_ms: number;
  inbox_p50_ms: number;
  inbox_p95_ms: number;
  inbox_raw_scan_p50_ms: number;
  inbox_raw_scan_p95_ms: number;
}

export async function benchQueries(conversations = 1_000_000, runs = 20): Promise<QueryFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-bench-ch-'));
  const ch = await openClickHouse({ kind: 'embedded', path: dir, database: 'bench' });
  try {
    await migrate(ch);
    const end = Date.parse('2026-11-24T00:00:00Z');
    const t0 = performance.now();
    await generate(ch, conversations, end);
    await ch.command('OPTIMIZE TABLE feedback_15m FINAL');
    const generateS = Math.round((performance.now() - t0) / 100) / 10;
    const [count] = await ch.query<{ n: string }>(`SELECT count() AS n FROM events WHERE workspace_id = '${WS}'`);
    const q = { workspaceId: WS, from: '2026-10-25', until: '2026-11-24', tz: 'Asia/Kolkata' };

    const overview = await time(() => dailyFeedback(ch, { ...q, from: '2026-09-25' }), runs);
    // The same answer from the raw log: latest thumb per message, latest CSAT per conversation.
    const overviewRaw = await time(
      () =>
        ch.query(
          `SELECT toDate(t, {tz:String}) AS day, countIf(v = 'up') AS up, countIf(v = 'down') AS down
             FROM (SELECT message_id, argMax(thumb, (ts, recv)) AS v, argMax(ts, (ts, recv)) AS t
                     FROM events WHERE workspace_id = {ws:String} AND type = 'message.feedback' GROUP BY message_id)
            WHERE t >= toDateTime64({from:String}, 3, {tz:String}) AND t < toDateTime64({until:String}, 3, {tz:String})
            GROUP BY day ORDER BY day`,
          { ws: WS, tz: q.tz, from: '2026-09-25', until: q.until },
        ),
      runs,
    );
    const inbox = await time(
      () => conversationPage(ch, { ...q, limit: 51, snapshot: Date.now(), feedback: 'downvote' }),
      runs,
    );
    const inboxRaw = await time(
      () =>
        ch.query(
          `SELECT conversation_id, min(ts) AS started, argMaxIf(score, (ts, recv), type = 'conversation.csat') AS s
             FROM events WHERE workspace_id = {ws:String}
            GROUP BY conversation_id
           HAVING started >= toDateTime64({from:String}, 3, {tz:String}) AND s <= 2
            ORDER BY started DESC LIMIT 51`,
          { ws: WS, tz: q.tz, from: q.from },
        ),
      runs,
    );
    return {
      events: Number(count?.n ?? 0),
      generate_s: generateS,
      overview_p50_ms: overview.p50,
      overview_p95_ms: overview.p95,
      overview_raw_scan_p50_ms: overviewRaw.p50,
      overview_raw_scan_p95_ms: overviewRaw.p95,
      inbox_p50_ms: inbox.p50,
      inbox_p95_ms: inbox.p95,
      inbox_raw_scan_p50_ms: inboxRaw.p50,
      inbox_raw_scan_p95_ms: inboxRaw.p95,
    };
  } finally {
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
