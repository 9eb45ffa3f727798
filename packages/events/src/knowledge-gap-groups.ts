// Knowledge gaps (CONTRACT §4, §9): the thumbed-down answers' questions grouped by their
// question key, with near-identical keys (typos, shorthand) joined, then counted and ranked.
import { createHash } from 'node:crypto';
import { questionKey } from './question-key.ts';

/** One shopper question in one conversation whose answer(s) hold a counted thumb-down. */
export interface AskedQuestion {
  /** The original text. */
  question: string;
  /** The conversation's locale ('' for none): its language picks stemming and stop words. */
  locale: string;
  conversation_id: string;
  /** Thumbed-down answers to this text in this conversation. */
  thumbs_down: number;
  /** Epoch ms of the latest of those thumbs-down. */
  last_seen: number;
  /** What those answers cited: one entry per answer and source (CONTRACT §11). */
  citations?: readonly GapCitation[];
  /** The local day (YYYY-MM-DD) of each of those thumbs-down. */
  days?: readonly string[];
}

/** A source cited by one thumbed-down answer, as stored ('' for an absent title or url). */
export interface GapCitation {
  source_id: string;
  title: string;
  url: string;
  /** The citing answer and the epoch ms of its message.created: the latest citation names the source. */
  answer: string;
  answered_at: number;
}

/** A source cited by a gap's thumbed-down answers. */
export interface GapSource {
  source_id: string;
  title: string;
  url: string;
  /** The group's thumbed-down answers citing it. */
  thumbs_down: number;
}

/** A group of similar shopper questions whose answers were thumbed down. */
export interface KnowledgeGap {
  /** Hex hash of the group's question key; new rewordings joining the group keep it. */
  id: string;
  /** The group's most frequent original question text. */
  question: string;
  /** Up to 5 distinct original texts, most frequent first. */
  examples: string[];
  thumbs_down: number;
  conversations: number;
  /** Epoch ms of the latest counted thumb-down. */
  last_seen: number;
  /** Sources of the group's thumbed-down answers, most thumbs-down first (at most GAP_SOURCES). */
  sources: GapSource[];
  /**
   * The group's question keys, most thumbs-down first (at most GAP_KEYS): what an answered mark
   * keeps, so the gap's questions are found again in any window (knowledge-gap-answers.ts).
   */
  keys: string[];
  /** Thumbs-down by local day (YYYY-MM-DD), for the gap's trend. */
  by_day: Record<string, number>;
}

/** Most question keys kept per gap. */
export const GAP_KEYS = 50;

/** Most sources listed per gap. */
export const GAP_SOURCES = 10;

export interface GapOptions {
  /** Two keys closer than this (trigram distance, 0–1) are near-duplicates. */
  similarity: number;
  /** Most distinct keys (by thumbs-down) compared with each other; the rest join by equal keys only. */
  candidates: number;
  /** Most groups returned. */
  limit: number;
}

/** Characters of a key compared for near-duplicates, so one long question costs little. */
const COMPARED_CHARS = 256;

