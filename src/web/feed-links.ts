import { html, type Html } from "./html.ts";
import { english, type Messages } from "../i18n/messages.ts";

/** Where a page's feeds live: the same path with `.atom` or `.rss`. */
export interface FeedRef {
  /** The feed's path without its extension, e.g. /photos/anna/feed */
  path: string;
  title: string;
}

/** The <link rel="alternate"> elements by which browsers and feed readers find a page's feeds. */
export function feedDiscovery(feeds: FeedRef[]): Html {
  return html`${feeds.map(
    (feed) => html`<link rel="alternate" type="application/atom+xml" title="${feed.title} (Atom)" href="${feed.path}.atom">
<link rel="alternate" type="application/rss+xml" title="${feed.title} (RSS)" href="${feed.path}.rss">
`,
  )}`;
}

/** A visible link to a page's first feed, for people rather than readers, in the page's language. */
export function feedLink(path: string, m: Messages = english()): Html {
  return html`<a href="${path}.atom" class="feed-link" type="application/atom+xml">${m.t("feeds.link")}</a>`;
}
