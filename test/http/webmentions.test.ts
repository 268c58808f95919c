import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { eventually } from "../helpers/browser.ts";

/** A blog on loopback: its pages are set by each test; it records what was asked of it. */
class SourceSite {
  readonly pages = new Map<string, { status: number; body: string; location?: string }>();
  readonly requested: string[] = [];
  private readonly server = http.createServer((request, response) => {
    this.requested.push(request.url ?? "");
    const page = this.pages.get(request.url ?? "") ?? { status: 404, body: "not here" };
    response.writeHead(page.status, { "content-type": "text/html; charset=utf-8", ...(page.location ? { location: page.location } : {}) });
    response.end(page.body);
  });
  static async start(): Promise<SourceSite> {
    const site = new SourceSite();
    await new Promise<void>((resolve) => site.server.listen(0, "127.0.0.1", resolve));
    return site;
  }
  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let server: TestServer;
let site: SourceSite;
before(async () => {
  // Loopback is let through for the blog above; private networks stay closed even so.
  server = await startServer({ PINHOLE_WEBMENTION_ALLOW_LOOPBACK: "1" });
  site = await SourceSite.start();
});
after(async () => {
  await site.close();
  await server.close();
});

const pageUrl = (photo: PhotoJson) => `${server.url}/photos/${photo.owner.username}/${photo.id}`;
const send = async (target: string, source: string, base = server.url) => {
  const response = await fetch(`${base}/webmention`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ source, target }) });
  return { status: response.status, body: (await response.json()) as { status?: string; error?: { message: string } } };
};
const mentionsAs = async (photo: PhotoJson, viewer?: Member) => (await api(server, "GET", `/api/v1/photos/${photo.id}/webmentions`, { token: viewer?.token })).body.mentions as Array<{ id: string; source: string; title: string; status: string; author: { name: string | null; url: string | null } | null }>;
const blogPost = (title: string, links: string[]) =>
  `<!doctype html><html><head><title>${title}</title><meta name="author" content="Blog Writer"></head><body><p>Look: ${links.map((l) => `<a href="${l}">this</a>`).join(" ")}</p></body></html>`;

test("photo pages name the webmention endpoint in a Link header and a <link>", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner);
  const response = await fetch(pageUrl(photo));
  assert.equal(response.headers.get("link"), `<${server.url}/webmention>; rel="webmention"`);
  assert.match(await response.text(), new RegExp(`<link rel="webmention" href="${server.url}/webmention">`));
});

test("a mention held for approval: fetched, checked, shown to the owner, then to everyone once approved", async () => {
  const owner = await buildMember(server);
  const visitor = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "linked" });
  site.pages.set("/trip", { status: 200, body: blogPost("Our trip &amp; its boats", [pageUrl(photo)]) });
  const accepted = await send(pageUrl(photo), site.url("/trip"));
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  const [pending] = await eventually(() => mentionsAs(photo, owner), (list) => list.length === 1, "the owner sees the pending mention");
  assert.equal(pending!.status, "pending");
  assert.equal(pending!.title, "Our trip & its boats");
  assert.deepEqual(pending!.author, { name: "Blog Writer", url: null });
  assert.deepEqual(await mentionsAs(photo, visitor), [], "others see nothing until the owner approves");
  assert.deepEqual(await mentionsAs(photo), []);
  assert.equal((await api(server, "POST", `/api/v1/webmentions/${pending!.id}/approve`, { token: visitor.token })).status, 403);

  const web = new WebClient(server);
  await web.logIn(owner);
  const ownerPage = await web.get(`/photos/${owner.username}/${photo.id}`);
  assert.match(ownerPage.html, /Waiting for your approval/);
  const approved = await web.post(`/webmentions/${pending!.id}/approve`, {});
  assert.equal(approved.status, 303);
  const [shown] = await mentionsAs(photo);
  assert.equal(shown!.status, "approved");
  const publicPage = await new WebClient(server).get(`/photos/${owner.username}/${photo.id}`);
  assert.match(publicPage.html, new RegExp(`<a href="${site.url("/trip")}" rel="nofollow ugc noopener">Our trip &amp; its boats</a> by Blog Writer`));

  // Sent again after the post dropped the link: the mention goes (Webmention's update and delete).
  site.pages.set("/trip", { status: 200, body: blogPost("Our trip", ["https://elsewhere.example/"]) });
  assert.equal((await send(pageUrl(photo), site.url("/trip"))).status, 202);
  await eventually(() => mentionsAs(photo, owner), (list) => list.length === 0, "a source that no longer links is forgotten");
});