/** Trigrams of codepoints with their counts, as ClickHouse's `ngramDistanceUTF8` counts them. */
function trigrams(text: string): Map<string, number> {
  const chars = [...text].slice(0, COMPARED_CHARS);
  const grams = new Map<string, number>();
  for (let i = 0; i + 3 <= chars.length; i++) {
    const g = chars[i]! + chars[i + 1]! + chars[i + 2]!;
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/**
 * For each candidate key (`ranked`: most thumbs-down first, ties by key), the key of its group:
 * its most thumbed-down near-duplicate or itself. One hop, so a chain of small edits never
 * merges unrelated questions. Two keys are near-duplicates when they have as many words and
 * differ in one word only (a typo changes a word; it does not add one such as "without" or
 * "not"), that word is not a number ("size 38" is no typo of "size 39") and starts with the same
 * letter, the two words are one edit apart (two for words of 8 letters or more: an insertion, a
 * deletion, a substitution or two neighbours swapped; "schweiz"/"schwed" are not) or one starts with
 * the other's 4 or more letters (a form the stemmer missed: "taill"/"taillent"), and the keys'
 * trigram distance, sum |a − b| over trigram counts / (|A| + |B|), is below `similarity`. Keys are bucketed by "the other words + that first letter", so only keys of
 * one bucket are compared and the cost stays linear in practice.
 */
function linkNearDuplicates(ranked: readonly { key: string }[], similarity: number): Map<string, string> {
  const buckets = new Map<string, number[]>();
  ranked.forEach(({ key }, i) => {
    const words = key.split(' ');
    words.forEach((word, w) => {
      if (/\p{N}/u.test(word)) return;
      const rest = words.filter((_, x) => x !== w).join(' ');
      const bucket = `${words.length}|${rest}|${[...word][0] ?? ''}`;
      const members = buckets.get(bucket);
      if (members) members.push(i);
      else buckets.set(bucket, [i]);
    });
  });
  const grams = new Map<number, Map<string, number>>();
  const gramsOf = (i: number) => {
    let g = grams.get(i);
    if (!g) grams.set(i, (g = trigrams(ranked[i]!.key)));
    return g;
  };
  // `ranked` is sorted best first, so the better of two keys is the one with the smaller index.
  const head = ranked.map((_, i) => i);
  for (const members of buckets.values()) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const [i, j] = [members[x]!, members[y]!];
        if (distance(gramsOf(i), gramsOf(j)) >= similarity || !oneTypoApart(ranked[i]!.key, ranked[j]!.key)) continue;
        head[i] = Math.min(head[i]!, j);
        head[j] = Math.min(head[j]!, i);
      }
    }
  }
  return new Map(ranked.map((k, i) => [k.key, ranked[head[i]!]!.key]));
}

/** True when the one word in which two keys of a bucket differ is a typo of the other (see linkNearDuplicates). */
function oneTypoApart(a: string, b: string): boolean {
  const wa = a.split(' ');
  const wb = new Set(b.split(' '));
  const x = wa.find((w) => !wb.has(w));
  const y = [...wb].find((w) => !wa.includes(w));
  if (x === undefined || y === undefined) return false;
  const [short, long] = [...x].length <= [...y].length ? [[...x], [...y]] : [[...y], [...x]];
  if (short.length >= 4 && long.slice(0, short.length).join('') === short.join('')) return true;
  return editDistance(short, long) <= (short.length >= 8 ? 2 : 1);
}

/** Optimal string alignment distance (Levenshtein with adjacent swaps) between two words' codepoints. */
function editDistance(a: string[], b: string[]): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i + j));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Trigram distance as ClickHouse's `ngramDistanceUTF8`: 1 when either has no trigram. */
function distance(a: Map<string, number>, b: Map<string, number>): number {
  let total = 0;
  let common = 0;
  for (const [g, n] of a) {
    total += n;
    common += Math.min(n, b.get(g) ?? 0);
  }
  for (const n of b.values()) total += n;
  return total === 0 || a.size === 0 || b.size === 0 ? 1 : (total - 2 * common) / total;
}

/**
 * Counts one citation: one thumb-down for its source; the title and url are those of the latest
 * citing answer (greatest message.created ts, then message_id, as in the sources ranking).
 */
function tally(sources: Map<string, GapSource & { at: [number, string] }>, c: GapCitation): void {
  const at: [number, string] = [c.answered_at, c.answer];
  const s = sources.get(c.source_id);
  if (!s) {
    sources.set(c.source_id, { source_id: c.source_id, title: c.title, url: c.url, thumbs_down: 1, at });
    return;
  }
  s.thumbs_down++;
  if (at[0] > s.at[0] || (at[0] === s.at[0] && at[1] > s.at[1])) Object.assign(s, { title: c.title, url: c.url, at });
}

