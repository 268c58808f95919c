import type { Viewer } from "../users/service.ts";
import { english, type MessageKey, type Messages } from "../i18n/messages.ts";
import { assetUrl } from "../web/assets.ts";
import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { MapPointView } from "./service.ts";

export interface MapSettings {
  tiles: { url: string; attribution: string } | null;
}

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
  messages?: Messages;
}

/** Leaflet's stylesheet, for a page's <head>. */
export const MAP_STYLES = ["leaflet.css"];
/**
 * Leaflet and Pinhole's map script, in load order. No cluster plugin: the server clusters
 * (GET /api/v1/map), and map.js draws its clusters as plain markers, which keeps a map page
 * under the script budget (test/browser/pages.test.ts).
 */
export const MAP_SCRIPTS = ["leaflet.js", "map.js"];
/** A photo page's: map-loader.js fetches Leaflet and map.js only when a map is about to show. */
export const PHOTO_MAP_SCRIPTS = ["map-loader.js"];

/** The words map.js shows, as data-msg-* names and their messages (plural ones by `count`). */
const MAP_SCRIPT_MESSAGES: Array<[string, MessageKey, string?]> = [
  ["untitled", "photo.untitled"],
  ["close-popup", "photo.close"],
  ["load-failed", "mapScript.loadFailed"],
  ["one-photo", "mapScript.onePhoto"],
  ["cluster", "mapScript.photos", "count"],
  ["in-view", "mapScript.inView", "count"],
  ["in-view-truncated", "mapScript.inViewTruncated", "count"],
  ["zoom-in", "mapScript.zoomIn"],
  ["zoom-out", "mapScript.zoomOut"],
  ["where-taken", "map.whereTaken"],
  ["place-hint", "mapScript.placeHint"],
  ["photo-place", "mapScript.photoPlace"],
  ["location-remove", "mapScript.remove"],
  ["location-not-saved", "mapScript.notSaved"],
  ["location-out-of-range", "mapScript.outOfRange"],
  ["location-saved", "mapScript.saved"],
  ["location-removed", "mapScript.removed"],
  ["location-save-failed", "mapScript.saveFailed"],
  ["location-remove-failed", "mapScript.removeFailed"],
  ["failed-status", "mapScript.serverAnswered"],
];

export function mapHead(): Html {
  return html`${MAP_STYLES.map((name) => html`<link rel="stylesheet" href="${assetUrl(name)}">`)}`;
}

/**
 * What map.js needs to draw any map: the tiles (none when empty), Leaflet's marker images, and
 * its words in the page's language (scripts carry no text of their own).
 */
export function mapSettings(settings: MapSettings, options: { lazyScripts?: boolean; messages?: Messages } = {}): Html {
  const m = options.messages ?? english();
  const words = MAP_SCRIPT_MESSAGES.map(([name, key, plural]) => html` data-msg-${name}="${m.forScript(key, plural)}"`);
  return html`<div id="map-settings" hidden${options.lazyScripts ? html` data-scripts="${MAP_SCRIPTS.map(assetUrl).join(" ")}"` : null} data-tiles="${settings.tiles?.url ?? ""}" data-attribution="${settings.tiles?.attribution ?? ""}" data-icon="${assetUrl("marker-icon.png")}" data-icon-2x="${assetUrl("marker-icon-2x.png")}" data-shadow="${assetUrl("marker-shadow.png")}"${words}></div>`;
}

/**
 * The site's map, or a member's. Without JavaScript the map's box says so and the newest
 * photos on it are listed below with their places, linked to their pages.
 */
export function mapPage(view: Shell & { settings: MapSettings; username: string | null; recent: MapPointView[] }): string {
  const m = view.messages ?? english();
  const { username } = view;
  return page({
    ...view,
    messages: m,
    title: username ? m.t("map.memberTitle", { username }) : m.t("map.title"),
    head: mapHead(),
    scripts: MAP_SCRIPTS,
    body: html`<section class="map-page"><h1>${username ? m.rich("map.memberHeading", { link: (inner) => html`<a href="/photos/${username}">${inner}</a>` }, { username }) : m.t("map.heading")}</h1>
${mapSettings(view.settings, { messages: m })}
<div id="site-map" class="map" data-api="/api/v1/map"${username ? html` data-user="${username}"` : null} role="region" aria-label="${m.t("map.regionLabel")}"><p class="map-fallback">${m.t("map.fallback")}</p></div>
<p id="map-status" role="status" class="map-status"></p>
<h2>${m.t("map.newest")}</h2>
${view.recent.length === 0 ? html`<p id="map-empty">${m.t("map.empty")}</p>` : html`<ul class="map-list" id="map-list">${view.recent.map((p) => html`<li><a href="${p.pageUrl}"><img src="${p.thumbnailUrl}" width="75" height="75" alt="" loading="lazy"> ${p.title || m.t("photo.untitled")}</a> <small>${coordinates(p)}</small></li>`)}</ul>`}
</section>`,
  });
}

/** Decimal degrees as the location form takes them (a point, no grouping), the same in every language. */
function coordinates(place: { latitude: number; longitude: number }): Html {
  return html`<span dir="ltr">${place.latitude.toFixed(4)}, ${place.longitude.toFixed(4)}</span>`;
}

/**
 * On a photo page: a small map with the photo's marker for whoever may see its location, and
 * for its owner the settings map.js needs to turn the location form into a map to click on.
 */
export function photoMapSection(view: { settings: MapSettings; location: { latitude: number; longitude: number } | null; canEdit: boolean; messages?: Messages }): Html | null {
  if (!view.location && !view.canEdit) return null;
  const m = view.messages ?? english();
  return html`<section class="photo-map">${mapSettings(view.settings, { lazyScripts: true, messages: m })}${
    view.location ? html`<h2>${m.t("map.whereTaken")}</h2><div id="photo-map" class="map small" data-latitude="${String(view.location.latitude)}" data-longitude="${String(view.location.longitude)}"></div>` : null
  }</section>`;
}
