import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type PhotoJson } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { parseFeed } from "../helpers/feeds.ts";
import { child, children } from "../helpers/xml.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const fetchFeed = async (path: string, token?: string) => {
  const response = await fetch(server.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, type: response.headers.get("content-type") ?? "", cache: response.headers.get("cache-control"), text: await response.text() };
};
const readFeed = async (path: string, token?: string) => {
  const answer = await fetchFeed(path, token);
  assert.equal(answer.status, 200, `${path}: ${answer.text.slice(0, 300)}`);
  assert.match(answer.type, path.endsWith(".atom") ? /^application\/atom\+xml/ : /^application\/rss\+xml/);
  return { ...(await parseFeed(answer.text)), text: answer.text };
};
const links = (items: Array<{ link: string }>) => items.map((i) => i.link);
const pageOf = (photo: PhotoJson) => `${server.url}/photos/${photo.owner.username}/${photo.id}`;

test("a photostream's Atom and RSS feeds carry its public photos with Media RSS, and GeoRSS only where everyone may see the place", async () => {
  const owner = await buildMember(server);
  const friend = await buildMember(server);
  await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } });
  const open = await buildDistinctPhoto(server, owner, { title: `Boats <at> dawn & "mist"\u0007`, description: "Calm water, see https://example.org/boats", tags: 'harbour "first light"', license: "cc-by-4.0" }, { width: 1200, height: 800 });
  const placed = await buildDistinctPhoto(server, owner, { title: "placed" });
  const secretPlace = await buildDistinctPhoto(server, owner, { title: "secret place" });
  const friendsOnly = await buildDistinctPhoto(server, owner, { title: "friends only", visibility: "friends" });
  const restricted = await buildDistinctPhoto(server, owner, { title: "restricted", restricted: "true" });
  const mine = await buildDistinctPhoto(server, owner, { title: "only me", visibility: "private" });
  assert.equal((await api(server, "PUT", `/api/v1/photos/${placed.id}/location`, { token: owner.token, json: { latitude: 54.5801, longitude: -3.1386, visibility: "everyone" } })).status, 200);
  assert.equal((await api(server, "PUT", `/api/v1/photos/${secretPlace.id}/location`, { token: owner.token, json: { latitude: 12.3456, longitude: 65.4321, visibility: "contacts" } })).status, 200);

  for (const format of ["atom", "rss"]) {
    // The owner's own token changes nothing: a feed is what anyone may see.
    const feed = await readFeed(`/photos/${owner.username}/feed.${format}`, owner.token);
    assert.equal(feed.meta.title, `${owner.username}'s photostream`);
    assert.equal(feed.meta.link, `${server.url}/photos/${owner.username}`);
    assert.deepEqual(links(feed.items), [secretPlace, placed, open].map(pageOf), `${format}: public photos only, newest first`);
    for (const hidden of [friendsOnly, restricted, mine]) assert.ok(!feed.text.includes(hidden.id), `${format} leaks ${hidden.title}`);
    const item = feed.items[2]!;
    assert.equal(item.title, `Boats <at> dawn & "mist"`);
    assert.equal(item.guid, pageOf(open));
    assert.ok(Math.abs(new Date(item.pubdate ?? 0).getTime() - Date.parse(open.uploadedAt)) < 1000, `${format} pubdate ${String(item.pubdate)} vs ${open.uploadedAt}`);
    assert.deepEqual(item.categories.sort(), ["firstlight", "harbour"], "tags by their URL form, as the scheme names them");
    assert.match(item.description, /<img src="http[^"]+\/img\/[^"]+"/);
    assert.match(item.description, /<a href="https:\/\/example.org\/boats" rel="nofollow ugc"|<a [^>]*href="https:\/\/example.org\/boats"/);
    assert.match(item.description, /creativecommons.org\/licenses\/by\/4.0/);
    const media = item["media:content"] as { "@": { url: string; width: string; medium: string } };
    assert.equal(media["@"].medium, "image");
    assert.equal(Number(media["@"].width), 1024);
    assert.equal((await fetch(media["@"].url)).status, 200, "the image is served");
    assert.equal(item.author, owner.username);
    const point = feed.items[1]!["georss:point"] as { "#": string } | undefined;
    assert.equal(point?.["#"], "54.5801 -3.1386");
    assert.equal(feed.items[0]!["georss:point"], undefined);
    assert.ok(!feed.text.includes("12.3456") && !feed.text.includes("65.4321"), "a place shown to contacts only is not in the feed");
  }
  const atom = await readFeed(`/photos/${owner.username}/feed.atom`);
  assert.equal(atom.document.name, "feed");
  assert.equal(child(atom.document, "link")?.attributes.rel, "self");
  for (const entry of children(atom.document, "entry")) {
    for (const required of ["id", "title", "updated", "author", "link", "content"]) assert.ok(child(entry, required), `every entry has <${required}>`);
  }
  const rss = await readFeed(`/photos/${owner.username}/feed.rss`);
  assert.equal(rss.document.name, "rss");
  assert.equal(rss.document.attributes.version, "2.0");
});

