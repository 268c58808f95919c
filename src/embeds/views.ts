import type { PhotoView } from "../photos/presenter.ts";
import { escapeHtml, html, raw, type Html } from "../web/html.ts";
import { english, type Messages } from "../i18n/messages.ts";
import type { OEmbedPhoto } from "./service.ts";
import { bestFit, isOpenToEveryone, wholeJpegSizes } from "./sizes.ts";

/** oEmbed's XML form (section 2.3.4): one element per field, in an <oembed> root. */
export function oembedXml(answer: OEmbedPhoto): string {
  const fields = Object.entries(answer)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `  <${key}>${escapeHtml(String(value))}</${key}>`)
    .join("\n");
  return `<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<oembed>\n${fields}\n</oembed>\n`;
}

/** JSON inside <script>: "<" escaped, so no "</script>" in a title can end the element. */
function jsonScript(value: unknown): Html {
  return raw(`<script type="application/ld+json">${JSON.stringify(value).replace(/</g, "\\u003c")}</script>`);
}

/**
 * What link previews read (OpenGraph, Twitter cards), schema.org's description of the photo, and
 * where oEmbed consumers find it. Only for photos anyone may see; the caller checks.
 */
export function photoPreviewHead(photo: PhotoView, baseUrl: string): Html {
  const image = bestFit(photo, 2048, 2048);
  const title = photo.title || "Untitled";
  const description = photo.description.slice(0, 300) || `A photo by ${photo.owner.username} on Pinhole`;
  const oembed = (format: "json" | "xml") => `${baseUrl}/services/oembed?url=${encodeURIComponent(photo.pageUrl)}&format=${format}`;
  const authorUrl = `${baseUrl}/photos/${photo.owner.username}`;
  const thumbnail = bestFit(photo, 240, 240);
  const structured = {
    "@context": "https://schema.org",
    "@type": "Photograph",
    name: title,
    description: photo.description || undefined,
    url: photo.pageUrl,
    author: { "@type": "Person", name: photo.owner.username, url: authorUrl },
    creator: { "@type": "Person", name: photo.owner.username, url: authorUrl },
    dateCreated: photo.takenAt ?? undefined,
    datePublished: photo.uploadedAt,
    keywords: photo.tags.length ? photo.tags.join(", ") : undefined,
    license: photo.license.url ?? undefined,
    // The viewer may be the owner, who sees a location kept from everyone else.
    contentLocation: photo.location?.visibility === "everyone" ? { "@type": "Place", geo: { "@type": "GeoCoordinates", latitude: photo.location.latitude, longitude: photo.location.longitude } } : undefined,
    image: image ? { "@type": "ImageObject", contentUrl: image.url, width: image.width, height: image.height, thumbnailUrl: thumbnail?.url, encodingFormat: "image/jpeg" } : undefined,
  };
  return html`<meta property="og:site_name" content="Pinhole">
<meta property="og:type" content="article">
<meta property="og:title" content="${title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${photo.pageUrl}">
${image ? html`<meta property="og:image" content="${image.url}">
<meta property="og:image:type" content="image/jpeg">
<meta property="og:image:width" content="${image.width}">
<meta property="og:image:height" content="${image.height}">
<meta property="og:image:alt" content="${title}">` : null}
<meta property="article:author" content="${authorUrl}">
<meta property="article:published_time" content="${photo.uploadedAt}">
${photo.tags.map((tag) => html`<meta property="article:tag" content="${tag}">`)}
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="${title}">
<meta name="twitter:description" content="${description}">
${image ? html`<meta name="twitter:image" content="${image.url}"><meta name="twitter:image:alt" content="${title}">` : null}
<link rel="alternate" type="application/json+oembed" href="${oembed("json")}" title="${title}">
<link rel="alternate" type="text/xml+oembed" href="${oembed("xml")}" title="${title}">
${jsonScript(structured)}`;
}

/**
 * Ready-made snippets for blogs and forums, and the URL of every size the viewer was given. The
 * snippets' words ("by", "Untitled") are in the member's language too: they paste them into
 * their own pages.
 */
