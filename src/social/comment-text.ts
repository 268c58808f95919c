/** Comment text: plain text where http(s) URLs become links and nothing else is markup. */

export const MAX_COMMENT_LENGTH = 5000;
export const MAX_COMMENT_LINKS = 5;

const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

export type CommentPart = { text: string } | { url: string };

/** Control characters other than newlines and tabs go; lines keep their breaks. */
export function cleanCommentText(value: string): string {
  return value.normalize("NFC").replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim();
}

/** The text split into plain runs and links; a URL's trailing punctuation stays text. */
export function splitLinks(text: string): CommentPart[] {
  const parts: CommentPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const url = match[0].replace(TRAILING, "");
    if (!isHttpUrl(url)) continue;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

export function countLinks(text: string): number {
  return splitLinks(text).filter((p) => "url" in p).length;
}

function isHttpUrl(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}
