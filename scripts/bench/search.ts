// Inbox full-text search latency (`q`, CONTRACT §12) at 1 million conversations, generated
// straight into embedded ClickHouse: the text indexes of migration 0011 against the same
// questions answered by scanning the texts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conversationPage, migrate, openClickHouse, searchWords, type ClickHouse } from '@thumbline/clickhouse';

const WS = 'bench';
const DAY_MS = 86_400_000;
/** Distinct words of the generated texts; word k is about k^-(2/3)-frequent (a long tail, like language). */
const VOCABULARY = 50_000;

/**
 * Per conversation: started, 4 messages (shopper, assistant, shopper, assistant) of 6–13 words
 * each, and a CSAT (negative for a fifth, with a 3-word reason). Another workspace holds the same
 * again, so every query also shows it filters by workspace through the index.
 */
export async function benchSearchGenerate(
  ch: ClickHouse,
  ws: string,
  conversations: number,
  end: number,
): Promise<void> {
  const start = end - 30 * DAY_MS;
  const span = end - start;
  const conv = `(number % ${conversations})`;
  const k = `intDiv(number, ${conversations})`;
  const at = `fromUnixTimestamp64Milli(toInt64(${start} + (cityHash64(${conv}) % ${span}) + ${k} * 60000), 'UTC')`;
  const word = (seed: string) =>
    `concat('w', toString(toUInt32(pow((cityHash64(${seed}) % 1000000) / 1000000.0, 3) * ${VOCABULARY})))`;
  const words = (n: string, salt: string) =>
    `arrayStringConcat(arrayMap(i -> ${word(`number, i, ${salt}`)}, range(${n})), ' ')`;
  const score = `toUInt8(1 + cityHash64(${conv}, 'score') % 5)`;
  await ch.command(
    `INSERT INTO events (workspace_id, event_id, type, ts, recv, conversation_id, widget_id, locale, message_id, role, text, thumb, score, reason, channel, received_at)
     SELECT '${ws}', generateUUIDv4(number),
            multiIf(${k} = 0, 'conversation.started', ${k} <= 4, 'message.created', 'conversation.csat'),
            ${at}, leftPad(toString(number), 20, '0'), concat('c', toString(${conv})), 'default', 'en',
            if(${k} BETWEEN 1 AND 4, concat('m', toString(${conv}), '-', toString(${k})), ''),
            if(${k} BETWEEN 1 AND 4, if(${k} % 2 = 1, 'shopper', 'assistant'), ''),
            if(${k} BETWEEN 1 AND 4, ${words(`6 + cityHash64(number) % 8`, "'m'")}, ''),
            '', if(${k} = 5, ${score}, NULL),
            if(${k} = 5 AND ${score} <= 2, ${words('3', "'r'")}, ''), '', ${at}
       FROM numbers(${conversations * 6})`,
    {},
    { async_insert: 0, max_insert_threads: 2 },
  );
  await ch.command(
    `INSERT INTO conversations (workspace_id, conversation_id, started_at, score, negative_reason, rated_at,
                                thumbs_up, thumbs_down, version, updated_at, committed_at, widget_id, locale)
     SELECT workspace_id, conversation_id, min(ts), anyIf(score, type = 'conversation.csat'),
            nullIf(anyIf(reason, type = 'conversation.csat'), ''), maxIf(ts, type = 'conversation.csat'),
            0, 0, 1, max(ts), max(ts), 'default', 'en'
       FROM events WHERE workspace_id = '${ws}' GROUP BY workspace_id, conversation_id`,
    {},
    { async_insert: 0 },
  );
  // A tenth of the negative conversations reviewed.
  await ch.command(
    `INSERT INTO conversation_reviews (workspace_id, conversation_id, outcome, note, reviewer, reviewed_at, version)
     SELECT workspace_id, conversation_id, 'didnt_know', '', 'bench', now64(3), 1
       FROM conversations WHERE workspace_id = '${ws}' AND score <= 2 AND cityHash64(conversation_id) % 10 = 0`,
    {},
    { async_insert: 0 },
  );
}

export interface SearchFigures {
  search_conversations: number;
  search_generate_s: number;
  search_p50_ms: number;
  search_p95_ms: number;
  search_max_ms: number;
  search_raw_scan_p50_ms: number;
  search_raw_scan_p95_ms: number;
}

/** A query of the mix and the share of conversations holding its words. */
interface SearchCase {
  q: string;
  filters: { feedback?: 'downvote'; review?: string };
}

const percentile = (sorted: number[], p: number) =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 10) / 10;

export async function benchSearch(conversations = 1_000_000, runs = 60): Promise<SearchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-bench-search-'));
  const ch = await openClickHouse({ kind: 'embedded', path: dir, database: 'bench', timeouts: { queryMs: 60_000, writeMs: 1_800_000 } });
  try {
    await migrate(ch);
    const end = Date.parse('2026-11-24T00:00:00Z');
    const t0 = performance.now();
    await benchSearchGenerate(ch, WS, conversations, end);
    await benchSearchGenerate(ch, 'other', Math.round(conversations / 10), end);
    // Measured once the inserts are merged (as a running install's tables soon are): one part per
    // month, so one index lookup per part instead of one per insert block.
    await ch.command('OPTIMIZE TABLE events FINAL');
    await ch.command('OPTIMIZE TABLE conversations FINAL');
    const generateS = Math.round((performance.now() - t0) / 100) / 10;
    const window = { workspaceId: WS, from: '2026-10-25', until: '2026-11-24', tz: 'UTC' };
    // Rare, mid-frequency and common words, two words, and search combined with the filters.
    const cases: SearchCase[] = [
      { q: 'w40000', filters: {} },
      { q: 'w3000', filters: {} },
      { q: 'W20', filters: {} },
      { q: 'w500 w3000', filters: {} },
      { q: 'w1200', filters: { feedback: 'downvote' } },
      { q: 'w800', filters: { feedback: 'downvote', review: 'unreviewed' } },
      { q: 'w15000 w9000', filters: { review: 'didnt_know' } },
      { q: 'nothing-matches-this', filters: {} },
    ];
    const search = async (c: SearchCase) => {
      const words = await searchWords(ch, c.q);
      return conversationPage(ch, { ...window, ...c.filters, words, limit: 51, snapshot: Date.now() });
    };
    for (const c of cases) await search(c); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const c = cases[i % cases.length] as SearchCase;
      const t = performance.now();
      await search(c);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    // The same question without the index: tokenise every message of the workspace.
    const raw: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await ch.query(
        `SELECT conversation_id FROM events
          WHERE workspace_id = {ws:String} AND has(tokens(lowerUTF8(removeDiacriticsUTF8(text)), 'splitByNonAlpha'), {w:String})
          GROUP BY conversation_id LIMIT 51`,
        { ws: WS, w: 'w3000' },
        { use_skip_indexes: 0 },
      );
      raw.push(performance.now() - t);
    }
    raw.sort((a, b) => a - b);
    return {
      search_conversations: conversations,
      search_generate_s: generateS,
      search_p50_ms: percentile(ms, 0.5),
      search_p95_ms: percentile(ms, 0.95),
      search_max_ms: percentile(ms, 1),
      search_raw_scan_p50_ms: percentile(raw, 0.5),
      search_raw_scan_p95_ms: percentile(raw, 0.95),
    };
  } finally {
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench` with BENCH_ONLY=search, or this file alone: `tsx scripts/bench/search.ts [conversations]`. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? process.env.BENCH_CONVERSATIONS ?? 1_000_000);
  console.log(await benchSearch(n));
}
