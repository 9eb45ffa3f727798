// The key under which knowledge gaps treat two shopper questions as the same question
// (CONTRACT §9): lowercased, punctuation and stop words dropped, each word stemmed in the
// question's language, and the stems sorted and de-duplicated so word order does not matter.
import snowball, { type Stemmer } from 'snowball-stemmers';
import stopwords from 'stopword';

interface Language {
  /** Snowball algorithm, or none: such words are compared as written. */
  stemmer?: string;
  /** The `stopword` library's list. */
  list: string;
  /**
   * Words of the library's list kept because they change what a shopper asks: negations,
   * sizes and comparisons, quantities, before/after. ("Does this run small?" must not
   * become "Does this run?")
   */
  keep: readonly string[];
  /** Question filler the library's list misses (auxiliaries, greetings, chat shorthand). */
  drop: readonly string[];
}

/** Languages with a stemmer and a reviewed stop-word list, by primary subtag. */
const LANGUAGES: Record<string, Language> = {
  en: {
    stemmer: 'english',
    list: 'eng',
    keep: ['after', 'before', 'between', 'more', 'most', 'never', 'only', 'over', 'same', 'under', 'up'],
    drop: ['does', 'doing', 'will', 'please', 'pls', 'plz', 'u', 'ur', 'hi', 'hello', 'hey', 'thanks', 'thank'],
  },
  de: {
    stemmer: 'german',
    list: 'deu',
    keep: [
      ...['nicht', 'nichts', 'nie', 'kein', 'keine', 'keinem', 'keinen', 'keiner', 'keines', 'ohne', 'nein'],
      ...['klein', 'kleine', 'kleinen', 'kleiner', 'kleines', 'gross', 'grosse', 'grossen', 'grosser', 'grosses'],
      ...['groß', 'große', 'großen', 'großer', 'großes', 'kurz', 'lang', 'lange', 'leicht', 'weit'],
      ...['mehr', 'weniger', 'wenig', 'neue', 'neuen', 'früher', 'später', 'heute', 'morgen', 'zurück', 'statt'],
      ...['eins', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun', 'zehn', 'elf', 'zwölf'],
      ...['tag', 'tage', 'tagen', 'uhr', 'zeit', 'jahr', 'jahre', 'jahren', 'teil', 'ende'],
    ],
    drop: ['bitte', 'hallo', 'hi', 'danke', 'gibt', 'gibts'],
  },
  fr: {
    stemmer: 'french',
    list: 'fra',
    keep: ['pas', 'sans', 'plus'],
    drop: ['bonjour', 'salut', 'merci', 'svp', 'stp', 'peut', 'peux', 'peuvent', 'pouvez', 'puis'],
  },
  es: {
    stemmer: 'spanish',
    list: 'spa',
    keep: ['no', 'ni', 'sin', 'más', 'poco'],
    drop: [
      ...['es', 'está', 'están', 'son', 'hay', 'tiene', 'tienen', 'hace', 'hacen', 'puedo', 'puede', 'pueden'],
      ...['hola', 'gracias', 'favor', 'este', 'esta', 'esto'],
    ],
  },
};

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
  stemmer: Stemmer | null;
  /** Word → its folded stem, or '' for a stop word. Words repeat a lot across questions. */
  words: Map<string, string>;
}

/** Most words remembered per language; the cache starts over when full. */
const WORD_CACHE = 50_000;

/** Without accents ("envío" → "envio"), so shoppers who type without them still match. */
const fold = (word: string) => (/^[\x00-\x7f]*$/.test(word) ? word : word.normalize('NFD').replace(/\p{M}+/gu, ''));

function normalizer(language: string): Normalizer {
  const known = LANGUAGES[language];
  const listName = known?.list ?? OTHER_LISTS[language] ?? language;
  const keep = new Set((known?.keep ?? []).flatMap((w) => [w, fold(w)]));
  const words = [...(stopwords[listName] ?? []), ...(known?.drop ?? [])].filter((w) => !keep.has(w));
  // Shoppers often type without accents ("livraison gratuite a Paris", "envio"): both forms are stop words.
  const stop = new Set(words.flatMap((w) => [w, fold(w)]).filter((w) => !keep.has(w)));
  return { stop, stemmer: known?.stemmer ? snowball.newStemmer(known.stemmer) : null, words: new Map() };
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

/** English contractions carry negations ("doesn't"): spell them out before splitting on the apostrophe. */
const expandEnglish = (text: string) =>
  text
    .replace(/\bcan['’]t\b/g, 'can not')
    .replace(/\bwon['’]t\b/g, 'will not')
    .replace(/n['’]t\b/g, ' not');

/**
 * The key of a question asked in `locale` (primary subtag picks the language; none or an
 * unparsable one means English): its content words' stems, sorted and de-duplicated, joined
 * by one space. Languages other than en, de, fr and es drop the `stopword` library's list
 * when it has one and are not stemmed. A question of stop words only keys on
 * `plainQuestionText`. `"Does this run true to size?"` and `"does it run true to size"` both
 * key `"run size true"`.
 */
export function questionKey(text: string, locale?: string | null): string {
  const language = questionLanguage(locale);
  const n = normalizerFor(language);
  let lower = text.toLowerCase();
  if (language === 'en') lower = expandEnglish(lower);
  const stems = new Set<string>();
  for (const word of lower.split(/[^\p{L}\p{N}]+/u)) {
    if (word === '') continue;
    let stem = n.words.get(word);
    if (stem === undefined) {
      stem = n.stop.has(word) || n.stop.has(fold(word)) ? '' : fold(n.stemmer ? n.stemmer.stem(word) : word);
      if (n.words.size >= WORD_CACHE) n.words.clear();
      n.words.set(word, stem);
    }
    if (stem !== '') stems.add(stem);
  }
  if (stems.size === 0) return plainQuestionText(text);
  return [...stems].sort().join(' ');
}
