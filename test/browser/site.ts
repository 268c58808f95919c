import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { api, buildMember, buildPhoto, corpusFile, type Member, type PhotoJson } from "../helpers/client.ts";
import type { TestServer } from "../helpers/server.ts";

/** The photos a small site is made of: landscapes, portraits and a panorama, so grids show every shape. */
const PHOTOS: Array<{ file: string; title: string; tags: string }> = [
  { file: "photos/evening-boats.jpg", title: "Evening glow over the rowing boats", tags: "boats evening" },
  { file: "photos/forest-path.jpg", title: "A path through the spruce forest", tags: "forest" },
  { file: "photos/portrait-wine.jpg", title: "A glass of red", tags: "wine" },
  { file: "photos/sunset-patagonia.jpg", title: "Sunset over Patagonia", tags: "sunset evening" },
  { file: "photos/bridge-sydney.jpg", title: "Harbour bridge", tags: "bridge" },
  { file: "photos/fallen-leaf.jpg", title: "", tags: "autumn" },
  { file: "photos/china-roof.jpg", title: "Temple roof", tags: "roof" },
  { file: "photos/phone-portrait-orient6.jpg", title: "Held upright", tags: "phone" },
];

export interface Site {
  owner: Member;
  photos: PhotoJson[];
  albumId: number;
  groupSlug: string;
}

/** A member with a few photos in an album and a group pool, ranked into Explore: every main page has something to show. */
export async function buildSite(server: TestServer): Promise<Site> {
  const owner = await buildMember(server, { username: "lumen" });
  const photos: PhotoJson[] = [];
  for (const photo of PHOTOS) {
    photos.push(await buildPhoto(server, owner, { title: photo.title, tags: photo.tags, description: photo.title ? "" : "A single leaf on wet stones" }, corpusFile(photo.file)));
  }
  const album = await api(server, "POST", "/api/v1/albums", { token: owner.token, json: { title: "Evenings", description: "Light at the end of the day" } });
  await api(server, "POST", `/api/v1/albums/${album.body.id}/photos`, { token: owner.token, json: { photoIds: photos.slice(0, 5).map((p) => Number(p.id)) } });
  const group = await api(server, "POST", "/api/v1/groups", { token: owner.token, json: { name: "Golden hour", privacy: "public", description: "Photos in warm light" } });
  for (const photo of photos.slice(0, 4)) await api(server, "POST", `/api/v1/groups/${group.body.id}/pool`, { token: owner.token, json: { photoId: Number(photo.id) } });
  // A few places, so the maps have markers and a list to show.
  const places: Array<[number, number]> = [[-33.86, 151.21], [-41.13, -73.0], [60.17, 24.94]];
  for (const [i, [latitude, longitude]] of places.entries()) {
    await api(server, "PUT", `/api/v1/photos/${photos[i + 3]!.id}/location`, { token: owner.token, json: { latitude, longitude, visibility: "everyone" } });
  }
  // Another member's faves put photos in Explore.
  const fan = await buildMember(server, { username: "fan" });
  for (const photo of photos.slice(0, 6)) await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: fan.token });
  await server.context.explore.refresh();
  return { owner, photos, albumId: album.body.id, groupSlug: group.body.slug };
}

/** The main pages, by name; `member` pages need a logged-in browser. */
export function mainPages(site: Site): Array<{ name: string; path: string; member?: boolean }> {
  const { owner, photos } = site;
  return [
    { name: "home", path: "/" },
    { name: "photostream", path: `/photos/${owner.username}` },
    { name: "photo", path: `/photos/${owner.username}/${photos[2]!.id}` },
    { name: "search", path: "/search?q=evening" },
    { name: "tag", path: "/photos/tags/evening" },
    { name: "album", path: `/photos/${owner.username}/albums/${site.albumId}` },
    { name: "group", path: `/groups/${site.groupSlug}` },
    { name: "explore", path: "/explore" },
    { name: "map", path: "/map" },
    { name: "member-map", path: `/photos/${owner.username}/map` },
    { name: "signup", path: "/signup" },
    { name: "login", path: "/login" },
    { name: "upload", path: "/upload", member: true },
    { name: "settings", path: "/settings", member: true },
  ];
}

export const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1440, height: 900 } } as const;

export const SCREENSHOT_DIR = path.resolve("test-results");

/** A full-page screenshot under test-results/ (git-ignored), for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
