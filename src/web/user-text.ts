import { html, type Html } from "./html.ts";

/**
 * Text members write (comments, discussions, group descriptions): plain text in which http(s)
 * addresses become links and nothing else is markup.
 */

const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

export type TextPart = { text: string } | { url: string };

/** The text split into plain runs and links; a URL's closing punctuation belongs to the sentence. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
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

/**
 * As HTML: escaped, line breaks kept, addresses made links that search engines do not credit
 * (rel="nofollow ugc") and that cannot reach back to this page (noopener).
 */
export function userText(text: string): Html {
  const lines = (value: string) => value.split(/\r?\n/).map((line, i) => (i === 0 ? html`${line}` : html`<br>${line}`));
  return html`${splitLinks(text).map((part) => ("url" in part ? html`<a href="${part.url}" rel="nofollow ugc noopener">${part.url}</a>` : lines(part.text)))}`;
}

function isHttpUrl(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}
