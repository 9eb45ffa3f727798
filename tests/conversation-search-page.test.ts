// Inbox search pages (`q`, CONTRACT §12) against a reference model: the page reads only the newest
// matching conversations (conversations.repo.ts conversationPage), so paging through more matches
// than one read keeps, conversations with several versions (a start moved out of the window by a
// late event, a rating changed, versions committed after the snapshot), matching messages long after
// (or, before their commit, before) the start, and reasons replaced by a later rating must give
// exactly the conversations, order and cursors that checking every conversation gives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conversationPage,
  migrate,
  openClickHouse,
  searchWords,
  TABLES,
  toDateTime64,
  type ClickHouse,
  type ConversationPage,
  type FeedbackFilter,
} from '@thumbline/clickhouse';
import { eventRows } from './support/event-rows.ts';
import { seeded } from './support/seeded.ts';

const WS = 'w';
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const SNAPSHOT = T0 + 40 * DAY;
const VOCABULARY = ['alpha', 'beta', 'gamma', 'delta', 'omega'];

/** One summary version as the worker writes it. */
interface Version {
  conversation_id: string;
  started: number;
  score: number | null;
  reason: string | null;
  version: number;
  committed: number;
}

let ch: ClickHouse;
let dir: string;
const versions: Version[] = [];
const texts = new Map<string, string[]>(); // conversation → its message texts
const reviews = new Map<string, string>(); // conversation → current outcome

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thumbline-search-page-'));
  ch = await openClickHouse({
    kind: 'embedded',
    path: join(dir, 'ch'),
    database: 't_search_page',
    timeouts: { queryMs: 15_000 },
  });
  await migrate(ch);
  const rnd = seeded(25);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const sentence = () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(VOCABULARY)).join(' ');
  const { said } = eventRows(WS);
  const events: object[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let i = 0; i < 400; i++) {
    const id = `c${String(i).padStart(3, '0')}`;
    // Starts over 20 days, a few in the same millisecond (ties broken by id).
    const started = i % 17 === 0 ? T0 + 10 * DAY : T0 + Math.floor(rnd() * 20 * DAY);
    const said_: string[] = [];
    for (let m = 0; m < 1 + Math.floor(rnd() * 3); m++) {
      const text = sentence();
      // Some messages come days after the start: a match far newer than the conversation.
      const ts = started + (m === 2 ? Math.floor(rnd() * 15 * DAY) : m * 60_000);
      said_.push(text);
      events.push(said(id, `${id}-m${m}`, m % 2 ? 'assistant' : 'shopper', text, iso(ts)));
    }
    texts.set(id, said_);
    const score = rnd() < 0.3 ? null : 1 + Math.floor(rnd() * 5);
    let v: Version = {
      conversation_id: id,
      started,
      score,
      reason: score !== null && score <= 2 ? sentence() : null,
      version: 1,
      committed: started + 3_600_000,
    };
    versions.push(v);
    const change = rnd();
    if (change < 0.15) {
      // A late event moved the start earlier, for some out of the window (before T0 + 2 days).
      v = { ...v, started: v.started - Math.floor(rnd() * 6 * DAY), version: 2, committed: v.committed + DAY };
      versions.push(v);
    } else if (change < 0.3) {
      // Rated again: the reason (and its words) replaced, or gone with a positive rating.
      const s2 = 1 + Math.floor(rnd() * 5);
      v = { ...v, score: s2, reason: s2 <= 2 ? sentence() : null, version: 2, committed: v.committed + DAY };
      versions.push(v);
    } else if (change < 0.4) {
      // A version after the snapshot (not seen), and a message from before the start that only it
      // accounts for: an event stored before its summary version was committed.
      const earlier = v.started - 3 * DAY;
      versions.push({ ...v, started: earlier, score: 1, reason: 'omega late', version: 2, committed: SNAPSHOT + 1 });
      events.push(said(id, `${id}-late`, 'shopper', 'zeta', iso(earlier)));
      said_.push('zeta');
    }
    if (rnd() < 0.2) reviews.set(id, pick(['didnt_know', 'no_issue', '']));
  }
  // More conversations than one read keeps whose first version was the newest of the window and whose
  // start a late event then moved back (m*), besides a few never moved (n*): the newest version rows
  // of the search all belong to conversations that now sort below the rest.
  for (let i = 0; i < 70; i++) {
    const id = `m${String(i).padStart(3, '0')}`;
    const first: Version = {
      conversation_id: id,
      started: T0 + 19 * DAY + i * 60_000,
      score: null,
      reason: null,
      version: 1,
      committed: T0 + 19 * DAY + i * 60_000,
    };
    versions.push(first, { ...first, started: T0 + 3 * DAY + i * 60_000, version: 2, committed: first.committed + 1 });
    texts.set(id, ['kappa']);
    events.push(said(id, `${id}-m`, 'shopper', 'kappa', iso(first.started)));
  }
  for (let i = 0; i < 10; i++) {
    const id = `n${String(i).padStart(3, '0')}`;
    versions.push({
      conversation_id: id,
      started: T0 + 10 * DAY + (i * DAY) / 10,
      score: 5,
      reason: null,
      version: 1,
      committed: T0 + 11 * DAY,
    });
    texts.set(id, ['kappa']);
    events.push(said(id, `${id}-m`, 'shopper', 'kappa', iso(T0 + 10 * DAY + (i * DAY) / 10)));
  }
  // Another workspace with the same words: never seen.
  const other = eventRows('x');
  for (let i = 0; i < 50; i++)
    events.push(
      other.said(`c${String(i).padStart(3, '0')}`, `x${i}`, 'shopper', 'alpha beta zeta', iso(T0 + (i * DAY) / 5)),
    );
  await ch.insert(TABLES.events, events, { async_insert: 0 });
  // Every version kept: not collapsed on insert nor by a merge (a merge may drop versions newer
  // than a snapshot; that is ReplacingMergeTree's, not the page's, to test).
  await ch.command(`SYSTEM STOP MERGES ${TABLES.conversations}`);
  await ch.insert(
    TABLES.conversations,
    [
      ...versions.map((v) => ({
        workspace_id: WS,
        conversation_id: v.conversation_id,
        started_at: toDateTime64(v.started),
        score: v.score,
        negative_reason: v.reason,
        rated_at: null,
        thumbs_up: 0,
        thumbs_down: 0,
        version: v.version,
        updated_at: toDateTime64(v.committed),
        committed_at: toDateTime64(v.committed),
        widget_id: '',
        locale: '',
      })),
      ...Array.from({ length: 50 }, (_, i) => ({
        workspace_id: 'x',
        conversation_id: `c${String(i).padStart(3, '0')}`,
        started_at: toDateTime64(T0 + (i * DAY) / 5),
        score: 1,
        negative_reason: 'alpha',
        rated_at: null,
        thumbs_up: 0,
        thumbs_down: 0,
        version: 1,
        updated_at: toDateTime64(T0),
        committed_at: toDateTime64(T0),
        widget_id: '',
        locale: '',
      })),
    ],
    { async_insert: 0, optimize_on_insert: 0 },
  );
  await ch.insert(
    TABLES.conversationReviews,
    [...reviews].map(([id, outcome]) => ({
      workspace_id: WS,
      conversation_id: id,
      outcome,
      note: '',
      reviewer: 't',
      reviewed_at: toDateTime64(T0),
      version: 1,
    })),
    { async_insert: 0 },
  );
});

