// Answered knowledge gaps (CONTRACT §13): a gap marked answered at a time T keeps its id and
// gains its thumbs-down rate before and after T, each with a 95 % Wilson interval, and a
// verdict. The gap's questions are the answers whose shopper question keys as one of the gap's
// keys: those it had when marked, and those of the group it matches now.
import type { KnowledgeGap } from './knowledge-gap-groups.ts';
import { questionKey } from './question-key.ts';
import { wilsonInterval, zForConfidence } from './wilson.ts';

/** A gap marked answered, as stored. */
export interface GapMark {
  gap_id: string;
  /** Epoch ms it was answered at. */
  at: number;
  /** The source that now covers it, '' for none. */
  source_id: string;
  /** The gap's question keys when it was marked. */
  keys: readonly string[];
}

/** The assistant answers in a window to one shopper question text (in one conversation language). */
export interface AnsweredQuestion {
  question: string;
  /** The conversation's locale ('' for none). */
  locale: string;
  answers: number;
  /** Of those, answers whose current thumb is down. */
  thumbs_down: number;
  /** Epoch ms of the latest answer. */
  last_answer: number;
  /** For each time of `GapAnswerWindow.ats`, in order: the answers (and thumbs-down) given before it. */
  before: readonly { answers: number; thumbs_down: number }[];
  /** The latest thumbed-down answers (bounded): their conversation and epoch ms. */
  downs: readonly { conversation_id: string; at: number }[];
}

/** Thumbs-down rate of a gap's answers on one side of the time it was answered at. */
export interface AnswerRate {
  answers: number;
  thumbs_down: number;
  /** thumbs_down / answers; null without answers. */
  rate: number | null;
  /** 95 % Wilson interval of the rate ([0, 1] without answers). */
  low: number;
  high: number;
}

export type GapVerdict = 'fixed' | 'not_fixed' | 'unclear';

export interface GapAnswered {
  at: number;
  source_id: string | null;
  before: AnswerRate;
  after: AnswerRate;
  verdict: GapVerdict;
  /**
   * True when the gap came back: after being answered its questions were thumbed down again
   * often enough to be a gap (≥ 2 thumbs-down in ≥ 2 conversations) and the verdict is not `fixed`.
   */
  returned: boolean;
}

export type AnsweredGap = KnowledgeGap & { answered: GapAnswered | null };

const Z95 = zForConfidence(0.95);

/** Rounded to 4 decimals: rates and bounds are shown as percentages. */
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The rate of `thumbsDown` in `answers` with its 95 % Wilson interval. */
export function answerRate(answers: number, thumbsDown: number): AnswerRate {
  const { lower, upper } = wilsonInterval(thumbsDown, answers, Z95);
  return {
    answers,
    thumbs_down: thumbsDown,
    rate: answers > 0 ? round4(thumbsDown / answers) : null,
    low: round4(lower),
    high: round4(upper),
  };
}

/**
 * `fixed` when after's upper bound is below before's lower bound; `not_fixed` when after's lower
 * bound is at or above before's lower bound; otherwise `unclear` (CONTRACT §13). A side without
 * answers has the interval [0, 1] and says nothing: `unclear` (else a window that starts after `at`
 * would read `not_fixed`).
 */
export function gapVerdict(before: AnswerRate, after: AnswerRate): GapVerdict {
  if (before.answers === 0 || after.answers === 0) return 'unclear';
  if (after.high < before.low) return 'fixed';
  if (after.low >= before.low) return 'not_fixed';
  return 'unclear';
}

/** Most example wordings of a gap rebuilt from its answers. */
const EXAMPLES = 5;

/**
 * The window's gaps with their marks applied. A mark takes the gap it names, or else the most
 * thumbed-down gap sharing one of its keys (the group's head moved, or a wording joined); that gap
 * keeps the mark's id. A mark whose gap has no thumbs-down to group in the window is rebuilt from
 * its answers (question and examples: the most thumbed-down, then most answered wordings) when it
 * has any there. Every marked gap gets `answered` from `answers` (`ats`: the distinct times of the
 * marks, in the order of `AnsweredQuestion.before`); the rest `answered: null`. Most thumbs-down
 * first, as the window's gaps.
 */