/** The group's id: stable for a key, so it survives new wordings and new rows. */
const gapId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/**
 * Groups asked questions into knowledge gaps: equal question keys (questionKey in the
 * conversation's language) form one group, and among the `candidates` most thumbed-down keys
 * near-duplicates join (typos, shorthand). A group is shown with ≥ 2 thumbs-down in ≥ 2
 * conversations; most thumbs-down first, then latest thumb-down, then id; at most `limit`.
 * `question` and `examples` are the most frequent original texts (ties: latest, then text).
 */
export function groupQuestions(asked: readonly AskedQuestion[], options: GapOptions): KnowledgeGap[] {
  const keyOf = new Map<string, string>();
  const keyFor = (a: AskedQuestion) => {
    const cacheKey = `${a.locale}\u0000${a.question}`;
    let key = keyOf.get(cacheKey);
    if (key === undefined) keyOf.set(cacheKey, (key = questionKey(a.question, a.locale)));
    return key;
  };
  const keys = asked.map(keyFor);

  const thumbsByKey = new Map<string, number>();
  asked.forEach((a, i) => thumbsByKey.set(keys[i]!, (thumbsByKey.get(keys[i]!) ?? 0) + a.thumbs_down));
  const ranked = [...thumbsByKey]
    .map(([key, thumbs]) => ({ key, thumbs }))
    .sort((a, b) => b.thumbs - a.thumbs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, options.candidates);
  const linked = linkNearDuplicates(ranked, options.similarity);

  const groups = new Map<
    string,
    {
      thumbs: number;
      last: number;
      conversations: Set<string>;
      wordings: Map<string, { n: number; last: number }>;
      sources: Map<string, GapSource & { at: [number, string] }>;
      keys: Set<string>;
      days: Map<string, number>;
    }
  >();
  asked.forEach((a, i) => {
    const key = linked.get(keys[i]!) ?? keys[i]!;
    let g = groups.get(key);
    if (!g) {
      groups.set(
        key,
        (g = {
          thumbs: 0,
          last: 0,
          conversations: new Set(),
          wordings: new Map(),
          sources: new Map(),
          keys: new Set(),
          days: new Map(),
        }),
      );
    }
    g.keys.add(keys[i]!);
    for (const day of a.days ?? []) g.days.set(day, (g.days.get(day) ?? 0) + 1);
    g.thumbs += a.thumbs_down;
    g.last = Math.max(g.last, a.last_seen);
    g.conversations.add(a.conversation_id);
    const w = g.wordings.get(a.question) ?? { n: 0, last: 0 };
    w.n += a.thumbs_down;
    w.last = Math.max(w.last, a.last_seen);
    g.wordings.set(a.question, w);
    for (const c of a.citations ?? []) tally(g.sources, c);
  });

  const gaps: KnowledgeGap[] = [];
  for (const [key, g] of groups) {
    if (g.thumbs < 2 || g.conversations.size < 2) continue;
    const examples = [...g.wordings]
      .sort(([ta, a], [tb, b]) => b.n - a.n || b.last - a.last || (ta < tb ? -1 : ta > tb ? 1 : 0))
      .slice(0, 5)
      .map(([text]) => text);
    gaps.push({
      id: gapId(key),
      question: examples[0]!,
      examples,
      thumbs_down: g.thumbs,
      conversations: g.conversations.size,
      last_seen: g.last,
      sources: [...g.sources.values()]
        .sort((x, y) => y.thumbs_down - x.thumbs_down || (x.source_id < y.source_id ? -1 : 1))
        .slice(0, GAP_SOURCES)
        .map(({ at: _at, ...source }) => source),
      keys: [...g.keys]
        .sort((a, b) => (thumbsByKey.get(b) ?? 0) - (thumbsByKey.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, GAP_KEYS),
      by_day: Object.fromEntries([...g.days].sort(([a], [b]) => (a < b ? -1 : 1))),
    });
  }
  return gaps
    .sort((a, b) => b.thumbs_down - a.thumbs_down || b.last_seen - a.last_seen || (a.id < b.id ? -1 : 1))
    .slice(0, options.limit);
}
