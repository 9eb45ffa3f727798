// GET /v1/recommendations/knowledge-gaps: finding, grouping and counting questions on real ClickHouse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import type { EventRow } from '@thumbline/clickhouse';
import type { KnowledgeGaps } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { eventRows } from './support/event-rows.ts';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
let app: ReturnType<typeof createApiApp>;
const dt = newToken('dashboard');
const sk = newToken('secret');

const SHIP = (title: string) => ({ id: 'kb-ship', title, url: 'https://help.example/ship' });

const { row, said, rated } = eventRows('w');

/** A shopper question, the assistant's answer a second later, and thumbs on that answer. */
function exchange(conv: string, question: string, at: string, thumbs: [string, string][]) {
  const t = Date.parse(at);
  return [
    said(conv, `${conv}-q`, 'shopper', question, at),
    said(conv, `${conv}-a`, 'assistant', 'We ship to the US only.', new Date(t + 1000).toISOString()),
    ...thumbs.map(([thumb, when]) => rated(conv, `${conv}-a`, thumb, when)),
  ];
}

/**
 * A question and its answer in `talk`'s segment, the answer thumbed down a minute later in
 * `thumb`'s: the question's language comes from the conversation, the filter from the thumb.
 */
function asked(
  conv: string,
  question: string,
  at: string,
  talk: { widget_id?: string; locale?: string },
  thumb: { widget_id?: string; locale?: string },
) {
  const t = Date.parse(at);
  const later = (s: number) => new Date(t + s * 1000).toISOString();
  return [
    said(conv, `${conv}-q`, 'shopper', question, at),
    said(conv, `${conv}-a`, 'assistant', 'Yes.', later(1)),
    rated(conv, `${conv}-a`, 'down', later(60)),
  ].map((r, i) => ({ ...r, ...(i < 2 ? talk : thumb) }));
}

// The workspace zone is New York: 2026-11-25T03:00Z is still Nov 24 there, 06:00Z is Nov 25.
const RANGE = 'from=2026-11-20&to=2026-11-24';
// Rewordings, languages and segments, on days with nothing else.
const RANGE2 = 'from=2026-11-10&to=2026-11-14';

