import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, WebClient } from "../helpers/client.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const commentCount = async (id: string) => {
  const row = await server.context.database.db.selectFrom("photos").select("comment_count").where("id", "=", Number(id)).executeTakeFirstOrThrow();
  return row.comment_count;
};

test("comments are posted, listed in order, edited by their author and deleted by the author or the photo's owner, keeping comment_count", async () => {
  const owner = await buildMember(server);
  const alice = await buildMember(server);
  const bob = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Sunset" });

  const first = await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: alice.token, json: { text: "  Lovely light  " } });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.text, "Lovely light");
  assert.equal(first.body.author.username, alice.username);
  assert.equal(first.body.photoId, photo.id);
  const second = await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: bob.token, json: { text: "Agreed" } });
  assert.equal(second.status, 201);
  assert.equal(await commentCount(photo.id), 2);

  const list = await api(server, "GET", `/api/v1/photos/${photo.id}/comments`);
  assert.deepEqual(list.body.comments.map((c: { text: string }) => c.text), ["Lovely light", "Agreed"]);
  assert.equal(list.body.nextPage, null);

  assert.equal((await api(server, "PATCH", `/api/v1/comments/${first.body.id}`, { token: bob.token, json: { text: "hijacked" } })).status, 403, "only the author edits");
  assert.equal((await api(server, "PATCH", `/api/v1/comments/${first.body.id}`, { token: owner.token, json: { text: "hijacked" } })).status, 403, "not even the photo's owner");
  const edited = await api(server, "PATCH", `/api/v1/comments/${first.body.id}`, { token: alice.token, json: { text: "Lovely light!" } });
  assert.equal(edited.status, 200);
  assert.equal(edited.body.text, "Lovely light!");
  assert.equal((await api(server, "PATCH", `/api/v1/comments/${first.body.id}`, { json: { text: "x" } })).status, 401);

  assert.equal((await api(server, "DELETE", `/api/v1/comments/${first.body.id}`, { token: bob.token })).status, 403, "another commenter cannot delete it");
  assert.equal((await api(server, "DELETE", `/api/v1/comments/${first.body.id}`)).status, 401);
  assert.equal((await api(server, "DELETE", `/api/v1/comments/${first.body.id}`, { token: alice.token })).status, 204, "the author deletes it");
  assert.equal((await api(server, "DELETE", `/api/v1/comments/${second.body.id}`, { token: owner.token })).status, 204, "the photo's owner deletes any comment on it");
  assert.equal((await api(server, "DELETE", `/api/v1/comments/${second.body.id}`, { token: owner.token })).status, 404);
  assert.equal(await commentCount(photo.id), 0);
});

test("comments are refused to anonymous callers (401), on photos the caller cannot see (404) and to blocked members (403)", async () => {
  const owner = await buildMember(server);
  const stranger = await buildMember(server);
  const blocked = await buildMember(server);
  const privatePhoto = await buildPhoto(server, owner, { visibility: "private" }, corpusFile("photos/grayscale.jpg"));
  const open = await buildPhoto(server, owner, {}, corpusFile("photos/china-roof.jpg"));
  const mine = await api(server, "POST", `/api/v1/photos/${privatePhoto.id}/comments`, { token: owner.token, json: { text: "note to self" } });
  assert.equal(mine.status, 201);

  assert.equal((await api(server, "POST", `/api/v1/photos/${open.id}/comments`, { json: { text: "hi" } })).status, 401);
  assert.equal((await api(server, "POST", `/api/v1/photos/${privatePhoto.id}/comments`, { token: stranger.token, json: { text: "hi" } })).status, 404);
  assert.equal((await api(server, "GET", `/api/v1/photos/${privatePhoto.id}/comments`, { token: stranger.token })).status, 404);
  assert.equal((await api(server, "PATCH", `/api/v1/comments/${mine.body.id}`, { token: stranger.token, json: { text: "x" } })).status, 404, "a comment on a photo you cannot see is not revealed");
  assert.equal((await api(server, "DELETE", `/api/v1/comments/${mine.body.id}`, { token: stranger.token })).status, 404);

  await api(server, "PUT", `/api/v1/blocks/${blocked.username}`, { token: owner.token });
  const refused = await api(server, "POST", `/api/v1/photos/${open.id}/comments`, { token: blocked.token, json: { text: "let me in" } });
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /blocked you/);
  assert.equal(await commentCount(open.id), 0);
});

