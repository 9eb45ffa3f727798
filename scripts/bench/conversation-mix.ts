// Realistic traffic for the memory bench: conversations of ten events (started, two questions
// and two answers, thumbs on the answers with a third thumb that flips, clears or repeats the
// first, a CSAT score, resolved), spread over ten consecutive requests so that each request
// carries a different stage of ten cohorts of conversations, as live traffic interleaves them.
import { randomUUID } from 'node:crypto';

/** Events per conversation (its stages). */
export const STAGES = 10;

interface Conversation {
  id: string;
  answers: [string, string];
  /** The first answer's first thumb. */
  first: 'up' | 'down';
  /** 0–5: which of the third-thumb and CSAT variants it takes. */
  variant: number;
}

const QUESTIONS = [
  'Do these running shoes come in wide sizes?',
  'What is the return window for sale items?',
  'Can I change the delivery address after ordering?',
  'Is this jacket waterproof or only water resistant?',
  'Which charger works with the 2024 model?',
];
const ANSWER =
  'Yes: the wide fit is listed under Size as 2E. Orders placed before 2 pm ship the same day, and returns are free within 30 days.';

/** The event of one stage of a conversation, at `ts` (epoch ms). */
function stageEvent(c: Conversation, stage: number, ts: number): Record<string, unknown> {
  const base = { event_id: randomUUID(), ts, conversation_id: c.id };
  const [a1, a2] = c.answers;
  switch (stage) {
    case 0:
      return { ...base, type: 'conversation.started', channel: 'web' };
    case 1:
    case 4:
      return {
        ...base,
        type: 'message.created',
        message_id: randomUUID(),
        role: 'shopper',
        text: QUESTIONS[(c.variant + stage) % QUESTIONS.length],
      };
    case 2:
    case 5:
      return { ...base, type: 'message.created', message_id: stage === 2 ? a1 : a2, role: 'assistant', text: ANSWER };
    case 3:
      return { ...base, type: 'message.feedback', message_id: a1, thumb: c.first };
    case 6:
      return { ...base, type: 'message.feedback', message_id: a2, thumb: c.variant % 2 ? 'down' : 'up' };
    case 7: {
      // A third of the conversations flip the first thumb, a sixth clear it, the rest repeat it.
      const flipped = c.first === 'up' ? 'down' : 'up';
      const thumb = c.variant < 2 ? flipped : c.variant === 2 ? 'none' : c.first;
      return { ...base, type: 'message.feedback', message_id: a1, thumb };
    }
    case 8: {
      const score = 1 + (c.variant % 5);
      return { ...base, type: 'conversation.csat', score, ...(score <= 2 ? { reason: 'answer was not helpful' } : {}) };
    }
    default:
      return { ...base, type: 'conversation.resolved' };
  }
}

/**
 * Request bodies for `conversations` conversations, `perRequest / STAGES` new ones per request:
 * request r carries stage s of cohort r − s. Timestamps rise by at least 1 ms per request.
 */
export class ConversationMix {
  private readonly perCohort: number;
  private readonly cohorts: Conversation[][] = [];
  private next = 0;
  private lastTs = 0;
  /** Events in the bodies made so far. */
  events = 0;

  constructor(
    private readonly conversations: number,
    perRequest: number,
  ) {
    this.perCohort = Math.max(1, Math.floor(perRequest / STAGES));
  }

  /** Requests it makes in all. */
  get requests(): number {
    return Math.ceil(this.conversations / this.perCohort) + STAGES - 1;
  }

  /** The next request's body, or null when every conversation is complete. */
  nextBody(): string | null {
    const r = this.next;
    if (r >= this.requests) return null;
    this.next++;
    const ts = (this.lastTs = Math.max(Date.now(), this.lastTs + 1));
    const created = r * this.perCohort;
    if (created < this.conversations) {
      this.cohorts[r] = Array.from({ length: Math.min(this.perCohort, this.conversations - created) }, (_, i) => ({
        id: randomUUID(),
        answers: [randomUUID(), randomUUID()],
        first: (created + i) % 4 === 3 ? 'down' : 'up',
        variant: (created + i) % 6,
      }));
    }
    const events: Record<string, unknown>[] = [];
    for (let s = 0; s < STAGES; s++) {
      const cohort = this.cohorts[r - s];
      if (cohort) for (const c of cohort) events.push(stageEvent(c, s, ts));
    }
    // A cohort whose last stage went out is not needed any more.
    delete this.cohorts[r - STAGES + 1];
    this.events += events.length;
    return JSON.stringify({ events });
  }
}
