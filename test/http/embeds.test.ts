import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type PhotoJson } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { child, parseXml } from "../helpers/xml.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const oembed = async (query: Record<string, string>) => {
  const response = await fetch(`${server.url}/services/oembed?${new URLSearchParams(query)}`);
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", cors: response.headers.get("access-control-allow-origin"), text, json: response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null };
};
const pageUrl = (photo: PhotoJson) => `${server.url}/photos/${photo.owner.username}/${photo.id}`;
const attribute = (html: string, pattern: RegExp) => pattern.exec(html)?.[1]?.replace(/&amp;/g, "&");

test("oEmbed answers a public photo with the largest size that fits, in JSON and XML", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: `Pier <at> "dusk"`, license: "cc-by-sa-4.0" }, { width: 3000, height: 2000 });
  const whole = await oembed({ url: pageUrl(photo) });
  assert.equal(whole.status, 200, whole.text);
  assert.match(whole.type, /^application\/json/);
  assert.equal(whole.cors, "*");
  const answer = whole.json;
  assert.equal(answer.version, "1.0");
  assert.equal(answer.type, "photo");
  assert.equal(answer.title, `Pier <at> "dusk"`);
  assert.equal(answer.author_name, owner.username);
  assert.equal(answer.author_url, `${server.url}/photos/${owner.username}`);
  assert.equal(answer.provider_name, "Pinhole");
  assert.equal(answer.web_page, pageUrl(photo));
  assert.equal(answer.width, 2048, "without bounds, the largest size");
  assert.equal(answer.license_url, "https://creativecommons.org/licenses/by-sa/4.0/");
  assert.match(answer.html, /<img src="[^"]+" width="2048" height="1365" alt="Pier &lt;at&gt; &quot;dusk&quot;">/);
  assert.equal((await fetch(answer.url)).status, 200);
  assert.equal((await fetch(answer.thumbnail_url)).status, 200);
  assert.ok(answer.thumbnail_width <= 240 && answer.thumbnail_height <= 240);

  const bounded = (await oembed({ url: pageUrl(photo), maxwidth: "700", maxheight: "400" })).json;
  assert.deepEqual([bounded.width, bounded.height], [500, 333], "640 × 427 is too tall for 400");
  const tiny = (await oembed({ url: pageUrl(photo), maxwidth: "10" })).json;
  assert.equal(tiny.width, 100, "nothing fits: the smallest size");

  const xml = await oembed({ url: pageUrl(photo), format: "xml", maxwidth: "800" });
  assert.equal(xml.status, 200);
  assert.match(xml.type, /^text\/xml/);
  const root = parseXml(xml.text);
  assert.equal(root.name, "oembed");
  assert.equal(child(root, "type")?.text, "photo");
  assert.equal(child(root, "width")?.text, "800");
  assert.equal(child(root, "title")?.text, `Pier <at> "dusk"`);
});

test("oEmbed tells a private photo from a missing one by nothing, and refuses what it cannot do", async () => {
  const owner = await buildMember(server);
  const hidden = await buildDistinctPhoto(server, owner, { visibility: "friends" });
  const restricted = await buildDistinctPhoto(server, owner, { restricted: "true" });
  const open = await buildDistinctPhoto(server, owner);
  const missing = await oembed({ url: `${server.url}/photos/${owner.username}/123456789012` });
  assert.equal(missing.status, 404);
  for (const photo of [hidden, restricted]) {
    const answer = await oembed({ url: pageUrl(photo) });
    assert.equal(answer.status, 404);
    assert.equal(answer.text, missing.text.replace(/"requestId":"[^"]*"/, answer.text.match(/"requestId":"[^"]*"/)?.[0] ?? ""), "the same answer as for no photo");
  }
  assert.equal((await oembed({ url: `https://elsewhere.example/photos/${owner.username}/${open.id}` })).status, 404);
  assert.equal((await oembed({ url: `${server.url}/photos/someone-else/${open.id}` })).status, 404);
  assert.equal((await oembed({ url: "not a url" })).status, 400);
  assert.equal((await oembed({})).status, 400);
  assert.equal((await oembed({ url: pageUrl(open), format: "yaml" })).status, 501);
  assert.equal((await oembed({ url: pageUrl(open), maxwidth: "-3" })).status, 400);
});

test("oEmbed's refusals keep their English message and add localizedMessage in the asker's language", async () => {
  const owner = await buildMember(server);
  const hidden = await buildDistinctPhoto(server, owner, { visibility: "friends" });
  const ask = async (query: Record<string, string>, language: string) => {
    const response = await fetch(`${server.url}/services/oembed?${new URLSearchParams(query)}`, { headers: { "accept-language": language } });
    return { status: response.status, error: ((await response.json()) as { error: { message: string; localizedMessage: string } }).error };
  };
  const closed = await ask({ url: pageUrl(hidden) }, "ja");
  assert.equal(closed.status, 404);
  assert.equal(closed.error.message, "There is no such photo, or it is not public.");
  assert.equal(closed.error.localizedMessage, "そのような写真はないか、公開されていません。");
  const elsewhere = await ask({ url: `https://elsewhere.example/photos/${owner.username}/${hidden.id}` }, "de");
  assert.equal(elsewhere.error.localizedMessage, "Diese Adresse ist keine Fotoseite dieser Website.");
  const yaml = await ask({ url: pageUrl(hidden), format: "yaml" }, "fr");
  assert.equal(yaml.status, 501);
  assert.equal(yaml.error.message, "format must be json or xml.");
  assert.equal(yaml.error.localizedMessage, "format doit valoir json ou xml.");
});

