import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto, distinctJpeg } from "../helpers/images.ts";
import { buildApiKey, parseForm, send, signedParams } from "../helpers/flickr.ts";
import { makeZip } from "../helpers/zip.ts";
import { waitUntil } from "../helpers/wait.ts";
import { CATALOGS } from "../../src/i18n/messages/index.ts";
import { JobsRepository } from "../../src/jobs/repository.ts";
import { RecentErrorsRepository } from "../../src/admin/recent-errors-repository.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { page as renderPage } from "../../src/web/layout.ts";
import { html } from "../../src/web/html.ts";

let server: TestServer;
let owner: Member;
let visitor: Member;
let photoId: string;
let photoPath: string;
let commentId: string;
/** Pages of the domains with more to show than a photo: groups, albums, imports, apps. */
let paths: { group: string; closedGroup: string; thread: string; album: string; smartAlbum: string; collection: string; importPage: string; authorize: string };
/** A blog on loopback whose post links to the photo, so the photo page lists a webmention. */
let blog: http.Server;

async function ok<T extends { status: number; body: any }>(answer: Promise<T>): Promise<T> {
  const done = await answer;
  assert.ok(done.status >= 200 && done.status < 300, JSON.stringify(done.body));
  return done;
}
const CAMERA = "X100V";

