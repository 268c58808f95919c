import type { Tag } from "../photos/tags.ts";

/**
 * How text becomes search words, the same for SQLite and PostgreSQL because it happens here,
 * before either sees it: compatibility-decomposed (NFKD), accents and other marks removed,
 * lower-cased, split into runs of letters and digits. "Café Kraków!" → ["cafe", "krakow"].
 * The search tables hold only such words joined by spaces, so FTS5's unicode61 tokenizer and
 * PostgreSQL's `simple` configuration both see nothing but plain words and agree on them.
 *
 * Migration 0011_search holds a frozen copy of this for its backfill; a change here needs a
 * migration that rebuilds the search rows.
 */
export function searchWords(text: string): string[] {
  const folded = text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
  return (folded.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.slice(0, MAX_WORD_LENGTH));
}

/** Longer words are cut (PostgreSQL refuses lexemes over 2 KB; nobody searches for such words). */
const MAX_WORD_LENGTH = 100;

/** The searchable text of a photo, field by field, as stored in photo_search. */
export interface SearchDocument {
  title: string;
  description: string;
  tags: string;
  username: string;
}

/** Tags count by their words as typed ("Lake District" → lake, district) and as joined in URLs (lakedistrict). */
export function searchDocument(photo: { title: string; description: string; tags: Tag[]; username: string }): SearchDocument {
  const tagWords = new Set<string>();
  for (const t of photo.tags) for (const w of [...searchWords(t.raw), ...searchWords(t.tag)]) tagWords.add(w);
  return {
    title: searchWords(photo.title).join(" "),
    description: searchWords(photo.description).join(" "),
    tags: [...tagWords].join(" "),
    username: searchWords(photo.username).join(" "),
  };
}

/**
 * A photo's rows in `search_postings`: each word of its title at level 2, each word of its title
 * or tags at level 1. Relevance tiers 2 and 1 are "every query word has a posting at that level".
 */
export function searchPostings(doc: Pick<SearchDocument, "title" | "tags">): Array<{ word: string; level: 1 | 2 }> {
  const inTitle = new Set(doc.title.split(" ").filter(Boolean));
  const inTitleOrTags = new Set([...inTitle, ...doc.tags.split(" ").filter(Boolean)]);
  return [...[...inTitle].map((word) => ({ word, level: 2 as const })), ...[...inTitleOrTags].map((word) => ({ word, level: 1 as const }))];
}

/** A word of a query; `prefix` when it was typed with a trailing `*` (`lake*` finds lakes and lakeside). */
export interface QueryTerm {
  word: string;
  prefix: boolean;
}

/** At most this many words of a query count; the rest are ignored. */
export const MAX_QUERY_TERMS = 16;

/** The words of a query, every one of which must match. */
export function queryTerms(q: string): QueryTerm[] {
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  for (const chunk of q.split(/\s+/)) {
    const prefix = chunk.endsWith("*");
    const words = searchWords(chunk);
    words.forEach((word, i) => {
      const term = { word, prefix: prefix && i === words.length - 1 };
      const key = `${term.word}${term.prefix ? "*" : ""}`;
      if (!seen.has(key) && terms.length < MAX_QUERY_TERMS) {
        seen.add(key);
        terms.push(term);
      }
    });
  }
  return terms;
}
