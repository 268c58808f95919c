import type { PhotoSize, PhotoView } from "../photos/presenter.ts";
import { escapeHtml, html } from "../web/html.ts";
import { userText } from "../web/user-text.ts";

/** One item of a feed: a photo, or a comment on one. */
export interface FeedItem {
  /** A permanent IRI: the page the item is about. */
  id: string;
  title: string;
  link: string;
  published: string;
  updated: string;
  author: { name: string; uri: string };
  /** The item as HTML, escaped once more by the XML. */
  html: string;
  /** Plain text for Media RSS. */
  text: string;
  categories: Array<{ term: string; label: string; scheme: string }>;
  media: { content: PhotoSize; thumbnail: PhotoSize; credit: string; license: { name: string; url: string | null } } | null;
  /** Only where an anonymous visitor may see the location. */
  point: { latitude: number; longitude: number } | null;
}

export interface Feed {
  title: string;
  subtitle: string;
  /** The HTML page the feed follows, absolute. */
  pageUrl: string;
  /** The feed's own absolute URL without its extension. */
  selfUrl: string;
  author: { name: string; uri: string } | null;
  items: FeedItem[];
  /** When nothing is in the feed, its updated time. */
  emptyUpdated: string;
}

/** Escaped for XML, without the characters XML 1.0 cannot carry even escaped. */
function x(text: string): string {
  return escapeHtml(text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "").replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, ""));
}

function largest(sizes: PhotoSize[], maxLongest: number): PhotoSize | undefined {
  const jpegs = sizes.filter((s) => s.format === "jpeg" && !s.name.startsWith("sq"));
  const fitting = jpegs.filter((s) => Math.max(s.width, s.height) <= maxLongest);
  return fitting[fitting.length - 1] ?? jpegs[0];
}

/** A photo as a feed item: the picture linked to its page, its description, its author. */
export function photoItem(photo: PhotoView, baseUrl: string): FeedItem {
  const content = largest(photo.sizes, 1024);
  const thumbnail = largest(photo.sizes, 240);
  const authorUri = `${baseUrl}/photos/${photo.owner.username}`;
  const title = photo.title || "Untitled";
  const body = html`<p><a href="${photo.pageUrl}">${content ? html`<img src="${content.url}" width="${content.width}" height="${content.height}" alt="${title}">` : title}</a></p>
${photo.description ? html`<p>${userText(photo.description)}</p>` : null}
<p>By <a href="${authorUri}">${photo.owner.username}</a>${photo.license.url ? html`, <a href="${photo.license.url}" rel="license">${photo.license.name}</a>` : html`, ${photo.license.name}`}</p>`;
  return {
    id: photo.pageUrl,
    title,
    link: photo.pageUrl,
    published: photo.uploadedAt,
    updated: photo.uploadedAt,
    author: { name: photo.owner.username, uri: authorUri },
    html: body.value,
    text: photo.description,
    categories: photo.tags.map((label, i) => ({ term: photo.tagKeys[i] ?? label, label, scheme: `${baseUrl}/photos/tags/` })),
    media: content && thumbnail ? { content, thumbnail, credit: photo.owner.username, license: photo.license } : null,
    point: photo.location ? { latitude: photo.location.latitude, longitude: photo.location.longitude } : null,
  };
}

/** A comment as a feed item, linked to its place on the photo page. */
export function commentItem(comment: { id: number; photoId: number; authorUsername: string; photoOwnerUsername: string; photoTitle: string; body: string; createdAt: number; updatedAt: number }, baseUrl: string): FeedItem {
  const photoUrl = `${baseUrl}/photos/${comment.photoOwnerUsername}/${comment.photoId}`;
  const authorUri = `${baseUrl}/photos/${comment.authorUsername}`;
  const photoTitle = comment.photoTitle || "Untitled";
  return {
    id: `${photoUrl}#comment-${comment.id}`,
    title: `${comment.authorUsername} on “${photoTitle}”`,
    link: `${photoUrl}#comment-${comment.id}`,
    published: new Date(comment.createdAt).toISOString(),
    updated: new Date(comment.updatedAt).toISOString(),
    author: { name: comment.authorUsername, uri: authorUri },
    html: html`<p><a href="${authorUri}">${comment.authorUsername}</a> commented on <a href="${photoUrl}">${photoTitle}</a>:</p><p>${userText(comment.body)}</p>`.value,
    text: comment.body,
    categories: [],
    media: null,
    point: null,
  };
}