beforeAll(async () => {
  env = await openTestEnv('gaps');
  await env.store.saveWorkspace({ id: 'w', tz: 'America/New_York', allowed_origins: [] });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  app = createApiApp(env);

  const rows: EventRow[] = [
    // Canada, three wordings in three conversations.
    ...exchange('ca1', 'Do you ship to Canada?', '2026-11-21T10:00:00Z', [['down', '2026-11-21T10:01:00Z']]),
    ...exchange('ca2', 'do you ship to canada!!', '2026-11-22T10:00:00Z', [['down', '2026-11-22T10:01:00Z']]),
    // An earlier shopper message and an up later changed to down: the latest question and thumb count.
    said('ca3', 'ca3-hi', 'shopper', 'hi there', '2026-11-24T23:00:00Z'),
    ...exchange('ca3', 'do u ship to canada', '2026-11-25T02:58:00Z', [
      ['up', '2026-11-25T02:59:00Z'],
      ['down', '2026-11-25T03:00:00Z'],
    ]),
    // Not counted: down then up (latest wins), and a thumb-down on Nov 25 in New York.
    ...exchange('ca4', 'Do you ship to Canada?', '2026-11-21T11:00:00Z', [
      ['down', '2026-11-21T11:01:00Z'],
      ['up', '2026-11-21T11:05:00Z'],
    ]),
    ...exchange('ca5', 'Do you ship to Canada?', '2026-11-25T05:00:00Z', [['down', '2026-11-25T06:00:00Z']]),

    // Mexico stays its own group; one answer was given before the range, rated inside it.
    ...exchange('mx1', 'Do you ship to Mexico?', '2026-11-10T09:00:00Z', [['down', '2026-11-21T09:00:00Z']]),
    ...exchange('mx2', 'do you ship to mexico', '2026-11-21T12:00:00Z', [['down', '2026-11-21T12:01:00Z']]),

    // PayPal: arrivals out of order are resolved by ts. pp2's down (later ts) arrives
    // before its up, so down is current; pp3's up (later ts) arrives first and stays current.
    ...exchange('pp1', 'Can I pay with PayPal?', '2026-11-23T08:00:00Z', [['down', '2026-11-23T08:01:00Z']]),
    ...exchange('pp2', 'can i pay with paypal', '2026-11-22T08:00:00Z', []),
    rated('pp2', 'pp2-a', 'down', '2026-11-22T08:05:00Z', '000000000000001-a'),
    rated('pp2', 'pp2-a', 'up', '2026-11-22T08:03:00Z', '000000000000001-b'),
    ...exchange('pp3', 'Can I pay with PayPal', '2026-11-22T09:00:00Z', []),
    rated('pp3', 'pp3-a', 'up', '2026-11-22T09:05:00Z', '000000000000002-a'),
    rated('pp3', 'pp3-a', 'down', '2026-11-22T09:03:00Z', '000000000000002-b'),

    // Two thumbs-down in one conversation: not shown.
    ...exchange('rp1', 'What is your return policy?', '2026-11-21T13:00:00Z', [['down', '2026-11-21T13:01:00Z']]),
    said('rp1', 'rp1-q2', 'shopper', 'what is your return policy', '2026-11-21T13:02:00Z'),
    said('rp1', 'rp1-a2', 'assistant', 'See our FAQ.', '2026-11-21T13:03:00Z'),
    rated('rp1', 'rp1-a2', 'down', '2026-11-21T13:04:00Z'),

    // Texts under 3 characters have no trigrams to compare: they only match exactly.
    ...exchange('ok1', 'ok', '2026-11-21T16:00:00Z', [['down', '2026-11-21T16:01:00Z']]),
    ...exchange('no1', 'No.', '2026-11-21T17:00:00Z', [['down', '2026-11-21T17:01:00Z']]),

    // Thumbed-down greetings with no shopper message before them: no question, ignored.
    said('gr1', 'gr1-a', 'assistant', 'Hi! How can I help?', '2026-11-21T14:00:00Z'),
    rated('gr1', 'gr1-a', 'down', '2026-11-21T14:01:00Z'),
    said('gr2', 'gr2-a', 'assistant', 'Hi! How can I help?', '2026-11-21T15:00:00Z'),
    rated('gr2', 'gr2-a', 'down', '2026-11-21T15:01:00Z'),
    said('gr2', 'gr2-q', 'shopper', 'Do you ship to Canada?', '2026-11-21T15:02:00Z'),

    // Rewordings of one question (the last one's conversation names no locale: English).
    ...asked(
      'fit1',
      'Does this run true to size?',
      '2026-11-11T10:00:00Z',
      { widget_id: 'shop' },
      { widget_id: 'shop', locale: 'en-US' },
    ),
    ...asked(
      'fit2',
      'does it run true to size',
      '2026-11-11T11:00:00Z',
      { widget_id: 'shop', locale: 'en' },
      { widget_id: 'shop', locale: 'en' },
    ),
    ...asked('fit3', 'True to size, does it run?', '2026-11-12T10:00:00Z', {}, { widget_id: 'app', locale: 'en-GB' }),
    // A different question sharing most words. small1's messages came from another widget:
    // its thumb counts in the thumb's own segment.
    ...asked(
      'small1',
      'Does this run small?',
      '2026-11-12T11:00:00Z',
      { widget_id: 'web' },
      { widget_id: 'app', locale: 'en-GB' },
    ),
    ...asked('small2', 'does this run small', '2026-11-12T12:00:00Z', {}, { widget_id: 'app', locale: 'en-GB' }),
    // German, grouped only by German stemming (Schuhe/Schuh, sind/ist are stop words).
    // ger1's conversation started in de-CH; its thumb was sent as de-DE.
    row('conversation.started', 'ger1', '', '2026-11-13T09:59:00Z', { locale: 'de-CH' }),
    ...asked(
      'ger1',
      'Sind die Schuhe wasserdicht?',
      '2026-11-13T10:00:00Z',
      { widget_id: 'shop' },
      { widget_id: 'shop', locale: 'de-DE' },
    ),
    ...asked(
      'ger2',
      'Ist der Schuh wasserdicht',
      '2026-11-13T11:00:00Z',
      { locale: 'de-AT' },
      { widget_id: 'app', locale: 'de-AT' },
    ),
    // The same German texts in conversations without a locale are read as English: apart.
    ...asked('eng1', 'Sind die Schuhe wasserdicht?', '2026-11-13T12:00:00Z', {}, {}),
    ...asked('eng2', 'Ist der Schuh wasserdicht', '2026-11-13T13:00:00Z', {}, {}),
  ];
  // What the Canada answers cited (ca4's thumb-down was undone: its source is not shown).
  const cited: Record<string, EventRow['sources']> = {
    'ca1-a': [SHIP('Shipping'), { id: 'kb-canada', title: '', url: '' }],
    'ca2-a': [SHIP('Shipping (old)')],
    'ca3-a': [SHIP('Shipping (latest)')],
    'ca4-a': [{ id: 'kb-other', title: 'Other', url: '' }],
  };
  for (const r of rows) {
    if (r.type === 'message.created' && cited[r.message_id]) r.sources = cited[r.message_id];
  }
  await env.ch.insert('events', rows, { insert_deduplication_token: 'gaps-seed' });
});
afterAll(() => env.cleanup());