test("with 'show at once' a mention appears without approval; a source that is gone takes it away; 'off' refuses", async () => {
  const owner = await buildMember(server);
  assert.equal((await api(server, "PUT", "/api/v1/me/settings/webmentions", { token: owner.token, json: { policy: "show" } })).status, 200);
  const photo = await buildDistinctPhoto(server, owner);
  site.pages.set("/open", { status: 200, body: blogPost("Open post", [pageUrl(photo)]) });
  site.pages.set("/no-link", { status: 200, body: blogPost("Unrelated", [`${server.url}/`]) });
  assert.equal((await send(pageUrl(photo), site.url("/open"))).status, 202);
  assert.equal((await send(pageUrl(photo), site.url("/no-link"))).status, 202);
  await eventually(() => mentionsAs(photo), (list) => list.length === 1 && list[0]!.status === "approved", "shown at once");
  await eventually(async () => site.requested.filter((r) => r === "/no-link").length, (n) => n >= 1, "the page without a link was fetched");
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual((await mentionsAs(photo)).map((m) => m.title), ["Open post"], "a page that does not link is not kept");
  site.pages.set("/open", { status: 410, body: "gone" });
  assert.equal((await send(pageUrl(photo), site.url("/open"))).status, 202);
  await eventually(() => mentionsAs(photo), (list) => list.length === 0, "a deleted source takes its mention away");

  assert.equal((await api(server, "PUT", "/api/v1/me/settings/webmentions", { token: owner.token, json: { policy: "off" } })).status, 200);
  const off = await send(pageUrl(photo), site.url("/open"));
  assert.equal(off.status, 400);
  assert.match(off.body.error!.message, /does not take webmentions/);
  assert.equal((await api(server, "PUT", "/api/v1/me/settings/webmentions", { token: owner.token, json: { policy: "sometimes" } })).status, 400);
});

test("bad requests are refused at once: not a photo here, not public, not http, the same page", async () => {
  const owner = await buildMember(server);
  const open = await buildDistinctPhoto(server, owner);
  const closed = await buildDistinctPhoto(server, owner, { visibility: "friends" });
  const cases: Array<[string, string]> = [
    ["https://elsewhere.example/photos/x/1", site.url("/a")],
    [`${server.url}/explore`, site.url("/a")],
    [pageUrl(closed), site.url("/a")],
    [`${server.url}/photos/${owner.username}/999999999999`, site.url("/a")],
    [pageUrl(open), "ftp://example.org/file"],
    [pageUrl(open), "not a url"],
    [pageUrl(open), pageUrl(open)],
  ];
  for (const [target, source] of cases) assert.equal((await send(target, source)).status, 400, `${target} from ${source}`);
  const missing = await fetch(`${server.url}/webmention`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "source=x" });
  assert.equal(missing.status, 400);
});

test("a refusal's message stays English for programs, and localizedMessage says it in the sender's language", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner);
  assert.equal((await api(server, "PUT", "/api/v1/me/settings/webmentions", { token: owner.token, json: { policy: "off" } })).status, 200);
  const sendIn = async (language: string, target: string, source: string) => {
    const response = await fetch(`${server.url}/webmention`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "accept-language": language }, body: new URLSearchParams({ source, target }) });
    return { status: response.status, error: ((await response.json()) as { error: { message: string; localizedMessage: string } }).error };
  };
  const off = await sendIn("ja", pageUrl(photo), site.url("/a"));
  assert.equal(off.status, 400);
  assert.equal(off.error.message, "The owner of this photo does not take webmentions.");
  assert.equal(off.error.localizedMessage, "この写真の持ち主は Webmention を受け付けていません。");
  const notHttp = await sendIn("de", pageUrl(photo), "ftp://example.org/file");
  assert.equal(notHttp.error.message, "source must be an absolute http or https URL.");
  assert.equal(notHttp.error.localizedMessage, "source muss eine vollständige http- oder https-URL sein.", "the field is named as sent");
});

