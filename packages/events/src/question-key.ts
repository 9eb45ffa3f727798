// The key under which knowledge gaps treat two shopper questions as the same question
// (CONTRACT §9): lowercased, punctuation, stop words and filler dropped, contractions spelled out,
// each word stemmed in the question's language and a shop's synonyms keyed as one word
// (question-vocabulary.ts), and the stems sorted and de-duplicated so word order does not matter.
import snowball, { type Stemmer } from 'snowball-stemmers';
import stopwords from 'stopword';
import { VOCABULARIES, type Vocabulary } from './question-vocabulary.ts';

/** `stopword` list names of other languages, by primary subtag: lists without stemming. */
const OTHER_LISTS: Record<string, string> = {
  it: 'ita',
  nl: 'nld',
  pt: 'por',
  sv: 'swe',
  da: 'dan',
  nb: 'nob',
  no: 'nob',
  fi: 'fin',
  pl: 'pol',
  cs: 'ces',
  ru: 'rus',
  tr: 'tur',
};

interface Normalizer {
  stop: ReadonlySet<string>;
  /** Stems of the vocabulary's own filler: its other forms are filler too ("wanted", "wants"). */
  fillerStems: ReadonlySet<string>;
  stemmer: Stemmer | null;
  phrases: Vocabulary['phrases'];
  /** Folded stem → the folded stem of its synonym group's first word. */
  synonyms: ReadonlyMap<string, string>;
  /** Stems that say nothing more once a question holds one of `when`'s stems. */
  implied: readonly { when: ReadonlySet<string>; drop: ReadonlySet<string> }[];
  /** Word → its folded stem (after synonyms), or '' for a stop word. Words repeat a lot across questions. */
  words: Map<string, string>;
}

/** Most words remembered per language; the cache starts over when full. */
const WORD_CACHE = 50_000;

/** Without accents ("envío" → "envio"), so shoppers who type without them still match. */
const fold = (word: string) => (/^[\x00-\x7f]*$/.test(word) ? word : word.normalize('NFD').replace(/\p{M}+/gu, ''));

function normalizer(language: string): Normalizer {
  const known = VOCABULARIES[language];
  const listName = known?.list ?? OTHER_LISTS[language] ?? language;
  const keep = new Set((known?.keep ?? []).flatMap((w) => [w, fold(w)]));
  const words = [...(stopwords[listName] ?? []), ...(known?.drop ?? [])].filter((w) => !keep.has(w));
  // Shoppers often type without accents ("livraison gratuite a Paris", "envio"): both forms are stop words.
  const stop = new Set(words.flatMap((w) => [w, fold(w)]).filter((w) => !keep.has(w)));
  const stemmer = known?.stemmer ? snowball.newStemmer(known.stemmer) : null;
  const stemOf = (word: string) => fold(stemmer ? stemmer.stem(word) : word);
  const synonyms = new Map<string, string>();
  for (const [head, ...rest] of known?.synonyms ?? []) {
    const canonical = synonyms.get(stemOf(head!)) ?? stemOf(head!);
    for (const word of [head!, ...rest]) synonyms.set(stemOf(word), canonical);
  }
  const stems = (list: readonly string[]) => new Set(list.map((w) => synonyms.get(stemOf(w)) ?? stemOf(w)));
  const filler = (known?.drop ?? []).filter((w) => !keep.has(w));
  return {
    stop,
    fillerStems: new Set(filler.map(stemOf)),
    stemmer,
    phrases: known?.phrases ?? [],
    synonyms,
    implied: (known?.implied ?? []).map((i) => ({ when: stems(i.when), drop: stems(i.drop) })),
    words: new Map(),
  };
}

const normalizers = new Map<string, Normalizer>();
function normalizerFor(language: string): Normalizer {
  let n = normalizers.get(language);
  if (!n) {
    n = normalizer(language);
    // Bounded: one entry per language tag shape seen; locales are validated (≤ 8 letters).
    if (normalizers.size < 256) normalizers.set(language, n);
  }
  return n;
}

/** A locale's primary subtag, lowercased; English when it has none. */
export function questionLanguage(locale: string | null | undefined): string {
  const primary = (locale ?? '').split(/[-_]/)[0]?.toLowerCase() ?? '';
  return /^[a-z]{2,8}$/.test(primary) ? primary : 'en';
}

/**
 * The v1 rule, kept as the fallback for questions made only of stop words ("What is it?"):
 * lowercased, every run of characters other than letters and digits one space, trimmed.
 */
export function plainQuestionText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The key of a question asked in `locale` (primary subtag picks the language; none or an
 * unparsable one means English): the language's phrases replaced (contractions typed with or
 * without the apostrophe, synonyms of several words, greetings), stop words and filler dropped,
 * each other word's stem keyed as its synonym group's first word, words implied by others
 * dropped, and the rest sorted and de-duplicated, joined by one space (question-vocabulary.ts).
 * Languages other than en, de, fr and es drop the `stopword` library's list when it has one and
 * are not stemmed. A question of stop words only keys on `plainQuestionText` (after its phrases). `"Does this run true to size?"` and `"does it run true to size"` both
 * key `"run size true"`.
 */
export function questionKey(text: string, locale?: string | null): string {
  const language = questionLanguage(locale);
  const n = normalizerFor(language);
  let lower = text.toLowerCase();
  for (const [pattern, replacement] of n.phrases) lower = lower.replace(pattern, replacement);
  const stems = new Set<string>();
  for (const word of lower.split(/[^\p{L}\p{N}]+/u)) {
    if (word === '') continue;
    let stem = n.words.get(word);
    if (stem === undefined) {
      if (n.stop.has(word) || n.stop.has(fold(word))) stem = '';
      else {
        stem = fold(n.stemmer ? n.stemmer.stem(word) : word);
        stem = n.fillerStems.has(stem) ? '' : (n.synonyms.get(stem) ?? stem);
      }
      if (n.words.size >= WORD_CACHE) n.words.clear();
      n.words.set(word, stem);
    }
    if (stem !== '') stems.add(stem);
  }
  for (const { when, drop } of n.implied) {
    if ([...stems].some((s) => when.has(s))) for (const s of drop) stems.delete(s);
  }
  if (stems.size === 0) return plainQuestionText(lower);
  return [...stems].sort().join(' ');
}
