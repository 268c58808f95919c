import { defineMessages } from "./domain.ts";

/** The visible link to a page's feed (web/feed-links.ts); the feeds themselves carry members' words only. */
export const feedsMessages = defineMessages({
  en: { "feeds.link": "Feed" },
  ar: { "feeds.link": "الخلاصة" },
  de: { "feeds.link": "Feed" },
  es: { "feeds.link": "Feed" },
  fr: { "feeds.link": "Flux" },
  ja: { "feeds.link": "フィード" },
});
