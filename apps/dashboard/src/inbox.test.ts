import { describe, expect, it } from 'vitest';
import type { InboxItem } from '@thumbline/events';
import { applyChanges, applyReview, appendPage, matchesFilter, type InboxQuery } from './inbox.ts';

const q: InboxQuery = { from: '2026-11-01', to: '2026-11-30', tz: 'UTC', filter: 'all' };

function conv(id: string, startedAt: string, patch: Partial<InboxItem> = {}): InboxItem {
  return {
    conversation_id: id,
    started_at: startedAt,
    satisfaction: 'unknown',
    score: null,
    negative_reason: null,
    thumbs_up: 0,
    thumbs_down: 0,
    version: 1,
    widget_id: null,
    locale: null,
    preview: null,
    review: null,
    ...patch,
  };
}

describe('inbox live changes', () => {
  const list = [conv('c3', '2026-11-20T10:00:00.000Z'), conv('c2', '2026-11-10T10:00:00.000Z')];

  it('maps the filter like the API (neutral only under all)', () => {
    expect(matchesFilter('positive', 'upvote')).toBe(true);
    expect(matchesFilter('negative', 'downvote')).toBe(true);
    expect(matchesFilter('unknown', 'unknown')).toBe(true);
    expect(matchesFilter('neutral', 'upvote')).toBe(false);
    expect(matchesFilter('neutral', 'all')).toBe(true);
  });

  it('inserts a new conversation in order and updates one in place', () => {
    const out = applyChanges(
      list,
      [conv('c4', '2026-11-15T00:00:00.000Z'), conv('c3', '2026-11-20T10:00:00.000Z', { thumbs_up: 2, version: 2 })],
      q,
      false,
    );
    expect(out.map((c) => c.conversation_id)).toEqual(['c3', 'c4', 'c2']);
    expect(out[0]?.thumbs_up).toBe(2);
  });

  it('skips conversations outside the range, and ones a later page will bring', () => {
    expect(applyChanges(list, [conv('x', '2026-10-31T23:00:00.000Z')], q, false)).toBe(list);
    expect(applyChanges(list, [conv('old', '2026-11-02T00:00:00.000Z')], q, true)).toBe(list);
    expect(applyChanges(list, [conv('old', '2026-11-02T00:00:00.000Z')], q, false)).toHaveLength(3);
  });

  it('uses the local day of the zone', () => {
    const kolkata = { ...q, tz: 'Asia/Kolkata' };
    // 2026-10-31 19:00 UTC is 2026-11-01 00:30 in Kolkata.
    expect(applyChanges([], [conv('k', '2026-10-31T19:00:00.000Z')], kolkata, false)).toHaveLength(1);
  });

  it('drops a conversation that no longer matches the filter', () => {
    const down = { ...q, filter: 'downvote' as const };
    const negative = [conv('n', '2026-11-05T00:00:00.000Z', { satisfaction: 'negative', score: 1 })];
    expect(
      applyChanges(
        negative,
        [conv('n', '2026-11-05T00:00:00.000Z', { satisfaction: 'positive', version: 2 })],
        down,
        false,
      ),
    ).toEqual([]);
  });

  it('inserts only conversations of the selected segment (language matches its locales)', () => {
    const german = { ...q, segment: { widget_id: 'bubble-de', locale: 'de' } };
    const changes = [
      conv('de', '2026-11-05T00:00:00.000Z', { widget_id: 'bubble-de', locale: 'de-DE' }),
      conv('fr', '2026-11-06T00:00:00.000Z', { widget_id: 'bubble-de', locale: 'fr-FR' }),
      conv('other', '2026-11-07T00:00:00.000Z', { widget_id: 'default', locale: 'de-AT' }),
      conv('none', '2026-11-08T00:00:00.000Z'),
    ];
    expect(applyChanges([], changes, german, false).map((c) => c.conversation_id)).toEqual(['de']);
    expect(applyChanges([], changes, q, false)).toHaveLength(4);
  });

  it('keeps live rows when a page repeats them', () => {
    const live = [conv('c3', '2026-11-20T10:00:00.000Z', { thumbs_down: 5 })];
    const out = appendPage(live, [conv('c3', '2026-11-20T10:00:00.000Z'), conv('c1', '2026-11-01T00:00:00.000Z')]);
    expect(out.map((c) => [c.conversation_id, c.thumbs_down])).toEqual([
      ['c3', 5],
      ['c1', 0],
    ]);
  });

  it('keeps the greatest version of a conversation whatever order its changes arrive in', () => {
    const v1 = conv('c3', '2026-11-20T10:00:00.000Z', { version: 2, thumbs_up: 1 });
    const v2 = conv('c3', '2026-11-20T10:00:00.000Z', { version: 3, thumbs_up: 2, score: 1, satisfaction: 'negative' });
    expect(applyChanges(list, [v2, v1], q, false)[0]).toEqual(v2);
    expect(applyChanges(applyChanges(list, [v2], q, false), [v1], q, false)[0]).toEqual(v2);
    // A page that repeats a row keeps the newer of the two.
    expect(appendPage([v1], [v2])).toEqual([v2]);
    expect(appendPage([v2], [v1])).toEqual([v2]);
  });

  it("keeps a row's preview and review through a live change; a search takes no new rows", () => {
    const review = {
      conversation_id: 'c3',
      outcome: 'didnt_know' as const,
      note: null,
      reviewed_at: '2026-11-21T00:00:00.000Z',
      reviewer: 'k',
      version: 4,
    };
    const rows = [conv('c3', '2026-11-20T10:00:00.000Z', { preview: 'Do you ship?', review })];
    const out = applyChanges(rows, [conv('c3', '2026-11-20T10:00:00.000Z', { version: 2, thumbs_up: 1 })], q, false);
    expect(out[0]).toMatchObject({ preview: 'Do you ship?', review, thumbs_up: 1 });
    const searching = { ...q, q: 'ship' };
    expect(applyChanges(rows, [conv('new', '2026-11-21T00:00:00.000Z')], searching, false)).toBe(rows);
    expect(applyChanges(rows, [conv('new', '2026-11-21T00:00:00.000Z')], q, false)).toHaveLength(2);
  });

  it('applies live reviews by version and drops rows the review filter no longer takes', () => {
    const rows = [conv('c3', '2026-11-20T10:00:00.000Z'), conv('c2', '2026-11-10T10:00:00.000Z')];
    const review = {
      conversation_id: 'c3',
      outcome: 'no_issue' as const,
      note: 'fine',
      reviewed_at: '2026-11-21T00:00:00.000Z',
      reviewer: 'k',
      version: 2,
    };
    const set = applyReview(rows, { conversation_id: 'c3', review, version: 2 }, q);
    expect(set[0]?.review).toEqual(review);
    // An older change arriving late is ignored.
    expect(applyReview(set, { conversation_id: 'c3', review: null, version: 1 }, q)).toBe(set);
    expect(applyReview(set, { conversation_id: 'c3', review: null, version: 3 }, q)[0]?.review).toBeNull();
    const unreviewed = { ...q, review: 'unreviewed' as const };
    expect(
      applyReview(rows, { conversation_id: 'c3', review, version: 2 }, unreviewed).map((c) => c.conversation_id),
    ).toEqual(['c2']);
    expect(applyReview(rows, { conversation_id: 'zz', review: null, version: 9 }, q)).toBe(rows);
  });
});
