// A small, obviously-correct model of the event rules and the query API to compare the pipeline with:
// it keeps every event and recomputes everything from scratch on each question.

export interface ModelEvent {
  event_id: string;
  type: 'conversation.started' | 'message.feedback' | 'conversation.csat' | 'conversation.csat_prompted';
  ts: number;
  conversation_id: string;
  widget_id?: string;
  locale?: string;
  message_id?: string;
  thumb?: 'up' | 'down' | 'none';
  score?: number;
  reason?: string;
}

interface Rated {
  value: string | number;
  ts: number;
  order: number;
  reason?: string;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A segment filter of the query API (CONTRACT §9). */
export interface SegmentFilter {
  widget_id?: string;
  locale?: string;
}

/**
 * Whether an event's widget and locale are in the filter, spelled out from the contract: a
 * locale without a region is a language and matches every region of it; with a region it
 * matches exactly; case never matters; an absent field does not filter.
 */
function matches(f: SegmentFilter, widget: string | undefined, locale: string | undefined): boolean {
  if (f.widget_id !== undefined && widget !== f.widget_id) return false;
  if (f.locale === undefined) return true;
  if (locale === undefined) return false;
  const [want, have] = [f.locale.toLowerCase(), locale.toLowerCase()];
  if (want.includes('-')) return want === have;
  return have.split('-')[0] === want;
}

type Accepted = ModelEvent & { order: number };

export function localDay(ts: number, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    ts,
  );
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

export class ReferenceModel {
  private readonly seen = new Set<string>();
  private readonly accepted: Accepted[] = [];

  /** Events in arrival order; a repeated event_id changes nothing. */
  receive(e: ModelEvent): void {
    if (this.seen.has(e.event_id)) return;
    this.seen.add(e.event_id);
    this.accepted.push({ ...e, order: this.accepted.length });
  }

  /** Latest (greatest ts, then later arrival) per key. */
  private latest(
    type: ModelEvent['type'],
    key: (e: ModelEvent) => string,
  ): Map<string, ModelEvent & { order: number }> {
    const out = new Map<string, ModelEvent & { order: number }>();
    for (const e of this.accepted) {
      if (e.type !== type) continue;
      const cur = out.get(key(e));
      if (!cur || e.ts > cur.ts || (e.ts === cur.ts && e.order > cur.order)) out.set(key(e), e);
    }
    return out;
  }

  private thumbs(): Map<string, ModelEvent> {
    return this.latest('message.feedback', (e) => e.message_id as string);
  }

  private ratings(): Map<string, ModelEvent> {
    return this.latest('conversation.csat', (e) => e.conversation_id);
  }

  /** The first rating prompt per conversation: least ts, then earliest arrival. */
  private firstPrompts(): Map<string, Accepted> {
    const out = new Map<string, Accepted>();
    for (const e of this.accepted) {
      if (e.type !== 'conversation.csat_prompted') continue;
      const cur = out.get(e.conversation_id);
      if (!cur || e.ts < cur.ts || (e.ts === cur.ts && e.order < cur.order)) out.set(e.conversation_id, e);
    }
    return out;
  }

  /**
   * What counts in the window [a, b] (local days in tz) and the filter, per key of `keyOf` (an
   * event's segment → a key): current thumbs and ratings by their own event's ts and segment,
   * first prompts by theirs, and those prompts whose conversation has a current rating.
   */
  private sums(a: string, b: string, tz: string, filter: SegmentFilter, keyOf: (e: ModelEvent) => string = () => '') {
    const out = new Map<
      string,
      { up: number; down: number; sum: number; count: number; prompted: number; responded: number }
    >();
    const at = (e: ModelEvent) => {
      const day = localDay(e.ts, tz);
      if (day < a || day > b || !matches(filter, e.widget_id, e.locale)) return null;
      const k = keyOf(e);
      let s = out.get(k);
      if (!s) out.set(k, (s = { up: 0, down: 0, sum: 0, count: 0, prompted: 0, responded: 0 }));
      return s;
    };
    for (const t of this.thumbs().values()) {
      if (t.thumb === 'none') continue;
      const s = at(t);
      if (s && t.thumb === 'up') s.up++;
      if (s && t.thumb === 'down') s.down++;
    }
    const ratings = this.ratings();
    for (const r of ratings.values()) {
      const s = at(r);
      if (s) {
        s.sum += r.score as number;
        s.count++;
      }
    }
    for (const p of this.firstPrompts().values()) {
      const s = at(p);
      if (s) {
        s.prompted++;
        if (ratings.has(p.conversation_id)) s.responded++;
      }
    }
    return out;
  }