before(async () => {
  server = await startServer({ PINHOLE_WEBMENTION_ALLOW_LOOPBACK: "1" });
  // The site's first member is its admin: the owner also sees the reports queue and the admin pages.
  owner = await buildMember(server);
  visitor = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "Harbour fog", tags: "harbour night", visibility: "public" });
  const lamps = await buildDistinctPhoto(server, owner, { title: "Quay lamps", tags: "night", visibility: "public" });
  photoId = photo.id;
  photoPath = `/photos/${owner.username}/${photo.id}`;
  assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude: 59.33, longitude: 18.07, visibility: "everyone" } })).status, 200);
  // The admin page's every part: a suspended member, a failed job, a recorded error; the status page's: an open incident and a resolved one.
  const suspended = await buildMember(server);
  assert.equal((await api(server, "PUT", `/api/v1/admin/members/${suspended.username}/suspension`, { token: owner.token, json: { suspended: true } })).status, 200);
  assert.equal((await api(server, "PATCH", `/api/v1/admin/members/${visitor.username}`, { token: owner.token, json: { isPro: true, quotaPhotos: 500, quotaMb: 2048 } })).status, 200);
  const jobs = new JobsRepository(server.context.database.db);
  const jobId = await jobs.enqueue({ kind: "photo.delete-files", payload: { photoId: 1 }, runAfter: Date.now() }, Date.now());
  assert.ok(await jobs.claimById(jobId, "test-worker", Date.now(), 60_000));
  await jobs.markFailed(jobId, "test-worker", "EACCES: permission denied", Date.now());
  await new RecentErrorsRepository(server.context.database.db).insert({ occurred_at: Date.now(), request_id: "trace-i18n", route: "GET /x", message: "boom" }, 200);
  for (const [title, status] of [["Slow uploads", "investigating"], ["Search was down", "resolved"]] as const) {
    const incident = await api(server, "POST", "/api/v1/incidents", { token: owner.token, json: { title, impact: "minor", status: "investigating", body: "Looking into it." } });
    assert.equal(incident.status, 201);
    assert.equal((await api(server, "POST", `/api/v1/incidents/${incident.body.id}/updates`, { token: owner.token, json: { status, body: "An update." } })).status, 201);
  }
  // What makes the community's pages say something: contacts both ways (so the visitor may add
  // notes), a photo of the visitor's for the owner's activity, a fave, a comment, a note (each
  // notifying the owner) and reports for the admins' queue.
  const expect = (status: number, response: { status: number; body: unknown }) => assert.equal(response.status, status, JSON.stringify(response.body));
  expect(201, await api(server, "PUT", `/api/v1/contacts/${owner.username}`, { token: visitor.token, json: { family: true } }));
  expect(201, await api(server, "PUT", `/api/v1/contacts/${visitor.username}`, { token: owner.token, json: { friend: true } }));
  await buildDistinctPhoto(server, visitor, { title: "Quay lights", visibility: "public" });
  expect(200, await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: visitor.token }));
  const comment = await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: visitor.token, json: { text: "The fog on the water is lovely." } });
  expect(201, comment);
  commentId = comment.body.id;
  expect(201, await api(server, "POST", `/api/v1/photos/${photo.id}/notes`, { token: visitor.token, json: { x: 0.1, y: 0.2, width: 0.3, height: 0.25, text: "the ferry" } }));
  expect(201, await api(server, "POST", "/api/v1/reports", { token: visitor.token, json: { targetKind: "photo", targetId: photo.id, reason: "checking the queue" } }));
  expect(201, await api(server, "POST", "/api/v1/reports", { token: visitor.token, json: { targetKind: "member", username: owner.username, reason: "checking the queue again" } }));

  const as = (member: Member) => ({ token: member.token });

  // A public group with the photo in its pool and a discussion with a reply; an invitation-only one the visitor is invited to.
  const group = (await ok(api(server, "POST", "/api/v1/groups", { ...as(owner), json: { name: "Night walkers", privacy: "public", description: "After dark" } }))).body;
  await ok(api(server, "POST", `/api/v1/groups/${group.id}/pool`, { ...as(owner), json: { photoId: Number(photo.id) } }));
  const thread = (await ok(api(server, "POST", `/api/v1/groups/${group.id}/threads`, { ...as(owner), json: { title: "Favourite lenses", text: "Which one do you carry?" } }))).body;
  await ok(api(server, "POST", `/api/v1/groups/${group.id}/threads/${thread.id}/replies`, { ...as(owner), json: { text: "The 35 mm, always." } }));
  const closed = (await ok(api(server, "POST", "/api/v1/groups", { ...as(owner), json: { name: "Darkroom", privacy: "invitation" } }))).body;
  await ok(api(server, "POST", `/api/v1/groups/${closed.id}/invitations`, { ...as(owner), json: { username: visitor.username } }));

  // An album of both photos (so it can be reordered), a smart album and a collection.
  const album = (await ok(api(server, "POST", "/api/v1/albums", { ...as(owner), json: { title: "Harbour nights" } }))).body;
  await ok(api(server, "POST", `/api/v1/albums/${album.id}/photos`, { ...as(owner), json: { photoIds: [Number(photo.id), Number(lamps.id)] } }));
  const smart = (await ok(api(server, "POST", "/api/v1/albums", { ...as(owner), json: { title: "Nocturnes", rule: { tags: ["night"] } } }))).body;
  const collection = (await ok(api(server, "POST", "/api/v1/collections", { ...as(owner), json: { title: "Seasons", albumIds: [album.id] } }))).body;

  // A finished import of a Flickr zip with an album, for the visitor.
  const zip = await makeZip({
    "photo_501.json": { id: "501", name: "Grey heron", privacy: "public", license: "Attribution License" },
    "heron_501_o.jpg": await distinctJpeg(30, 20),
    "albums.json": { albums: [{ id: "9", title: "Birds", photos: ["501"] }] },
  });
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(zip)], { type: "application/zip" }), "flickr-part-1.zip");
  const started = (await ok(api(server, "POST", "/api/v1/imports", { ...as(visitor), form }))).body;
  await waitUntil("the import finishes", async () => ((await api(server, "GET", `/api/v1/imports/${started.id}`, as(visitor))).body.status === "done" ? true : undefined), 30_000);

  // The blog's post links to the photo; the owner holds mentions for approval (the default).
  blog = http.createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><html><head><title>Fog over the water</title><meta name="author" content="Mara Quill"></head><body><a href="${server.url}${photoPath}">this</a></body></html>`);
  });
  await new Promise<void>((resolve) => blog.listen(0, "127.0.0.1", resolve));
  const source = `http://127.0.0.1:${(blog.address() as AddressInfo).port}/fog`;
  await fetch(`${server.url}/webmention`, { method: "POST", body: new URLSearchParams({ source, target: server.url + photoPath }) });
  await waitUntil("the webmention is verified", async () => ((await api(server, "GET", `/api/v1/photos/${photo.id}/webmentions`, as(owner))).body.mentions.length > 0 ? true : undefined), 30_000);

  // An API key, and an app's request token waiting on the authorize page.
  const app = await buildApiKey(server, owner, "Lantern uploader");
  const requested = await send(server, "/services/oauth/request_token", signedParams(server, "GET", "/services/oauth/request_token", { oauth_callback: "oob" }, { app }));
  assert.equal(requested.status, 200, requested.text);

  paths = {
    group: `/groups/${group.slug}`,
    closedGroup: `/groups/${closed.slug}`,
    thread: `/groups/${group.slug}/discuss/${thread.id}`,
    album: `/photos/${owner.username}/albums/${album.id}`,
    smartAlbum: `/photos/${owner.username}/albums/${smart.id}`,
    collection: `/photos/${owner.username}/collections/${collection.id}`,
    importPage: `/imports/${started.id}`,
    authorize: `/services/oauth/authorize?oauth_token=${encodeURIComponent(parseForm(requested.text).oauth_token!)}&perms=write`,
  };
  // A second photo with a date taken and a camera, as metadata extraction would leave them, for
  // the archives' calendar and the camera page; a licence whose name the page translates.
  const dated = await buildDistinctPhoto(server, owner, { title: "Dawn pier", visibility: "public", license: "cc-by-sa-4.0" });
  await server.context.database.db.updateTable("photos").set({ taken_at: "2024-05-17T08:00:00", camera_make: "Fujifilm", camera_model: CAMERA }).where("id", "=", Number(dated.id)).execute();
});
after(async () => {
  await new Promise((resolve) => blog?.close(resolve));
  await server.close();
});