export function answeredGaps(
  gaps: readonly KnowledgeGap[],
  marks: readonly GapMark[],
  answers: readonly AnsweredQuestion[],
  ats: readonly number[],
): AnsweredGap[] {
  const out: AnsweredGap[] = gaps.map((g) => ({ ...g, answered: null }));
  const taken = new Map<AnsweredGap, GapMark>();
  const unmatched: GapMark[] = [];
  const byId = new Map(out.map((g) => [g.id, g]));
  for (const mark of marks) {
    const named = byId.get(mark.gap_id);
    const wanted = new Set(mark.keys);
    const gap =
      named && !taken.has(named) ? named : out.find((g) => !taken.has(g) && g.keys.some((k) => wanted.has(k)));
    if (gap) taken.set(gap, mark);
    else unmatched.push(mark);
  }

  const keyed = answers.map((a) => ({ a, key: questionKey(a.question, a.locale) }));
  const atIndex = new Map(ats.map((at, i) => [at, i]));
  const matching = (keys: Iterable<string>) => {
    const set = new Set(keys);
    return keyed.filter(({ key }) => set.has(key)).map(({ a }) => a);
  };
  const answeredOf = (mark: GapMark, rows: readonly AnsweredQuestion[]): GapAnswered => {
    const k = atIndex.get(mark.at) ?? -1;
    let total = 0;
    let totalDown = 0;
    let before = 0;
    let beforeDown = 0;
    const afterConversations = new Set<string>();
    let afterDowns = 0;
    for (const r of rows) {
      total += r.answers;
      totalDown += r.thumbs_down;
      before += r.before[k]?.answers ?? 0;
      beforeDown += r.before[k]?.thumbs_down ?? 0;
      for (const d of r.downs) {
        if (d.at < mark.at) continue;
        afterDowns++;
        afterConversations.add(d.conversation_id);
      }
    }
    const b = answerRate(before, beforeDown);
    const a = answerRate(total - before, totalDown - beforeDown);
    const verdict = gapVerdict(b, a);
    return {
      at: mark.at,
      source_id: mark.source_id || null,
      before: b,
      after: a,
      verdict,
      returned: verdict !== 'fixed' && afterDowns >= 2 && afterConversations.size >= 2,
    };
  };

  for (const [gap, mark] of taken) {
    gap.id = mark.gap_id;
    gap.keys = [...new Set([...gap.keys, ...mark.keys])];
    gap.answered = answeredOf(mark, matching(gap.keys));
  }
  for (const mark of unmatched) {
    const rows = matching(mark.keys);
    if (rows.length === 0) continue;
    const wordings = [...rows].sort(
      (x, y) =>
        y.thumbs_down - x.thumbs_down ||
        y.answers - x.answers ||
        (x.question < y.question ? -1 : x.question > y.question ? 1 : 0),
    );
    const examples = [...new Set(wordings.map((r) => r.question))].slice(0, EXAMPLES);
    const downs = rows.flatMap((r) => r.downs);
    out.push({
      id: mark.gap_id,
      question: examples[0]!,
      examples,
      thumbs_down: rows.reduce((n, r) => n + r.thumbs_down, 0),
      conversations: new Set(downs.map((d) => d.conversation_id)).size,
      last_seen: downs.length > 0 ? Math.max(...downs.map((d) => d.at)) : Math.max(...rows.map((r) => r.last_answer)),
      sources: [],
      keys: [...mark.keys],
      by_day: {},
      answered: answeredOf(mark, rows),
    });
  }
  return out.sort(
    (a, b) => b.thumbs_down - a.thumbs_down || b.last_seen - a.last_seen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
