// Minimal types for the two untyped text libraries the question key uses (question-key.ts).

declare module 'snowball-stemmers' {
  /** A Snowball stemmer; `stem` expects one lowercased word. */
  export interface Stemmer {
    stem(word: string): string;
  }
  /** `name` is one of `algorithms()`: 'english', 'german', 'french', 'spanish'… */
  export function newStemmer(name: string): Stemmer;
  export function algorithms(): string[];
}

declare module 'stopword' {
  /** Lowercased stop words per language, keyed by ISO 639-3-like names (`eng`, `deu`, `fra`, `spa`…). */
  const lists: Record<string, readonly string[] | undefined>;
  export = lists;
}