async function visit(path: string, options: { language?: string; member?: Member; cookie?: string } = {}): Promise<{ status: number; html: string; headers: Headers }> {
  const headers: Record<string, string> = { accept: "text/html" };
  if (options.language) headers["accept-language"] = options.language;
  if (options.member) headers.authorization = `Bearer ${options.member.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(server.url + path, { headers, redirect: "manual" });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

/**
 * The page without the parts other domains add that are not translated yet: they are marked
 * `<div class="lang-other" lang="en">` (with dir="ltr" on a right-to-left page; photos/views.ts),
 * which this removes with its contents.
 */
function withoutUntranslatedSections(page: string): string {
  let out = page;
  const marker = /<div class="lang-other" lang="en"( dir="ltr")?>/;
  for (let start = out.search(marker); start >= 0; start = out.search(marker)) {
    out = out.slice(0, start) + out.slice(elementEnd(out, start));
  }
  return out;
}

/** Where the element whose start tag begins at `start` ends (after its end tag). */
function elementEnd(page: string, start: number): number {
  const name = /^<(\w+)/.exec(page.slice(start))![1]!;
  const tags = new RegExp(`<\\/?${name}\\b[^>]*>`, "g");
  tags.lastIndex = start;
  let depth = 0;
  for (let tag = tags.exec(page); tag; tag = tags.exec(page)) {
    depth += tag[0].startsWith("</") ? -1 : 1;
    if (depth === 0) return tag.index + tag[0].length;
  }
  return page.length;
}

/** The element with this id, start tag to end tag. */
function elementById(page: string, id: string, where: string): string {
  const at = page.indexOf(` id="${id}"`);
  assert.ok(at >= 0, `${where} has #${id}`);
  const start = page.lastIndexOf("<", at);
  return page.slice(start, elementEnd(page, start));
}