  /** The overview; `liveSeq` is whatever the server reports (checked elsewhere). */
  overview(from: string, to: string, tz: string, liveSeq: number, filter: SegmentFilter = {}) {
    const n = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
    const prev = { from: addDays(from, -n), to: addDays(from, -1) };
    const zero = { up: 0, down: 0, sum: 0, count: 0, prompted: 0, responded: 0 };
    const thumbs = ({ up, down }: { up: number; down: number }) => {
      const total = up + down;
      return {
        up,
        down,
        up_pct: total ? round((up / total) * 100, 1) : null,
        down_pct: total ? round((down / total) * 100, 1) : null,
      };
    };
    const daily = Array.from({ length: n }, (_, i) => {
      const day = addDays(from, i);
      const d = this.sums(day, day, tz, filter).get('') ?? zero;
      return {
        day,
        average: d.count ? round(d.sum / d.count, 2) : null,
        rated: d.count,
        csat_sum: d.sum,
        thumbs_up: d.up,
        thumbs_down: d.down,
        prompted: d.prompted,
        responded: d.responded,
      };
    });
    const all = this.sums(from, to, tz, filter).get('') ?? zero;
    const triage = (a: string, b: string) => ({
      downvoted: this.conversations(a, b, tz, filter).filter((c) => c.satisfaction === 'negative').length,
      reviewed: 0,
      outcomes: { didnt_know: 0, answered_weirdly: 0, should_have_handed_over: 0, no_issue: 0 },
    });
    return {
      from,
      to,
      tz,
      live_seq: liveSeq,
      csat: {
        average: all.count ? round(all.sum / all.count, 2) : null,
        rated: all.count,
        prompted: all.prompted,
        response_rate: all.prompted ? round(all.responded / all.prompted, 4) : null,
        daily,
      },
      thumbs: {
        ...thumbs(all),
        previous: { ...prev, ...thumbs(this.sums(prev.from, prev.to, tz, filter).get('') ?? zero) },
      },
      // The model has no reviews: every downvoted conversation is unreviewed.
      triage: { ...triage(from, to), previous: { ...prev, ...triage(prev.from, prev.to) } },
    };
  }

  /** `GET /v1/analytics/breakdown`: one item per key with anything counted, most rated + thumbs first. */
  breakdown(by: 'widget_id' | 'locale' | 'language', from: string, to: string, tz: string, filter: SegmentFilter = {}) {
    const keyOf = (e: ModelEvent) =>
      by === 'widget_id'
        ? (e.widget_id ?? '')
        : by === 'locale'
          ? (e.locale ?? '').toLowerCase()
          : ((e.locale ?? '').split('-')[0] as string).toLowerCase();
    const items = [...this.sums(from, to, tz, filter, keyOf).entries()]
      .filter(([, s]) => s.up || s.down || s.count || s.prompted)
      .sort(
        ([ka, a], [kb, b]) =>
          b.count + b.up + b.down - (a.count + a.up + a.down) ||
          b.prompted - a.prompted ||
          (ka < kb ? -1 : ka > kb ? 1 : 0),
      )
      .map(([key, s]) => {
        const total = s.up + s.down;
        return {
          key: key === '' ? null : key,
          csat: { average: s.count ? round(s.sum / s.count, 2) : null, rated: s.count },
          thumbs: {
            up: s.up,
            down: s.down,
            up_pct: total ? round((s.up / total) * 100, 1) : null,
            down_pct: total ? round((s.down / total) * 100, 1) : null,
          },
          prompted: s.prompted,
          response_rate: s.prompted ? round(s.responded / s.prompted, 4) : null,
        };
      });
    return { by, from, to, tz, items };
  }

  /**
   * Summaries of conversations started in [from, to] (local dates in tz), newest first, whose
   * widget and locale (each from its earliest event naming one) are in the filter.
   */
  conversations(from: string, to: string, tz: string, filter: SegmentFilter = {}) {
    const started = new Map<string, number>();
    const earliest = (field: 'widget_id' | 'locale') => {
      const out = new Map<string, Accepted>();
      for (const e of this.accepted) {
        if (e[field] === undefined) continue;
        const cur = out.get(e.conversation_id);
        if (!cur || e.ts < cur.ts || (e.ts === cur.ts && e.order < cur.order)) out.set(e.conversation_id, e);
      }
      return out;
    };
    const widgets = earliest('widget_id');
    const locales = earliest('locale');
    for (const e of this.accepted) {
      const cur = started.get(e.conversation_id);
      if (cur === undefined || e.ts < cur) started.set(e.conversation_id, e.ts);
    }
    const thumbs = [...this.thumbs().values()];
    const ratings = this.ratings();
    return [...started.entries()]
      .filter(([, ts]) => localDay(ts, tz) >= from && localDay(ts, tz) <= to)
      .filter(([id]) => matches(filter, widgets.get(id)?.widget_id, locales.get(id)?.locale))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1))
      .map(([id, ts]) => {
        const r = ratings.get(id);
        const score = r?.score ?? null;
        return {
          conversation_id: id,
          started_at: new Date(ts).toISOString(),
          satisfaction: score === null ? 'unknown' : score >= 4 ? 'positive' : score === 3 ? 'neutral' : 'negative',
          score,
          negative_reason: score !== null && score <= 2 && r?.reason ? r.reason : null,
          thumbs_up: thumbs.filter((t) => t.conversation_id === id && t.thumb === 'up').length,
          thumbs_down: thumbs.filter((t) => t.conversation_id === id && t.thumb === 'down').length,
          widget_id: widgets.get(id)?.widget_id ?? null,
          locale: locales.get(id)?.locale ?? null,
        };
      });
  }

  /** Current feedback per message of a conversation. */
  feedback(conversationId: string): Record<string, 'up' | 'down' | null> {
    const out: Record<string, 'up' | 'down' | null> = {};
    for (const t of this.thumbs().values()) {
      if (t.conversation_id !== conversationId) continue;
      out[t.message_id as string] = t.thumb === 'none' ? null : (t.thumb as 'up' | 'down');
    }
    return out;
  }
}
