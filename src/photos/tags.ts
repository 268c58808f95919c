export interface Tag {
  /** As the member typed it, shown on the photo page. */
  raw: string;
  /** Lower-case, without spaces or punctuation: the form used in URLs and to match ("Lake District" → "lakedistrict"). */
  tag: string;
}

export const MAX_TAGS = 75;
const MAX_TAG_LENGTH = 100;

export function normalizeTag(raw: string): string {
  return raw.normalize("NFC").toLowerCase().replace(/[\p{P}\p{S}\p{Z}\p{C}]/gu, (c) => (/\p{So}/u.test(c) ? c : "")).slice(0, MAX_TAG_LENGTH);
}

function cleanRaw(raw: string): string {
  return raw.normalize("NFC").replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === "\u200d" ? c : "")).replace(/\s+/g, " ").trim().slice(0, MAX_TAG_LENGTH);
}

/** Flickr's tag syntax: space-separated words, "quoted phrases" kept whole, duplicates dropped. */
export function parseTags(input: string): Tag[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  for (let match = pattern.exec(input); match; match = pattern.exec(input)) words.push(match[1] ?? match[2] ?? "");
  return uniqueTags(words);
}

export function uniqueTags(words: Iterable<string>): Tag[] {
  const seen = new Set<string>();
  const tags: Tag[] = [];
  for (const word of words) {
    const raw = cleanRaw(word);
    const tag = normalizeTag(raw);
    if (!tag || seen.has(tag)) continue;
    seen.add(tag);
    tags.push({ raw, tag });
    if (tags.length === MAX_TAGS) break;
  }
  return tags;
}

/** The inverse of parseTags, for edit forms. */
export function formatTags(raws: string[]): string {
  return raws.map((raw) => (/\s/.test(raw) ? `"${raw}"` : raw)).join(" ");
}
