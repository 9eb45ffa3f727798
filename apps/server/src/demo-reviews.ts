// The demo's past triage: after the backfill, reviewers have already worked through most of the
// downvoted conversations of the weeks before the last one and some of the last week's, through
// the API like anyone with the dashboard token. So the overview's triage card has a previous
// period to compare with, and the inbox's "Not reviewed" filter leaves this week's work to do.
import type { Logger } from '@thumbline/core';
import type { InboxItem, ReviewOutcome } from '@thumbline/events';

const DAY_MS = 86_400_000;
/** Share of downvoted conversations reviewed: before the last 7 days, and within them. */
const REVIEWED_BEFORE = 0.85;
const REVIEWED_LAST_WEEK = 0.3;
/** What reviews find, roughly as the product article's loop tells it: mostly missing knowledge. */
const OUTCOMES: readonly { outcome: ReviewOutcome; weight: number; notes: readonly string[] }[] = [
  {
    outcome: 'didnt_know',
    weight: 5,
    notes: ['No help-center article covers this', 'Add the policy to the knowledge base', ''],
  },
  {
    outcome: 'answered_weirdly',
    weight: 2,
    notes: ['Right source, confusing answer', 'Answer in the wrong language', ''],
  },
  { outcome: 'should_have_handed_over', weight: 2, notes: ['Order problem: needs an agent', ''] },
  { outcome: 'no_issue', weight: 1, notes: ['Shopper unhappy with the policy itself', ''] },
];
/** How long to wait for the backfilled conversations to be stored before reviewing them. */
const SETTLE_MS = 30_000;

export interface DemoReviewOptions {
  baseUrl: string;
  dashboardToken: string;
  log: Logger;
  rng: () => number;
  signal: AbortSignal;
  /** Days of history the backfill covered. */
  days: number;
}

function pickOutcome(rng: () => number): { outcome: ReviewOutcome; note: string } {
  let r = rng() * OUTCOMES.reduce((n, o) => n + o.weight, 0);
  for (const o of OUTCOMES) {
    r -= o.weight;
    if (r < 0) return { outcome: o.outcome, note: o.notes[Math.floor(rng() * o.notes.length)] ?? '' };
  }
  return { outcome: 'didnt_know', note: '' };
}

/** Reviews part of the backfill's downvoted conversations; returns how many. Failures are logged. */
export async function reviewPastWeeks(o: DemoReviewOptions): Promise<number> {
  const headers = { Authorization: `Bearer ${o.dashboardToken}` };
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const now = Date.now();
  const query = {
    feedback: 'downvote',
    review: 'unreviewed',
    from: day(now - o.days * DAY_MS),
    to: day(now),
    tz: 'UTC',
  };
  const unreviewed = async (): Promise<InboxItem[]> => {
    const items: InboxItem[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ ...query, limit: '200', ...(cursor ? { cursor } : {}) });
      const res = await fetch(`${o.baseUrl}/v1/conversations?${params}`, { headers, signal: o.signal });
      if (!res.ok) throw new Error(`inbox answered ${res.status}`);
      const page = (await res.json()) as { items: InboxItem[]; next_cursor: string | null };
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  };
  // The backfill's events are queued, not yet stored: wait until the count stops growing.
  let items = await unreviewed();
  for (const until = Date.now() + SETTLE_MS; Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 2000));
    const next = await unreviewed();
    const settled = next.length === items.length;
    items = next;
    if (settled && items.length > 0) break;
  }
  let reviewed = 0;
  for (const c of items) {
    const lastWeek = Date.parse(c.started_at) > now - 7 * DAY_MS;
    if (o.rng() >= (lastWeek ? REVIEWED_LAST_WEEK : REVIEWED_BEFORE)) continue;
    const { outcome, note } = pickOutcome(o.rng);
    const res = await fetch(`${o.baseUrl}/v1/conversations/${encodeURIComponent(c.conversation_id)}/review`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ outcome, ...(note ? { note } : {}), version: 0 }),
      signal: o.signal,
    });
    if (res.ok) reviewed += 1;
    else if (res.status !== 409) o.log.warn({ status: res.status }, 'demo traffic: a past review was refused');
  }
  return reviewed;
}