function updatedOf(feed: Feed): string {
  return feed.items.reduce((latest, item) => (item.updated > latest ? item.updated : latest), feed.items.length ? "" : feed.emptyUpdated);
}

function mediaElements(item: FeedItem): string {
  if (!item.media) return "";
  const { content, thumbnail, credit, license } = item.media;
  return `
    <media:content url="${x(content.url)}" type="image/jpeg" medium="image" width="${content.width}" height="${content.height}"/>
    <media:thumbnail url="${x(thumbnail.url)}" width="${thumbnail.width}" height="${thumbnail.height}"/>
    <media:title type="plain">${x(item.title)}</media:title>${item.text ? `\n    <media:description type="plain">${x(item.text)}</media:description>` : ""}
    <media:credit role="photographer">${x(credit)}</media:credit>${license.url ? `\n    <media:license type="text/html" href="${x(license.url)}">${x(license.name)}</media:license>` : ""}${item.categories.length ? `\n    <media:keywords>${x(item.categories.map((c) => c.label).join(", "))}</media:keywords>` : ""}`;
}

function point(item: FeedItem): string {
  return item.point ? `\n    <georss:point>${item.point.latitude} ${item.point.longitude}</georss:point>` : "";
}

const NAMESPACES = `xmlns:media="http://search.yahoo.com/mrss/" xmlns:georss="http://www.georss.org/georss"`;

/** Atom 1.0 (RFC 4287) with Media RSS and GeoRSS Simple. */
export function atomFeed(feed: Feed): string {
  const entries = feed.items.map(
    (item) => `  <entry>
    <title>${x(item.title)}</title>
    <id>${x(item.id)}</id>
    <link rel="alternate" type="text/html" href="${x(item.link)}"/>${item.media ? `\n    <link rel="enclosure" type="image/jpeg" href="${x(item.media.content.url)}"/>` : ""}
    <published>${item.published}</published>
    <updated>${item.updated}</updated>
    <author><name>${x(item.author.name)}</name><uri>${x(item.author.uri)}</uri></author>${item.categories.map((c) => `\n    <category term="${x(c.term)}" label="${x(c.label)}" scheme="${x(c.scheme)}"/>`).join("")}
    <content type="html">${x(item.html)}</content>${mediaElements(item)}${point(item)}
  </entry>
`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" ${NAMESPACES}>
  <title>${x(feed.title)}</title>
  <subtitle>${x(feed.subtitle)}</subtitle>
  <id>${x(`${feed.selfUrl}.atom`)}</id>
  <link rel="self" type="application/atom+xml" href="${x(`${feed.selfUrl}.atom`)}"/>
  <link rel="alternate" type="text/html" href="${x(feed.pageUrl)}"/>
  <updated>${updatedOf(feed)}</updated>${feed.author ? `\n  <author><name>${x(feed.author.name)}</name><uri>${x(feed.author.uri)}</uri></author>` : ""}
  <generator>Pinhole</generator>
${entries.join("")}</feed>
`;
}

/** RFC 822 dates, as RSS 2.0 wants them. */
function rfc822(iso: string): string {
  return new Date(iso).toUTCString();
}

/** RSS 2.0 with Media RSS and GeoRSS Simple; the author as dc:creator, since RSS's own wants an e-mail address. */
export function rssFeed(feed: Feed): string {
  const items = feed.items.map(
    (item) => `    <item>
      <title>${x(item.title)}</title>
      <link>${x(item.link)}</link>
      <guid isPermaLink="true">${x(item.id)}</guid>
      <pubDate>${rfc822(item.published)}</pubDate>
      <dc:creator>${x(item.author.name)}</dc:creator>${item.categories.map((c) => `\n      <category domain="${x(c.scheme)}">${x(c.term)}</category>`).join("")}
      <description>${x(item.html)}</description>${mediaElements(item).replaceAll("\n    ", "\n      ")}${point(item).replaceAll("\n    ", "\n      ")}
    </item>
`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" ${NAMESPACES}>
  <channel>
    <title>${x(feed.title)}</title>
    <link>${x(feed.pageUrl)}</link>
    <description>${x(feed.subtitle)}</description>
    <atom:link rel="self" type="application/rss+xml" href="${x(`${feed.selfUrl}.rss`)}"/>
    <lastBuildDate>${rfc822(updatedOf(feed))}</lastBuildDate>
    <generator>Pinhole</generator>
${items.join("")}  </channel>
</rss>
`;
}