test("comment text: 1 to 5000 characters, at most 5 links (400 with a clear message)", async () => {
  const owner = await buildMember(server);
  const writer = await buildMember(server);
  const photo = await buildPhoto(server, owner, {}, corpusFile("photos/forest-path.jpg"));
  const post = (text: string) => api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: writer.token, json: { text } });
  assert.equal((await post("")).status, 400);
  assert.equal((await post("   \n  ")).status, 400, "only spaces is empty");
  assert.equal((await post("x".repeat(5000))).status, 201);
  const long = await post("x".repeat(5001));
  assert.equal(long.status, 400);
  assert.match(long.body.error.message, /at most 5,000 characters/);
  const five = Array.from({ length: 5 }, (_, i) => `https://example.com/${i}`).join(" ");
  assert.equal((await post(five)).status, 201);
  const six = await post(`${five} http://example.org/6`);
  assert.equal(six.status, 400);
  assert.match(six.body.error.message, /at most 5 links/);
});

test("at most 30 comments per member per hour: the 31st is a 429 with Retry-After", async () => {
  const owner = await buildMember(server);
  const chatty = await buildMember(server);
  const photo = await buildPhoto(server, owner, {}, corpusFile("photos/evening-boats.jpg"));
  for (let i = 0; i < 30; i++) {
    assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: chatty.token, json: { text: `comment ${i}` } })).status, 201);
  }
  const refused = await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: chatty.token, json: { text: "one more" } });
  assert.equal(refused.status, 429);
  assert.match(refused.body.error.message, /30 comments in the last hour/);
  const retryAfter = Number(refused.headers.get("retry-after"));
  assert.ok(retryAfter > 3000 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
  assert.equal(await commentCount(photo.id), 30);
  // Another member is not affected.
  assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: owner.token, json: { text: "mine" } })).status, 201);
});

test("hostile markup is escaped and only http(s) links are made clickable, with rel=nofollow ugc noopener", async () => {
  const owner = await buildMember(server);
  const writer = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Target" }, corpusFile("photos/sunset-patagonia.jpg"));
  const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & see https://example.com/a?b=1&c=<x> or javascript:alert(3) and http://example.org/path.\nline two`;
  assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: writer.token, json: { text: hostile } })).status, 201);
  const web = new WebClient(server);
  const page = await web.get(`/photos/${owner.username}/${photo.id}`);
  const start = page.html.indexOf('id="comments"');
  // The comments part alone: other parts of the page (the Share panel) have links of their own.
  const section = page.html.slice(start, page.html.indexOf("</section>", start));
  assert.ok(!section.includes("<script>alert"), "no script element");
  assert.ok(!section.includes("<img src=x"), "no injected element");
  assert.ok(section.includes("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &quot;quoted&quot; &amp; see"));
  assert.ok(section.includes('<a href="https://example.com/a?b=1&amp;c=" rel="nofollow ugc noopener">https://example.com/a?b=1&amp;c=</a>&lt;x&gt;'), section.slice(0, 1500));
  assert.ok(section.includes('<a href="http://example.org/path" rel="nofollow ugc noopener">http://example.org/path</a>.<br>line two'), "trailing punctuation stays text; line breaks kept");
  assert.ok(!/href="javascript:/i.test(section), "javascript: is never a link");
  assert.equal((section.match(/<a href="http/g) ?? []).length, 2);
});

test("hidden comments are not shown, and the photo page form posts and deletes comments without JavaScript", async () => {
  const owner = await buildMember(server);
  const writer = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Form" }, corpusFile("photos/bridge-sydney.jpg"));
  const pagePath = `/photos/${owner.username}/${photo.id}`;
  const web = new WebClient(server);
  await web.logIn(writer);
  await web.get(pagePath);
  assert.equal((await web.post(`${pagePath}/comments`, { text: "nice" }, { withCsrf: false })).status, 403, "CSRF token required");
  const posted = await web.post(`${pagePath}/comments`, { text: "Posted from a form" });
  assert.equal(posted.status, 303);
  assert.match(posted.location ?? "", new RegExp(`^${pagePath}#comment-\\d+$`));
  let page = await web.get(pagePath);
  assert.match(page.html, /Posted from a form/);
  assert.ok(page.html.includes(`>${writer.username}</a>`));
  assert.match(page.html, /<time datetime="/);

  const tooLong = await web.post(`${pagePath}/comments`, { text: "y".repeat(5001) });
  assert.equal(tooLong.status, 400);
  assert.match(tooLong.html, /at most 5,000 characters/);

  const id = /id="comment-(\d+)"/.exec(page.html)?.[1];
  assert.ok(id);
  await server.context.database.db.updateTable("comments").set({ hidden_at: Date.now() }).where("id", "=", Number(id)).execute();
  page = await web.get(pagePath);
  assert.doesNotMatch(page.html, /Posted from a form/, "a hidden comment is not shown");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}/comments`)).body.comments.length, 0);
  await server.context.database.db.updateTable("comments").set({ hidden_at: null }).where("id", "=", Number(id)).execute();

  const removed = await web.post(`/comments/${id}/delete`, {});
  assert.equal(removed.status, 303);
  assert.equal(removed.location, `${pagePath}#comments`);
  assert.doesNotMatch((await web.get(pagePath)).html, /Posted from a form/);
});

test("comments page by 100 in the API and on the photo page (?comments=2)", async () => {
  const owner = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Popular" }, corpusFile("photos/fallen-leaf.jpg"));
  const writers = [await buildMember(server), await buildMember(server), await buildMember(server), await buildMember(server)];
  let n = 0;
  for (const writer of writers) {
    for (let i = 0; i < 26; i++) {
      assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: writer.token, json: { text: `comment number ${n++}` } })).status, 201);
    }
  }
  const first = await api(server, "GET", `/api/v1/photos/${photo.id}/comments`);
  assert.equal(first.body.comments.length, 100);
  assert.equal(first.body.comments[0].text, "comment number 0", "oldest first");
  assert.equal(first.body.nextPage, 2);
  const second = await api(server, "GET", `/api/v1/photos/${photo.id}/comments?page=2`);
  assert.deepEqual(second.body.comments.map((c: { text: string }) => c.text), ["comment number 100", "comment number 101", "comment number 102", "comment number 103"]);
  assert.equal(await commentCount(photo.id), 104);

  const web = new WebClient(server);
  const pagePath = `/photos/${owner.username}/${photo.id}`;
  const page = await web.get(pagePath);
  assert.match(page.html, /comment number 99</);
  assert.doesNotMatch(page.html, /comment number 100</);
  assert.ok(page.html.includes(`href="${pagePath}?comments=2#comments"`));
  const later = await web.get(`${pagePath}?comments=2`);
  assert.match(later.html, /comment number 103</);
  assert.doesNotMatch(later.html, /comment number 99</);
});