test("the fetch never reaches forbidden addresses: loopback without the switch, private networks through a redirect, oversized pages", async () => {
  const strict = await startServer();
  try {
    const owner = await buildMember(strict);
    const photo = await buildDistinctPhoto(strict, owner);
    await api(strict, "PUT", "/api/v1/me/settings/webmentions", { token: owner.token, json: { policy: "show" } });
    const target = `${strict.url}/photos/${owner.username}/${photo.id}`;
    site.pages.set("/strict", { status: 200, body: blogPost("Strict", [target]) });
    const before = site.requested.length;
    assert.equal((await send(target, site.url("/strict"), strict.url)).status, 202);
    const pendingChecks = () => strict.context.database.db.selectFrom("jobs").select("id").where("kind", "=", "webmention.verify").execute();
    await eventually(pendingChecks, (jobs) => jobs.length === 0, "the check ran and ended, refused rather than retried");
    assert.equal(site.requested.length, before, "loopback is never fetched by default");
    assert.deepEqual((await api(strict, "GET", `/api/v1/photos/${photo.id}/webmentions`)).body.mentions, []);
  } finally {
    await strict.close();
  }

  const owner = await buildMember(server);
  await api(server, "PUT", "/api/v1/me/settings/webmentions", { token: owner.token, json: { policy: "show" } });
  const photo = await buildDistinctPhoto(server, owner);
  site.pages.set("/to-metadata", { status: 302, body: "", location: "http://169.254.169.254/latest/meta-data/" });
  site.pages.set("/to-private", { status: 302, body: "", location: "http://10.11.12.13/" });
  site.pages.set("/huge", { status: 200, body: blogPost("Huge", [pageUrl(photo)]) + "x".repeat(2 * 1024 * 1024) });
  for (const path of ["/to-metadata", "/to-private", "/huge"]) assert.equal((await send(pageUrl(photo), site.url(path))).status, 202);
  await eventually(async () => ["/to-metadata", "/to-private", "/huge"].every((p) => site.requested.includes(p)), Boolean, "the sources were asked");
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(await mentionsAs(photo), [], "nothing kept from a forbidden redirect or an oversized page");
  const left = await server.context.database.db.selectFrom("jobs").select(["state", "attempts", "last_error"]).where("kind", "=", "webmention.verify").execute();
  assert.deepEqual(left, [], "refusals are final: no job is left to retry them");
});

test("a sender may queue 30 webmentions an hour and a photo may receive 200, then 429 with Retry-After; the counts are shared through the database", async () => {
  const proxied = await startServer({ PINHOLE_TRUST_PROXY: "1" });
  try {
    const owner = await buildMember(proxied);
    const photo = await buildDistinctPhoto(proxied, owner);
    const other = await buildDistinctPhoto(proxied, owner);
    const target = (p: PhotoJson) => `${proxied.url}/photos/${p.owner.username}/${p.id}`;
    const from = (address: string, to: PhotoJson, n: number) =>
      fetch(`${proxied.url}/webmention`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": address }, body: new URLSearchParams({ source: `https://blog.example/post-${n}`, target: target(to) }) });
    for (let n = 0; n < 30; n++) assert.equal((await from("203.0.113.5", photo, n)).status, 202);
    const over = await from("203.0.113.5", other, 30);
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get("retry-after")) > 3000, "try again once the oldest of the hour's mentions is an hour old");
    assert.match(((await over.json()) as { error: { message: string } }).error.message, /Too many webmentions from your address/);
    const overInSpanish = await fetch(`${proxied.url}/webmention`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "203.0.113.5", "accept-language": "es" },
      body: new URLSearchParams({ source: "https://blog.example/post-es", target: target(other) }),
    });
    assert.equal(overInSpanish.status, 429);
    assert.equal(((await overInSpanish.json()) as { error: { localizedMessage: string } }).error.localizedMessage, "Demasiadas webmentions desde tu dirección en la última hora; envía el resto más tarde.");
    assert.equal((await from("203.0.113.6", other, 31)).status, 202, "another sender is not held back");

    for (let n = 0; n < 170; n++) assert.equal((await from(`198.51.100.${n}`, photo, 100 + n)).status, 202);
    const flooded = await from("192.0.2.1", photo, 999);
    assert.equal(flooded.status, 429, "a photo takes at most 200 an hour, whoever sends them");
    assert.equal((await from("192.0.2.1", other, 1000)).status, 202);
    const bad = await fetch(`${proxied.url}/webmention`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "203.0.113.5" }, body: new URLSearchParams({ source: "ftp://x", target: target(photo) }) });
    assert.equal(bad.status, 400, "bad input is still a 400 first");
  } finally {
    await proxied.close();
  }
});