export function sharePanel(photo: PhotoView, openToEveryone: boolean, m: Messages = english()): Html {
  const image = bestFit(photo, 1024, 1024);
  if (!image) return html``;
  const title = photo.title || m.t("photo.untitled");
  const byline = m.t("embeds.byline", { title, username: photo.owner.username });
  const streamUrl = photo.pageUrl.replace(/\/[0-9]+$/, "");
  const bbcodeByline = m.t("embeds.byline", { title: `[url=${photo.pageUrl}]${title}[/url]`, username: `[url=${streamUrl}]${photo.owner.username}[/url]` });
  const snippets: Array<[string, string, string]> = [
    ["share-html", "HTML", `<a href="${escapeHtml(photo.pageUrl)}" title="${escapeHtml(byline)}"><img src="${escapeHtml(image.url)}" width="${image.width}" height="${image.height}" alt="${escapeHtml(title)}"></a>`],
    ["share-bbcode", "BBCode", `[url=${photo.pageUrl}][img]${image.url}[/img][/url]\n${bbcodeByline}`],
    ["share-markdown", "Markdown", `[![${title.replace(/[[\]]/g, "\\$&")}](${image.url})](${photo.pageUrl})`],
  ];
  const sizes = [...wholeJpegSizes(photo), ...photo.sizes.filter((s) => s.format !== "jpeg" || s.name.startsWith("sq"))];
  const sizeName = (s: PhotoView["sizes"][number]) =>
    m.t(s.name.startsWith("sq") ? "embeds.squareSize" : "embeds.size", { width: s.width, height: s.height, format: s.format === "jpeg" ? "JPEG" : s.format.toUpperCase() });
  return html`<details class="share" id="share">
<summary>${m.t("embeds.share")}</summary>
${openToEveryone ? null : html`<p class="message">${m.t("embeds.notOpenToEveryone")}</p>`}
${snippets.map(([id, label, text]) => html`<label for="${id}">${label}</label><textarea id="${id}" readonly rows="3">${text}</textarea>`)}
<h3>${m.t("embeds.everySize")}</h3>
<ul class="share-sizes">${sizes.map((s) => html`<li><a href="${s.url}">${sizeName(s)}</a></li>`)}</ul>
</details>`;
}

/** Link previews and schema.org data for a member's photostream, pictured by their newest photo anyone may see. */
export function memberPreviewHead(username: string, photos: PhotoView[], baseUrl: string): Html {
  const url = `${baseUrl}/photos/${username}`;
  const cover = photos.find(isOpenToEveryone);
  const image = cover ? bestFit(cover, 2048, 2048) : undefined;
  const structured = {
    "@context": "https://schema.org",
    "@type": "ProfilePage",
    url,
    name: `${username}'s photostream`,
    mainEntity: { "@type": "Person", name: username, alternateName: username, url },
    primaryImageOfPage: image ? { "@type": "ImageObject", contentUrl: image.url, width: image.width, height: image.height } : undefined,
  };
  return html`<meta property="og:site_name" content="Pinhole">
<meta property="og:type" content="profile">
<meta property="profile:username" content="${username}">
<meta property="og:title" content="${username}'s photostream">
<meta property="og:description" content="Photos by ${username} on Pinhole">
<meta property="og:url" content="${url}">
${image ? html`<meta property="og:image" content="${image.url}"><meta property="og:image:width" content="${image.width}"><meta property="og:image:height" content="${image.height}">` : null}
<meta name="twitter:card" content="${image ? "summary_large_image" : "summary"}">
<meta name="twitter:title" content="${username}'s photostream">
${image ? html`<meta name="twitter:image" content="${image.url}">` : null}
${jsonScript(structured)}`;
}

/** Link previews and schema.org data for an album, pictured by the first of its photos anyone may see. */
export function albumPreviewHead(album: { title: string; description: string; owner: { username: string } }, url: string, photos: PhotoView[], baseUrl: string): Html {
  const cover = photos.find(isOpenToEveryone);
  const image = cover ? bestFit(cover, 2048, 2048) : undefined;
  const description = album.description.slice(0, 300) || `An album by ${album.owner.username} on Pinhole`;
  const structured = {
    "@context": "https://schema.org",
    "@type": "ImageGallery",
    name: album.title,
    description: album.description || undefined,
    url,
    author: { "@type": "Person", name: album.owner.username, url: `${baseUrl}/photos/${album.owner.username}` },
    image: image ? { "@type": "ImageObject", contentUrl: image.url, width: image.width, height: image.height } : undefined,
  };
  return html`<meta property="og:site_name" content="Pinhole">
<meta property="og:type" content="website">
<meta property="og:title" content="${album.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${url}">
${image ? html`<meta property="og:image" content="${image.url}"><meta property="og:image:width" content="${image.width}"><meta property="og:image:height" content="${image.height}">` : null}
<meta name="twitter:card" content="${image ? "summary_large_image" : "summary"}">
<meta name="twitter:title" content="${album.title}">
${image ? html`<meta name="twitter:image" content="${image.url}">` : null}
${jsonScript(structured)}`;
}