test("the author edits a comment from a page without JavaScript; others cannot open the form", async () => {
  const owner = await buildMember(server);
  const writer = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Editable" }, corpusFile("photos/progressive.jpg"));
  const posted = await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: writer.token, json: { text: "frist" } });
  const id = posted.body.id as string;
  const pagePath = `/photos/${owner.username}/${photo.id}`;

  const web = new WebClient(server);
  await web.logIn(writer);
  assert.ok((await web.get(pagePath)).html.includes(`href="/comments/${id}/edit"`), "the author sees an Edit link");
  const form = await web.get(`/comments/${id}/edit`);
  assert.equal(form.status, 200);
  assert.match(form.html, />frist<\/textarea>/);
  const tooMany = await web.post(`/comments/${id}/edit`, { text: Array.from({ length: 6 }, (_, i) => `https://e.example/${i}`).join(" ") });
  assert.equal(tooMany.status, 400);
  assert.match(tooMany.html, /at most 5 links/);
  assert.match(tooMany.html, /https:\/\/e\.example\/5<\/textarea>/, "what was typed is kept");
  const saved = await web.post(`/comments/${id}/edit`, { text: "first" });
  assert.equal(saved.status, 303);
  assert.equal(saved.location, `${pagePath}#comment-${id}`);
  assert.match((await web.get(pagePath)).html, /first<\/p>[\s\S]*?\(edited\)|\(edited\)[\s\S]*?first<\/p>/);

  const ownerWeb = new WebClient(server);
  await ownerWeb.logIn(owner);
  assert.equal((await ownerWeb.get(`/comments/${id}/edit`)).status, 403);
  assert.doesNotMatch((await ownerWeb.get(pagePath)).html, new RegExp(`href="/comments/${id}/edit"`), "the owner may delete but not edit");
  assert.equal((await ownerWeb.post(`/comments/${id}/edit`, { text: "owned" })).status, 403);
  assert.equal((await new WebClient(server).get(`/comments/${id}/edit`)).status, 401);
});