test("a public photo's page carries link previews, schema.org data and oEmbed discovery; a private one's does not", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "Harbour </script> lights", description: "Boats at night", tags: "harbour night" }, { width: 1600, height: 1200 });
  assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude: 50.1, longitude: -5.5, visibility: "private" } })).status, 200);
  const ownerWeb = new WebClient(server);
  await ownerWeb.logIn(owner);
  for (const web of [new WebClient(server), ownerWeb]) {
    const { html } = await web.get(`/photos/${owner.username}/${photo.id}`);
    assert.equal(attribute(html, /<meta property="og:title" content="([^"]*)">/), "Harbour &lt;/script&gt; lights");
    assert.equal(attribute(html, /<meta property="og:url" content="([^"]*)">/), pageUrl(photo));
    const image = attribute(html, /<meta property="og:image" content="([^"]*)">/);
    assert.ok(image);
    assert.equal((await fetch(image)).status, 200);
    assert.match(html, /<meta name="twitter:card" content="summary_large_image">/);
    const discovery = attribute(html, /<link rel="alternate" type="application\/json\+oembed" href="([^"]*)"/);
    assert.ok(discovery);
    const discovered = await fetch(discovery);
    assert.equal(discovered.status, 200);
    assert.equal(((await discovered.json()) as { web_page: string }).web_page, pageUrl(photo));
    const ld = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1];
    assert.ok(ld, "schema.org data");
    const data = JSON.parse(ld);
    assert.equal(data["@type"], "Photograph");
    assert.equal(data.name, "Harbour </script> lights");
    assert.equal(data.author.name, owner.username);
    assert.equal(data.contentLocation, undefined, "a location kept from everyone is not described, even to its owner's page");
  }
  const secret = await buildDistinctPhoto(server, owner, { title: "secret", visibility: "private" });
  const { html } = await ownerWeb.get(`/photos/${owner.username}/${secret.id}`);
  assert.doesNotMatch(html, /og:image|json\+oembed|application\/ld\+json/);
  assert.match(html, /Only people allowed to see this photo can open its page/);
});

test("the Share panel offers HTML, BBCode and Markdown snippets and the URL of every size", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "Gull [one]" }, { width: 1200, height: 900 });
  const { html } = await new WebClient(server).get(`/photos/${owner.username}/${photo.id}`);
  const textareas = /<textarea id="([^"]+)" readonly rows="3">([^<]*)<\/textarea>/g;
  const snippets = new Map([...html.matchAll(textareas)].map((m) => [m[1], m[2]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&")]));
  const large = photo.sizes.find((s) => s.name === "1024" && s.format === "jpeg")!;
  assert.equal(snippets.get("share-html"), `<a href="${pageUrl(photo)}" title="Gull [one] by ${owner.username}"><img src="${large.url}" width="1024" height="768" alt="Gull [one]"></a>`);
  assert.equal(snippets.get("share-bbcode"), `[url=${pageUrl(photo)}][img]${large.url}[/img][/url]\n[url=${pageUrl(photo)}]Gull [one][/url] by [url=${server.url}/photos/${owner.username}]${owner.username}[/url]`);
  assert.equal(snippets.get("share-markdown"), `[![Gull \\[one\\]](${large.url})](${pageUrl(photo)})`);
  for (const size of photo.sizes) assert.ok(html.includes(`href="${size.url}"`), `${size.name}.${size.format} is listed`);
});

test("a member's photostream previews with their newest photo anyone may see", async () => {
  const owner = await buildMember(server);
  const open = await buildDistinctPhoto(server, owner, { title: "open" });
  await buildDistinctPhoto(server, owner, { title: "closed", visibility: "private" });
  const ownerWeb = new WebClient(server);
  await ownerWeb.logIn(owner);
  for (const web of [new WebClient(server), ownerWeb]) {
    const { html } = await web.get(`/photos/${owner.username}`);
    assert.equal(attribute(html, /<meta property="og:type" content="([^"]*)">/), "profile");
    assert.equal(attribute(html, /<meta property="og:image" content="([^"]*)">/), open.sizes.find((s) => s.name === "2048" && s.format === "jpeg")?.url ?? open.sizes.filter((s) => s.format === "jpeg" && !s.name.startsWith("sq")).at(-1)!.url, "never the private one, even on its owner's view");
    const data = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)![1]!);
    assert.equal(data["@type"], "ProfilePage");
    assert.equal(data.mainEntity.name, owner.username);
  }
});