const get = (query: string, token = dt) =>
  app.request(`/v1/recommendations/knowledge-gaps?${query}`, { headers: { authorization: `Bearer ${token}` } });

async function gaps(query: string): Promise<KnowledgeGaps['items']> {
  const res = await get(query);
  expect(res.status).toBe(200);
  return ((await res.json()) as KnowledgeGaps).items;
}

async function code(res: Response) {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('GET /v1/recommendations/knowledge-gaps', () => {
  it('groups near-duplicate questions and counts current thumbs-down in the range, most first', async () => {
    const items = await gaps(RANGE);
    expect(items.map((g) => [g.examples.slice().sort(), g.thumbs_down, g.conversations])).toEqual([
      [['Do you ship to Canada?', 'do u ship to canada', 'do you ship to canada!!'], 3, 3],
      [['Can I pay with PayPal?', 'can i pay with paypal'], 2, 2],
      [['Do you ship to Mexico?', 'do you ship to mexico'], 2, 2],
    ]);
    const [canada, paypal, mexico] = items;
    expect(canada?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(items.map((g) => g.id)).size).toBe(3);
    // Each wording was asked once, so the latest one leads.
    expect(canada).toMatchObject({ question: 'do u ship to canada', last_seen: '2026-11-25T03:00:00.000Z' });
    // The tie on thumbs-down is broken by the latest thumb-down.
    expect(paypal).toMatchObject({ question: 'Can I pay with PayPal?', last_seen: '2026-11-23T08:01:00.000Z' });
    expect(mexico).toMatchObject({ question: 'do you ship to mexico', last_seen: '2026-11-21T12:01:00.000Z' });
  });

  it("lists the sources of each group's thumbed-down answers, most thumbs-down first", async () => {
    const [canada, paypal] = await gaps(RANGE);
    expect(canada?.sources).toEqual([
      // ca3's answer is the latest citation (Nov 25 UTC): its title names the source.
      { source_id: 'kb-ship', title: 'Shipping (latest)', url: 'https://help.example/ship', thumbs_down: 3 },
      { source_id: 'kb-canada', title: null, url: null, thumbs_down: 1 },
    ]);
    expect(paypal?.sources).toEqual([]);
    // In UTC ca3's thumb-down is outside the range: the latest counted citation is ca2's.
    const utc = (await gaps(`${RANGE}&tz=UTC`)).find((g) => g.examples.includes('Do you ship to Canada?'));
    expect(utc?.sources).toEqual([
      { source_id: 'kb-ship', title: 'Shipping (old)', url: 'https://help.example/ship', thumbs_down: 2 },
      { source_id: 'kb-canada', title: null, url: null, thumbs_down: 1 },
    ]);
  });

  it('groups rewordings in the conversation language and keeps different questions apart', async () => {
    const items = await gaps(RANGE2);
    expect(items.map((g) => [g.question, g.examples, g.thumbs_down, g.conversations])).toEqual([
      [
        'True to size, does it run?',
        ['True to size, does it run?', 'does it run true to size', 'Does this run true to size?'],
        3,
        3,
      ],
      ['Ist der Schuh wasserdicht', ['Ist der Schuh wasserdicht', 'Sind die Schuhe wasserdicht?'], 2, 2],
      ['does this run small', ['does this run small', 'Does this run small?'], 2, 2],
    ]);
  });

  it("filters by the thumb-down event's own widget_id and locale", async () => {
    const shown = async (segment: string) =>
      (await gaps(`${RANGE2}&${segment}`)).map((g) => [g.question, g.thumbs_down, g.conversations]);
    expect(await shown('widget_id=shop')).toEqual([['does it run true to size', 2, 2]]);
    expect(await shown('widget_id=app')).toEqual([['does this run small', 2, 2]]);
    expect(await shown('widget_id=web')).toEqual([]);
    expect(await shown('locale=de')).toEqual([['Ist der Schuh wasserdicht', 2, 2]]);
    expect(await shown('locale=DE')).toEqual([['Ist der Schuh wasserdicht', 2, 2]]);
    expect(await shown('locale=de-CH')).toEqual([]);
    expect(await shown('locale=en')).toEqual([
      ['True to size, does it run?', 3, 3],
      ['does this run small', 2, 2],
    ]);
    expect(await shown('locale=en-gb')).toEqual([['does this run small', 2, 2]]);
    expect(await shown('widget_id=shop&locale=en')).toEqual([['does it run true to size', 2, 2]]);
    expect(await shown('widget_id=app&locale=de')).toEqual([]);
  });

  it('reads local days of the requested zone', async () => {
    // In UTC the thumb-down of 2026-11-25T03:00Z falls on Nov 25, outside the range.
    const items = await gaps(`${RANGE}&tz=UTC`);
    const canada = items.find((g) => g.examples.includes('Do you ship to Canada?'));
    expect(canada).toMatchObject({ thumbs_down: 2, conversations: 2, last_seen: '2026-11-22T10:01:00.000Z' });
    expect(canada?.examples.sort()).toEqual(['Do you ship to Canada?', 'do you ship to canada!!']);
  });

  it('answers an empty list when nothing qualifies', async () => {
    expect(await gaps('from=2025-01-01&to=2025-01-31')).toEqual([]);
    // One thumb-down per group on Nov 23 alone.
    expect(await gaps('from=2026-11-23&to=2026-11-23')).toEqual([]);
  });

  it('refuses other tokens', async () => {
    for (const token of ['dt_nope', sk]) {
      const res = await get(RANGE, token);
      expect(res.status).toBe(401);
      expect(await code(res)).toBe('unauthorized');
    }
    const res = await app.request(`/v1/recommendations/knowledge-gaps?${RANGE}`);
    expect(res.status).toBe(401);
  });

  it('answers 400 invalid_query (bad widget_id or locale too), invalid_tz and range_too_large like the overview', async () => {
    const cases: [string, string][] = [
      ['from=2099-11-01', 'invalid_query'],
      ['from=2026-11-02&to=2026-11-01', 'invalid_query'],
      [`${RANGE}&tz=Mars/Olympus`, 'invalid_tz'],
      ['from=2025-01-01&to=2026-02-05', 'range_too_large'],
      [`${RANGE}&widget_id=`, 'invalid_query'],
      [`${RANGE}&widget_id=${'w'.repeat(65)}`, 'invalid_query'],
      [`${RANGE}&locale=de_DE`, 'invalid_query'],
      [`${RANGE}&locale=${'de-' + 'abcdefgh-'.repeat(4)}x`, 'invalid_query'],
      [`${RANGE}&locale=%27%20OR%201%3D1`, 'invalid_query'],
    ];
    for (const [query, expected] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(await code(res), query).toBe(expected);
    }
  });
});
