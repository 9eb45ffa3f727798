// A small, obviously-correct model of the event rules and the query API to compare the pipeline with:
// it keeps every event and recomputes everything from scratch on each question.

export interface ModelEvent {
  event_id: string;
  type: 'conversation.started' | 'message.feedback' | 'conversation.csat';
  ts: number;
  conversation_id: string;
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
  private readonly accepted: (ModelEvent & { order: number })[] = [];

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

  /** The overview; `liveSeq` is whatever the server reports (checked elsewhere). */
  overview(from: string, to: string, tz: string, liveSeq: number) {
    const n = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
    const prev = { from: addDays(from, -n), to: addDays(from, -1) };
    const inRange = (day: string, a: string, b: string) => day >= a && day <= b;
    const totals = (a: string, b: string) => {
      let up = 0;
      let down = 0;
      for (const t of this.thumbs().values()) {
        if (!inRange(localDay(t.ts, tz), a, b)) continue;
        if (t.thumb === 'up') up++;
        if (t.thumb === 'down') down++;
      }
      const total = up + down;
      return {
        up,
        down,
        up_pct: total ? round((up / total) * 100, 1) : null,
        down_pct: total ? round((down / total) * 100, 1) : null,
      };
    };
    const byDay = new Map<string, { sum: number; count: number }>();
    for (const r of this.ratings().values()) {
      const day = localDay(r.ts, tz);
      const d = byDay.get(day) ?? { sum: 0, count: 0 };
      d.sum += r.score as number;
      d.count += 1;
      byDay.set(day, d);
    }
    const daily = Array.from({ length: n }, (_, i) => {
      const day = addDays(from, i);
      const d = byDay.get(day);
      const t = totals(day, day);
      return {
        day,
        average: d ? round(d.sum / d.count, 2) : null,
        rated: d?.count ?? 0,
        csat_sum: d?.sum ?? 0,
        thumbs_up: t.up,
        thumbs_down: t.down,
      };
    });
    const rated = daily.reduce((s, d) => s + d.rated, 0);
    const sum = [...byDay.entries()].filter(([d]) => inRange(d, from, to)).reduce((s, [, d]) => s + d.sum, 0);
    return {
      from,
      to,
      tz,
      live_seq: liveSeq,
      csat: { average: rated ? round(sum / rated, 2) : null, rated, daily },
      thumbs: { ...totals(from, to), previous: { ...prev, ...totals(prev.from, prev.to) } },
    };
  }

  /** Summaries of conversations started in [from, to] (local dates in tz), newest first. */
  conversations(from: string, to: string, tz: string) {
    const started = new Map<string, number>();
    for (const e of this.accepted) {
      const cur = started.get(e.conversation_id);
      if (cur === undefined || e.ts < cur) started.set(e.conversation_id, e.ts);
    }
    const thumbs = [...this.thumbs().values()];
    const ratings = this.ratings();
    return [...started.entries()]
      .filter(([, ts]) => localDay(ts, tz) >= from && localDay(ts, tz) <= to)
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
