// Source attribution (CONTRACT §11): what an assistant answer cites, as it is stored.

/** A cited source as stored: '' for an absent title or url. */
export interface Citation {
  id: string;
  title: string;
  url: string;
}

/**
 * The citations of an answer's `sources`, in the order sent, each id once (its first title
 * and url kept: retrieval often returns several chunks of one article, and the answer
 * still cites the article once).
 */
export function citations(sources: readonly { id: string; title?: string; url?: string }[] | undefined): Citation[] {
  if (!sources) return [];
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const s of sources) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    out.push({ id: s.id, title: s.title ?? '', url: s.url ?? '' });
  }
  return out;
}