test("tag, member tag, faves, group pool and comments feeds hold only what an anonymous visitor may see", async () => {
  const owner = await buildMember(server);
  const fan = await buildMember(server);
  const word = `kite${Date.now()}`;
  const shown = await buildDistinctPhoto(server, owner, { title: "shown", tags: word });
  const hidden = await buildDistinctPhoto(server, owner, { title: "hidden", tags: word, visibility: "family" });
  const others = await buildDistinctPhoto(server, fan, { title: "fan's", tags: word });
  assert.deepEqual(links((await readFeed(`/photos/tags/${word}/feed.atom`)).items), [others, shown].map(pageOf));
  assert.deepEqual(links((await readFeed(`/photos/${owner.username}/tags/${word}/feed.rss`)).items), [shown].map(pageOf));

  await api(server, "PUT", `/api/v1/contacts/${fan.username}`, { token: owner.token, json: { family: true } });
  for (const photo of [shown, hidden]) assert.ok([200, 201].includes((await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: fan.token })).status));
  const faves = await readFeed(`/photos/${fan.username}/favorites/feed.atom`, fan.token);
  assert.deepEqual(links(faves.items), [shown].map(pageOf), "a family-only photo the fan may see stays out of the feed");

  assert.equal((await api(server, "POST", `/api/v1/photos/${shown.id}/comments`, { token: fan.token, json: { text: "Lovely <b>kite</b>" } })).status, 201);
  assert.equal((await api(server, "POST", `/api/v1/photos/${hidden.id}/comments`, { token: fan.token, json: { text: "family secret" } })).status, 201);
  const comments = await readFeed(`/photos/${owner.username}/comments/feed.rss`);
  assert.equal(comments.items.length, 1);
  assert.equal(comments.items[0]!.title, `${fan.username} on “shown”`);
  assert.match(comments.items[0]!.link, new RegExp(`${pageOf(shown)}#comment-\\d+$`));
  assert.match(comments.items[0]!.description, /Lovely &lt;b&gt;kite&lt;\/b&gt;/);
  assert.ok(!comments.text.includes("family secret"));

  const group = await api(server, "POST", "/api/v1/groups", { token: owner.token, json: { name: `Kites ${word}`, privacy: "public" } });
  const closed = await api(server, "POST", "/api/v1/groups", { token: owner.token, json: { name: `Secret kites ${word}`, privacy: "invitation" } });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  for (const photo of [shown, hidden]) assert.equal((await api(server, "POST", `/api/v1/groups/${group.body.id}/pool`, { token: owner.token, json: { photoId: photo.id } })).status, 201);
  const pool = await readFeed(`/groups/${group.body.slug}/pool/feed.atom`);
  assert.equal(pool.meta.title, `Kites ${word}: group pool`);
  assert.deepEqual(links(pool.items), [shown].map(pageOf));
  assert.notEqual((await fetchFeed(`/groups/${closed.body.slug}/pool/feed.atom`, owner.token)).status, 200, "an invitation-only pool has no feed");
  const groupPage = await new WebClient(server).get(`/groups/${group.body.slug}`);
  assert.match(groupPage.html, new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="[^"]+" href="/groups/${group.body.slug}/pool/feed.atom">`));

  const album = await api(server, "POST", "/api/v1/albums", { token: owner.token, json: { title: `Kites album ${word}`, description: "Up high" } });
  assert.equal((await api(server, "POST", `/api/v1/albums/${album.body.id}/photos`, { token: owner.token, json: { photoIds: [shown.id, hidden.id] } })).status < 300, true);
  const albumFeed = await readFeed(`/photos/${owner.username}/albums/${album.body.id}/feed.rss`, owner.token);
  assert.equal(albumFeed.meta.title, `Kites album ${word} by ${owner.username}`);
  assert.deepEqual(links(albumFeed.items), [shown].map(pageOf), "the album's feed holds its public photos only");
  const albumPage = await new WebClient(server).get(`/photos/${owner.username}/albums/${album.body.id}`);
  assert.match(albumPage.html, new RegExp(`href="/photos/${owner.username}/albums/${album.body.id}/feed.atom"`));
  assert.match(albumPage.html, new RegExp(`<meta property="og:title" content="Kites album ${word}">`));
  assert.match(albumPage.html, /"@type":"ImageGallery"/);

  assert.equal((await fetchFeed("/photos/nobody-here-at-all/feed.atom")).status, 404);
  assert.equal((await fetchFeed(`/photos/${owner.username}/feed.json`)).status, 400);
});

test("a missing member's feed, opened in a browser, says so in the browser's language", async () => {
  const response = await fetch(`${server.url}/photos/nobody-here-at-all/feed.rss`, { headers: { accept: "text/html", "accept-language": "de" } });
  assert.equal(response.status, 404);
  const page = await response.text();
  assert.match(page, /<html lang="de"/);
  assert.match(page, /Es gibt kein Mitglied mit diesem Namen\./);
  assert.doesNotMatch(page, /There is no member with that name/);
});

test("pages name their feeds for browsers and feed readers", async () => {
  const owner = await buildMember(server);
  await buildDistinctPhoto(server, owner, { tags: "lighthouse" });
  const web = new WebClient(server);
  const expectations: Array<[string, string]> = [
    [`/photos/${owner.username}`, `/photos/${owner.username}/feed`],
    [`/photos/${owner.username}`, `/photos/${owner.username}/comments/feed`],
    ["/photos/tags/lighthouse", "/photos/tags/lighthouse/feed"],
    [`/photos/${owner.username}/tags/lighthouse`, `/photos/${owner.username}/tags/lighthouse/feed`],
    [`/photos/${owner.username}/favorites`, `/photos/${owner.username}/favorites/feed`],
  ];
  for (const [pagePath, feedPath] of expectations) {
    const { html } = await web.get(pagePath);
    assert.match(html, new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="[^"]+" href="${feedPath}.atom">`), `${pagePath} names ${feedPath}.atom`);
    assert.match(html, new RegExp(`<link rel="alternate" type="application/rss\\+xml" title="[^"]+" href="${feedPath}.rss">`), `${pagePath} names ${feedPath}.rss`);
    assert.equal((await fetchFeed(`${feedPath}.atom`)).status, 200);
  }
  const answer = await fetchFeed(`/photos/${owner.username}/feed.atom`);
  assert.equal(answer.cache, "public, max-age=300");
});
