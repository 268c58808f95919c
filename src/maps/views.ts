import type { Viewer } from "../users/service.ts";
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
}

/** Leaflet's stylesheets, for a page's <head>. */
export const MAP_STYLES = ["leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css"];
/** Leaflet, its cluster plugin and Pinhole's map script, in load order. */
export const MAP_SCRIPTS = ["leaflet.js", "leaflet.markercluster.js", "map.js"];
/** A photo page's: map-loader.js fetches Leaflet and map.js only when a map is about to show. */
export const PHOTO_MAP_SCRIPTS = ["map-loader.js"];
const LAZY_MAP_SCRIPTS = ["leaflet.js", "map.js"];

export function mapHead(): Html {
  return html`${MAP_STYLES.map((name) => html`<link rel="stylesheet" href="${assetUrl(name)}">`)}`;
}

/** What map.js needs to draw any map: the tiles (none when empty) and Leaflet's marker images. */
export function mapSettings(settings: MapSettings, options: { lazyScripts?: boolean } = {}): Html {
  return html`<div id="map-settings" hidden${options.lazyScripts ? html` data-scripts="${LAZY_MAP_SCRIPTS.map(assetUrl).join(" ")}"` : null} data-tiles="${settings.tiles?.url ?? ""}" data-attribution="${settings.tiles?.attribution ?? ""}" data-icon="${assetUrl("marker-icon.png")}" data-icon-2x="${assetUrl("marker-icon-2x.png")}" data-shadow="${assetUrl("marker-shadow.png")}"></div>`;
}

/**
 * The site's map, or a member's. Without JavaScript the map's box says so and the newest
 * photos on it are listed below with their places, linked to their pages.
 */
export function mapPage(view: Shell & { settings: MapSettings; username: string | null; recent: MapPointView[] }): string {
  const title = view.username ? `${view.username}'s map` : "Map";
  return page({
    ...view,
    title,
    head: mapHead(),
    scripts: MAP_SCRIPTS,
    body: html`<section class="map-page"><h1>${view.username ? html`<a href="/photos/${view.username}">${view.username}</a>’s photos on the map` : "Photos on the map"}</h1>
${mapSettings(view.settings)}
<div id="site-map" class="map" data-api="/api/v1/map"${view.username ? html` data-user="${view.username}"` : null} role="region" aria-label="Map of photos"><p class="map-fallback">The map needs JavaScript. The newest photos on it are listed below.</p></div>
<p id="map-status" role="status" class="map-status"></p>
<h2>Newest photos on the map</h2>
${view.recent.length === 0 ? html`<p id="map-empty">No photos with a place to show yet.</p>` : html`<ul class="map-list" id="map-list">${view.recent.map((p) => html`<li><a href="${p.pageUrl}"><img src="${p.thumbnailUrl}" width="75" height="75" alt="" loading="lazy"> ${p.title || "Untitled"}</a> <small>${p.latitude.toFixed(4)}, ${p.longitude.toFixed(4)}</small></li>`)}</ul>`}
</section>`,
  });
}

/**
 * On a photo page: a small map with the photo's marker for whoever may see its location, and
 * for its owner the settings map.js needs to turn the location form into a map to click on.
 */
export function photoMapSection(view: { settings: MapSettings; location: { latitude: number; longitude: number } | null; canEdit: boolean }): Html | null {
  if (!view.location && !view.canEdit) return null;
  return html`<section class="photo-map">${mapSettings(view.settings, { lazyScripts: true })}${
    view.location ? html`<h2>Where it was taken</h2><div id="photo-map" class="map small" data-latitude="${String(view.location.latitude)}" data-longitude="${String(view.location.longitude)}"></div>` : null
  }</section>`;
}
