import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { CATALOGS } from "../../src/i18n/messages/index.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { page as renderPage } from "../../src/web/layout.ts";
import { html } from "../../src/web/html.ts";

let server: TestServer;
let owner: Member;
let visitor: Member;
let photoPath: string;
const CAMERA = "X100V";

before(async () => {
  server = await startServer();
  owner = await buildMember(server);
  visitor = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "Harbour fog", tags: "harbour night", visibility: "public" });
  photoPath = `/photos/${owner.username}/${photo.id}`;
  // A second photo with a date taken and a camera, as metadata extraction would leave them, for
  // the archives' calendar and the camera page; a licence whose name the page translates.
  const dated = await buildDistinctPhoto(server, owner, { title: "Dawn pier", visibility: "public", license: "cc-by-sa-4.0" });
  await server.context.database.db.updateTable("photos").set({ taken_at: "2024-05-17T08:00:00", camera_make: "Fujifilm", camera_model: CAMERA }).where("id", "=", Number(dated.id)).execute();
});
after(async () => server.close());

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
    const tags = /<\/?div\b[^>]*>/g;
    tags.lastIndex = start;
    let depth = 0;
    let end = out.length;
    for (let tag = tags.exec(out); tag; tag = tags.exec(out)) {
      depth += tag[0].startsWith("</") ? -1 : 1;
      if (depth === 0) {
        end = tag.index + tag[0].length;
        break;
      }
    }
    out = out.slice(0, start) + out.slice(end);
  }
  return out;
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
  const pages: Array<{ path: string; member?: Member }> = [
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
    { path: "/no/such/page" },
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
    { path: "/photos/nosuchmember" },
  ];
  // The check itself finds English: an English page fails it.
  const english = await visit(photoPath);
  assert.throws(() => assertTranslated(english.html, "ja", "the English photo page"), /in English/);
  assert.throws(() => assertTranslated(english.html.replace("Recent photos", "home.title").replace(/<main/, "<p>nav.logIn</p><main"), "en", "a page with a raw key"), /raw key/);
  for (const locale of ["ja", "ar", "de", "es", "fr"] as const) {
    for (const { path, member } of pages) {
      const where = `${path}${member ? " (member)" : ""}`;
      const page = await visit(path, { language: `${locale}, en;q=0.5`, member });
      assert.ok(page.status === 200 || (["/no/such/page", "/photos/nosuchmember"].includes(path) && page.status === 404), `${where}: ${page.status}`);
      assertLanguage(page.html, locale, where);
      assertTranslated(page.html, locale, where);
      if (page.status === 200) {
        assert.equal(page.headers.get("content-language"), locale);
        assert.match(page.headers.get("vary") ?? "", /accept-language/i, "caches keep one copy per language");
      }
    }
  }
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