afterAll(async () => {
  await ch?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

type Filters = { feedback?: FeedbackFilter; review?: 'unreviewed' | 'didnt_know' };

/**
 * The reference: every conversation's latest version as of the snapshot, kept when its start is
 * in the window and it meets the filters, and every word is in one of its messages or in its
 * latest reason (of any commit time, as the search reads it), newest first.
 */
function expected(q: string, from: number, until: number, f: Filters): { id: string; started: number }[] {
  const ws = words(q);
  const byId = new Map<string, Version[]>();
  for (const v of versions) byId.set(v.conversation_id, [...(byId.get(v.conversation_id) ?? []), v]);
  const out: { id: string; started: number }[] = [];
  for (const [id, vs] of byId) {
    const seen = vs.filter((v) => v.committed <= SNAPSHOT).sort((a, b) => b.version - a.version)[0];
    const newest = [...vs].sort((a, b) => b.version - a.version)[0];
    if (!seen || !newest) continue;
    if (seen.started < from || seen.started >= until) continue;
    if (f.feedback === 'upvote' && !(seen.score !== null && seen.score >= 4)) continue;
    if (f.feedback === 'downvote' && !(seen.score !== null && seen.score <= 2)) continue;
    if (f.feedback === 'unknown' && seen.score !== null) continue;
    const outcome = reviews.get(id) ?? '';
    if (f.review === 'unreviewed' && outcome !== '') continue;
    if (f.review === 'didnt_know' && outcome !== 'didnt_know') continue;
    const held = new Set([...(texts.get(id) ?? []).flatMap(words), ...words(newest.reason ?? '')]);
    if (ws.length === 0 || !ws.every((w) => held.has(w))) continue;
    out.push({ id, started: seen.started });
  }
  return out.sort((a, b) => b.started - a.started || (a.id < b.id ? 1 : -1));
}

/** Every page of a search, following the cursor to the end. */
async function pages(q: string, from: string, until: string, limit: number, f: Filters) {
  const page: Omit<ConversationPage, 'limit'> = {
    workspaceId: WS,
    from,
    until,
    tz: 'UTC',
    ...f,
    words: await searchWords(ch, q),
    snapshot: SNAPSHOT,
  };
  const all: { id: string; started: number }[][] = [];
  let after: ConversationPage['after'];
  for (;;) {
    const rows = await conversationPage(ch, { ...page, limit, after });
    all.push(rows.map((r) => ({ id: r.conversation_id, started: Date.parse(`${r.started_at.replace(' ', 'T')}Z`) })));
    const last = rows[rows.length - 1];
    if (rows.length < limit || !last) return all;
    after = { startedAt: Date.parse(`${last.started_at.replace(' ', 'T')}Z`), conversationId: last.conversation_id };
  }
}

const day = (n: number) => new Date(T0 + n * DAY).toISOString().slice(0, 10);

describe('inbox search pages', () => {
  const cases: [string, number, number, Filters][] = [
    ['alpha', 0, 30, {}], // most conversations: many pages, more than one read keeps
    ['Alpha BETA', 0, 30, {}],
    ['omega', 0, 30, { feedback: 'downvote' }], // messages and reasons, some replaced
    ['gamma delta', 2, 12, {}], // a window inside the data: starts moved out of it
    ['zeta', 0, 30, {}], // only in messages older than the snapshot's start
    ['beta', 5, 9, { review: 'unreviewed' }],
    ['delta', 0, 30, { review: 'didnt_know', feedback: 'downvote' }],
    ['alpha', 0, 30, { feedback: 'unknown' }],
    ['kappa', 0, 30, {}], // the newest version rows all moved back: the read grows
    ['kappa', 0, 30, { feedback: 'upvote' }],
    ['nothing', 0, 30, {}],
  ];
  it.each(cases)('q=%s, days %i–%i, %o: every page as the reference', async (q, from, until, f) => {
    const want = expected(q, T0 + from * DAY, T0 + until * DAY, f);
    expect(want.length).toBeGreaterThan(q === 'nothing' ? -1 : 0);
    for (const limit of [5, 51, 200]) {
      const got = await pages(q, day(from), day(until), limit, f);
      expect(got.flat()).toEqual(want);
      // Full pages but the last, and a last page shorter than the limit (possibly empty).
      expect(got.slice(0, -1).every((p) => p.length === limit)).toBe(true);
      expect((got[got.length - 1] ?? []).length).toBeLessThan(limit);
    }
  });

  it('covers what it claims: more matches than one read, moved starts, a later reason, ties', () => {
    const alpha = expected('alpha', T0, T0 + 30 * DAY, {});
    expect(alpha.length).toBeGreaterThan(4 * 51); // past the first read of a 51-page (204 rows)
    const moved = versions.filter((v) => v.version === 2 && v.committed <= SNAPSHOT && v.started < T0 + 2 * DAY);
    expect(moved.length).toBeGreaterThan(0);
    expect(expected('zeta', T0, T0 + 30 * DAY, {}).length).toBeGreaterThan(0);
    const starts = alpha.map((a) => a.started);
    expect(new Set(starts).size).toBeLessThan(starts.length);
  });
});