/** What a reader meets: text between tags and the attributes a person sees or hears, trimmed. */
function visibleSegments(page: string): string[] {
  const withoutCode = withoutUntranslatedSections(page).replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, "").replace(/<head>[\s\S]*?<\/head>/, (head) => head.match(/<title>[\s\S]*?<\/title>/)?.[0] ?? "");
  const segments = withoutCode.split(/<[^>]*>/).map((s) => s.replace(/\s+/g, " ").trim());
  for (const match of withoutCode.matchAll(/\s(?:placeholder|aria-label|title|alt)="([^"]*)"/g)) segments.push(match[1]!.trim());
  const unescape = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return segments.map(unescape).filter((s) => s.length > 0);
}

/**
 * Each English message that the locale translates differently, as patterns a whole segment would
 * match if the page showed it in English: values become wildcards, markup splits a message
 * into its pieces. Plural messages are left to the unit test.
 */
function untranslatedPatterns(locale: Locale): Array<{ key: string; pattern: RegExp }> {
  const translated: Record<string, string> = CATALOGS[locale];
  const patterns: Array<{ key: string; pattern: RegExp }> = [];
  for (const [key, english] of Object.entries(CATALOGS.en)) {
    if (translated[key] === english || /\{\s*\w+\s*,\s*plural/.test(english) || key === "layout.title") continue;
    for (const piece of english.split(/<\/?\w+>/)) {
      const text = piece.trim();
      if (!/\p{L}{2}/u.test(text.replace(/\{\w+\}/g, ""))) continue;
      const source = text.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+?");
      patterns.push({ key, pattern: new RegExp(`^${source}$`) });
    }
  }
  return patterns;
}

function assertTranslated(page: string, locale: Locale, where: string): void {
  const segments = visibleSegments(page);
  const keys = new Set(Object.keys(CATALOGS.en));
  for (const segment of segments) {
    for (const word of segment.split(/[\s,()]+/)) assert.ok(!keys.has(word), `${where} (${locale}) shows the raw key "${word}"`);
    assert.doesNotMatch(segment, /^[a-z]+(\.[a-z][A-Za-z]+)+$/, `${where} (${locale}) shows something shaped like a key: "${segment}"`);
  }
  for (const { key, pattern } of untranslatedPatterns(locale)) {
    const english = segments.find((segment) => pattern.test(segment));
    assert.equal(english, undefined, `${where} (${locale}) shows "${english}" in English (${key})`);
  }
}

function assertLanguage(page: string, locale: Locale, where: string): void {
  const dir = locale === "ar" ? "rtl" : "ltr";
  assert.match(page, new RegExp(`<html lang="${locale}" dir="${dir}">`), `${where} is marked ${locale}, ${dir}`);
}

test("every converted page speaks the browser's language, marked with lang and dir, with no English left and no raw key", async () => {
  // `parts`: only these elements of the page are checked (the rest is another domain's, not converted yet).
  const pages: Array<{ path: string; member?: Member; parts?: string[]; status?: number }> = [
    { path: "/" },
    { path: "/signup" },
    { path: "/login" },
    { path: "/upload", member: owner },
    { path: "/settings", member: owner },
    { path: `/photos/${owner.username}` },
    { path: `/photos/${owner.username}`, member: visitor },
    { path: photoPath },
    { path: "/photos/tags/harbour" },
    { path: `/photos/${owner.username}/tags/night` },
    { path: "/search" },
    { path: "/search?q=harbour&sort=taken" },
    { path: "/search?q=nothingmatchesthis" },
    { path: "/explore" },
    { path: "/map" },
    { path: `/photos/${owner.username}/map` },
    { path: "/status" },
    { path: "/reset-password" },
    { path: "/reset-password/not-a-real-token", status: 400 },
    { path: "/confirm-email/not-a-real-token", status: 400 },
    { path: "/admin", member: owner },
    { path: `/admin?q=${visitor.username}`, member: owner },
    { path: "/admin/incidents", member: owner },
    { path: "/admin/maintenance", member: owner },
    // The owner's photo page: its edit forms are the photos domain's; the parts other domains add are checked.
    { path: photoPath, member: owner, parts: ["photo-groups", "photo-albums", "webmentions", "share"] },
    { path: "/groups" },
    { path: "/groups", member: visitor },
    { path: paths.group },
    { path: paths.group, member: owner },
    { path: paths.closedGroup, member: visitor },
    { path: `${paths.group}/discuss`, member: owner },
    { path: paths.thread, member: owner },
    { path: `/photos/${owner.username}/albums`, member: owner },
    { path: paths.album, member: owner },
    { path: paths.smartAlbum, member: owner },
    { path: `/photos/${owner.username}/collections`, member: owner },
    { path: paths.collection, member: owner },
    { path: "/imports", member: visitor },
    { path: paths.importPage, member: visitor },
    { path: "/settings/webmentions", member: owner },
    { path: "/settings/apps", member: owner },
    { path: paths.authorize, member: owner },
    { path: "/no/such/page", status: 404 },
    // Faves, comments, the report box and notes on the photo page, for a member who may add notes.
    { path: photoPath, member: visitor },
    { path: `/photos/${owner.username}`, member: owner },
    { path: `/photos/${visitor.username}/favorites` },
    { path: `/people/${visitor.username}/contacts`, member: visitor },
    { path: `/comments/${commentId}/edit`, member: visitor },
    { path: "/notifications", member: owner },
    { path: "/activity", member: owner },
    { path: "/settings/notes?saved=1", member: owner },
    { path: `/reports/new?targetKind=member&username=${owner.username}`, member: visitor },
    { path: "/admin/reports", member: owner },
    { path: photoPath, member: owner },
    { path: `/photos/${owner.username}/archives` },
    { path: `/photos/${owner.username}/archives/2024` },
    { path: `/photos/${owner.username}/archives/2024/05` },
    { path: `/photos/${owner.username}/archives/2024/05/17` },
    { path: `/photos/${owner.username}/archives/undated` },
    { path: `/cameras/${CAMERA}` },
    { path: "/organize", member: owner },
    { path: "/organize?changed=2", member: owner },
    { path: "/settings/photos?saved=1", member: owner },
    { path: "/photos/nosuchmember", status: 404 },
  ];
  // The check itself finds English: an English page fails it.
  const english = await visit(photoPath);
  assert.throws(() => assertTranslated(english.html, "ja", "the English photo page"), /in English/);
  assert.throws(() => assertTranslated(english.html.replace("Recent photos", "home.title").replace(/<main/, "<p>nav.logIn</p><main"), "en", "a page with a raw key"), /raw key/);
  for (const locale of ["ja", "ar", "de", "es", "fr"] as const) {
    for (const { path, member, parts, status } of pages) {
      const where = `${path}${member ? " (member)" : ""}`;
      const page = await visit(path, { language: `${locale}, en;q=0.5`, member });
      assert.equal(page.status, status ?? 200, where);
      assertLanguage(page.html, locale, where);
      assertTranslated(parts ? parts.map((id) => elementById(page.html, id, where)).join("\n") : page.html, locale, where);
      if (page.status === 200) {
        assert.equal(page.headers.get("content-language"), locale);
        assert.match(page.headers.get("vary") ?? "", /accept-language/i, "caches keep one copy per language");
      }
    }
  }
});

test("read-only maintenance speaks the visitor's language: the standard banner, the page of a refused write, the admin's switch; an admin's own message stays as written", async () => {
  const banner = (page: string) => /<div class="site-notice" role="status">([\s\S]*?)<\/div>/.exec(page)?.[1] ?? "";
  assert.equal((await api(server, "PUT", "/api/v1/maintenance", { token: owner.token, json: { enabled: true } })).status, 200);
  try {
    const french = await visit(photoPath, { language: "fr" });
    assert.match(banner(french.html), /^Pinhole est en lecture seule pour maintenance : .+ <a href="\/status">État du service<\/a>$/);
    assertTranslated(french.html, "fr", "the photo page under maintenance");

    const browser = new WebClient(server);
    await browser.get("/language?lang=es&return=/");
    await browser.get("/signup");
    const refused = await browser.post("/signup", { username: "latecomer", email: "late@example.test", password: "a long enough password" });
    assert.equal(refused.status, 503);
    assertLanguage(refused.html, "es", "the read-only page");
    assertTranslated(refused.html, "es", "the read-only page");
    assert.match(refused.html, /<h1>Solo lectura por mantenimiento<\/h1><p>Pinhole está en solo lectura por mantenimiento: /);

    const arabic = await visit("/admin/maintenance", { language: "ar", member: owner });
    assertTranslated(arabic.html, "ar", "/admin/maintenance while on");
    assert.match(arabic.html, /<strong>الصيانة مفعّلة<\/strong> منذ <time datetime="[^"]+">/);

    const own = "Back at 14:00 — moving to a new disk.";
    assert.equal((await api(server, "PUT", "/api/v1/maintenance", { token: owner.token, json: { enabled: true, message: own } })).status, 200);
    assert.equal(banner((await visit(photoPath, { language: "ja" })).html), `${own} <a href="/status">稼働状況</a>`, "the admin's words as written, the link in the page's language");
  } finally {
    assert.equal((await api(server, "PUT", "/api/v1/maintenance", { token: owner.token, json: { enabled: false } })).status, 200);
  }
});

test("notes.js gets its words in the page's language, and a report sent from a form is answered in it", async () => {
  const page = await visit(photoPath, { language: "de", member: visitor });
  assert.match(page.html, /data-msg-save="Notiz speichern"/);
  assert.match(page.html, /data-msg-failed-status="Der Server antwortete mit \{status\}\."/, "the placeholder is left for the script to fill");
  assert.doesNotMatch((await visit(photoPath, { language: "de" })).html, /data-msg-save/, "a visitor who may not write notes gets no words for it");

  const browser = new WebClient(server);
  await browser.logIn(visitor);
  await browser.get("/language?lang=fr&return=/");
  await browser.get(`/reports/new?targetKind=photo&targetId=${photoId}`);
  const sent = await browser.post("/reports", { targetKind: "photo", targetId: photoId, reason: "sent in French" });
  assert.equal(sent.status, 201, sent.html.slice(0, 300));
  assertLanguage(sent.html, "fr", "the report's receipt");
  assertTranslated(sent.html, "fr", "the report's receipt");
  assert.match(sent.html, /<h1>Merci<\/h1>/);
});

test("English stays the default, and a language the site does not ship falls back to the next one asked for", async () => {
  assertLanguage((await visit("/")).html, "en", "/ without Accept-Language");
  assertLanguage((await visit("/", { language: "pt-BR, de;q=0.8" })).html, "de", "/ for pt-BR then de");
  const german = await visit(photoPath, { language: "de-AT" });
  assert.match(german.html, /Fotostream von /);
  assert.match(german.html, /<time datetime="[^"]+">\d{1,2}\. \p{L}+ \d{4}<\/time>/u, "the upload date is written the German way");
});

test("the footer picker sets a cookie that beats Accept-Language, and comes back to the page it was on", async () => {
  const page = await visit(photoPath, { language: "ja" });
  assert.match(page.html, new RegExp(`<form method="get" action="/language"[^>]*>[\\s\\S]*?<option value="ar" lang="ar" dir="rtl">العربية</option>[\\s\\S]*?name="return" value="${photoPath}"`));
  const picked = await visit(`/language?lang=ar&return=${encodeURIComponent(photoPath)}`);
  assert.equal(picked.status, 303);
  assert.equal(picked.headers.get("location"), photoPath);
  const cookie = picked.headers.getSetCookie().find((line) => line.startsWith("lang="));
  assert.ok(cookie && /lang=ar;/.test(cookie) && /Max-Age=\d+/i.test(cookie), cookie);
  const arabic = await visit(photoPath, { language: "ja", cookie: "lang=ar" });
  assertLanguage(arabic.html, "ar", "the photo page with lang=ar");
  assertTranslated(arabic.html, "ar", "the photo page with lang=ar");

  assert.equal((await visit("/language?lang=ar&return=//evil.example/x")).headers.get("location"), "/", "never to another site");
  // A page whose view gives no path (rendered without the request's messages: English, with the
  // picker) cannot say where it is: the picker then goes back by the Referer, from this site only.
  const pathless = renderPage({ title: "Somewhere", viewer: null, csrfToken: "", body: html`<p>Here</p>` });
  assert.match(pathless, /<form method="get" action="\/language"/);
  assert.doesNotMatch(pathless, /name="return"/);
  const back = await fetch(`${server.url}/language?lang=ja`, { headers: { referer: `${server.url}/photos/${owner.username}/archives?x=1` }, redirect: "manual" });
  assert.equal(back.status, 303);
  assert.equal(back.headers.get("location"), `/photos/${owner.username}/archives?x=1`);
  const elsewhere = await fetch(`${server.url}/language?lang=ja`, { headers: { referer: "https://evil.example/photos" }, redirect: "manual" });
  assert.equal(elsewhere.headers.get("location"), "/");
  const unknown = await visit("/language?lang=xx&return=/");
  assert.equal(unknown.status, 400, "an unknown language is refused");
  assert.equal(unknown.headers.getSetCookie().length, 0, "and sets nothing");
});

test("a member's saved language (API and settings page) beats Accept-Language, and the footer cookie beats it", async () => {
  const member = await buildMember(server);
  assert.deepEqual((await api(server, "GET", "/api/v1/me/settings/locale", { token: member.token })).body, { locale: null });
  const bad = await api(server, "PUT", "/api/v1/me/settings/locale", { token: member.token, json: { locale: "xx" } });
  assert.equal(bad.status, 400);
  assert.equal((await api(server, "PUT", "/api/v1/me/settings/locale", { token: member.token, json: { locale: "ja", extra: 1 } })).status, 400, "unknown fields are refused");
  assert.deepEqual((await api(server, "GET", "/api/v1/me/settings/locale", { token: member.token })).body, { locale: null }, "a refused request changed nothing");
  assert.equal((await api(server, "PUT", "/api/v1/me/settings/locale", { token: member.token })).status, 400);
  assert.equal((await api(server, "PUT", "/api/v1/me/settings/locale", { json: { locale: "es" } })).status, 401);

  const saved = await api(server, "PUT", "/api/v1/me/settings/locale", { token: member.token, json: { locale: "es" } });
  assert.equal(saved.status, 200);
  assert.deepEqual(saved.body, { locale: "es" });
  assertLanguage((await visit("/", { member, language: "ja" })).html, "es", "/ for a member who saved es");
  assertLanguage((await visit("/", { member, language: "ja", cookie: "lang=fr" })).html, "fr", "/ with the footer's fr");
  assertLanguage((await visit("/", { language: "ja" })).html, "ja", "/ for a visitor");

  // The settings form, as a browser without JavaScript: saving clears this browser's footer pick.
  const browser = new WebClient(server);
  await browser.logIn(member);
  await browser.get("/language?lang=de&return=/");
  assert.equal(browser.cookie("lang"), "de");
  const form = await browser.get("/settings/language");
  assertLanguage(form.html, "de", "the settings page under the footer's de");
  assert.match(form.html, /<option value="es" lang="es" selected>Español<\/option>/);
  const posted = await browser.post("/settings/language", { locale: "ar" });
  assert.equal(posted.status, 303);
  assert.equal(browser.cookie("lang"), undefined, "the footer's pick is cleared");
  const after = await browser.get("/settings/language?saved=1");
  assertLanguage(after.html, "ar", "the settings page after saving ar");
  assertTranslated(after.html, "ar", "/settings/language");
  assert.equal((await browser.post("/settings/language", { locale: "xx" })).status, 400);
  assert.deepEqual((await api(server, "GET", "/api/v1/me/settings/locale", { token: member.token })).body, { locale: "ar" });
  await browser.post("/settings/language", { locale: "" });
  assert.deepEqual((await api(server, "GET", "/api/v1/me/settings/locale", { token: member.token })).body, { locale: null }, "empty: follow the browser again");
});

test("a form's refusal is re-rendered in the page's language, and an error page too, while the API's message stays English", async () => {
  const ja = CATALOGS.ja as Record<string, string>;
  const browser = new WebClient(server);
  await browser.get("/language?lang=ja&return=/signup");
  await browser.get("/signup");
  const refused = await browser.post("/signup", { username: `u${Date.now() % 1_000_000}`, email: "someone@example.com", password: "short" });
  assert.equal(refused.status, 400);
  assertLanguage(refused.html, "ja", "the refused sign-up form");
  assert.ok(refused.html.includes("パスワードは 10 文字以上にしてください。"), "the password rule in Japanese");
  assertTranslated(refused.html, "ja", "the refused sign-up form");

  // Too many failed log-ins (429): said in the page's language too, with the minutes as a plural.
  const french = new WebClient(server);
  await french.get("/language?lang=fr&return=/login");
  await french.get("/login");
  const target = await buildMember(server);
  for (let i = 0; i < 5; i++) assert.equal((await french.post("/login", { username: target.username, password: "not the password" })).status, 401);
  const throttled = await french.post("/login", { username: target.username, password: "not the password" });
  assert.equal(throttled.status, 429);
  assert.ok(throttled.headers.get("retry-after"));
  assert.match(throttled.html, /Trop de connexions échouées\. Réessayez dans \d+ minutes, ou réinitialisez votre mot de passe\./);
  assertTranslated(throttled.html, "fr", "the throttled log-in form");

  // An error page: the Organizr's delete without the confirmation box ticked.
  const member = new WebClient(server);
  await member.logIn(owner);
  await member.get("/language?lang=ar&return=/organize");
  const organizr = await member.get("/organize");
  const id = /name="photoIds" value="(\d+)"/.exec(organizr.html)?.[1];
  assert.ok(id, "the Organizr lists the owner's photos");
  const notTicked = await member.post("/organize", [["photoIds", id], ["intent", "delete"]]);
  assert.equal(notTicked.status, 400);
  assertLanguage(notTicked.html, "ar", "the error page");
  assert.ok(notTicked.html.includes((CATALOGS.ar as Record<string, string>)["errors.batch.confirmDelete"]!), "the refusal in Arabic");
  assertTranslated(notTicked.html, "ar", "the error page");
  const missing = await visit("/photos/nosuchmember", { language: "de" });
  assert.equal(missing.status, 404);
  assert.ok(missing.html.includes("Es gibt kein Mitglied mit diesem Namen."));

  // The JSON API: `message` is the documented English whatever the language, `localizedMessage` the request's.
  const form = new FormData();
  form.append("file", new Blob([Buffer.from("%PDF-1.4 not a photo")]), "notes.pdf");
  const upload = await fetch(`${server.url}/api/v1/photos`, { method: "POST", body: form, headers: { authorization: `Bearer ${owner.token}`, "accept-language": "ja" } });
  assert.equal(upload.status, 415);
  const body = (await upload.json()) as { error: { code: string; message: string; localizedMessage: string } };
  assert.equal(body.error.code, "unsupported_media_type");
  assert.equal(body.error.message, CATALOGS.en["errors.upload.notAnImage"]);
  assert.equal(body.error.localizedMessage, ja["errors.upload.notAnImage"]);
  assert.equal(upload.headers.get("content-language"), "ja");
  const plain = await api(server, "GET", "/api/v1/photos/999999999");
  assert.equal(plain.body.error.message, plain.body.error.localizedMessage, "without a language asked for, both are English");
});
