import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import sharp from "sharp";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, photoForm, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

let shade = 0;
/** Factory: a small photo with bytes of its own (an upload of the same bytes is the same photo). */
async function buildSmallPhoto(member: Member, fields: Record<string, string> = {}): Promise<PhotoJson> {
  shade++;
  const bytes = await sharp(crypto.randomBytes(12 * 8 * 3), { raw: { width: 12, height: 8, channels: 3 } }).jpeg().toBuffer();
  const upload = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(bytes, fields, `p${shade}.jpg`) });
  assert.equal(upload.status, 201, JSON.stringify(upload.body));
  return upload.body as PhotoJson;
}

async function buildGroup(admin: Member, privacy: "public" | "invitation" = "public", name = `Group ${Math.random().toString(36).slice(2, 8)}`) {
  const created = await api(server, "POST", "/api/v1/groups", { token: admin.token, json: { name, privacy, description: "About things" } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: number; slug: string; name: string; role: string; privacy: string };
}

const join = (group: { id: number }, member: Member) => api(server, "PUT", `/api/v1/groups/${group.id}/members/me`, { token: member.token });
const poolIds = async (group: { id: number }, member: Member | null) => {
  const answer = await api(server, "GET", `/api/v1/groups/${group.id}/pool`, member ? { token: member.token } : {});
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return (answer.body.photos as Array<{ id: string }>).map((p) => p.id);
};

test("a member creates a group and is its admin; the group has a slug, a page and an API answer", async () => {
  const admin = await buildMember(server);
  const group = await buildGroup(admin, "public", "Street Photography!");
  assert.equal(group.slug, "street-photography");
  assert.equal(group.role, "admin");
  const again = await buildGroup(admin, "public", "Street photography");
  assert.equal(again.slug, "street-photography-2", "a taken slug gets a number");

  const got = await api(server, "GET", `/api/v1/groups/${group.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.name, "Street Photography!");
  assert.equal(got.body.memberCount, 1);
  assert.equal(got.body.role, null, "an anonymous caller has no role");
  assert.equal((await api(server, "GET", "/api/v1/groups/999999")).status, 404);

  assert.equal((await api(server, "POST", "/api/v1/groups", { json: { name: "x", privacy: "public" } })).status, 401, "anonymous callers cannot create groups");
  assert.equal((await api(server, "POST", "/api/v1/groups", { token: admin.token, json: { name: "x", privacy: "secret" } })).status, 400);
  assert.equal((await api(server, "POST", "/api/v1/groups", { token: admin.token, json: { name: "   ", privacy: "public" } })).status, 400);

  const openapi = await api(server, "GET", "/api/v1/openapi.json");
  assert.equal(openapi.status, 200);
  for (const path of ["/api/v1/groups", "/api/v1/groups/{id}/pool", "/api/v1/groups/{id}/threads/{threadId}/replies", "/api/v1/groups/{id}/members/me"]) {
    const operations = Object.values(openapi.body.paths[path] as Record<string, { tags: string[] }>);
    assert.ok(operations.length > 0 && operations.every((o) => o.tags.includes("groups")), `${path} is in the API description, tagged groups`);
  }
  assert.ok(!Object.keys(openapi.body.paths).some((p) => p.startsWith("/groups")), "pages stay out of the API description");

  const visitor = new WebClient(server);
  const pageAnswer = await visitor.get(`/groups/${group.slug}`);
  assert.equal(pageAnswer.status, 200);
  assert.match(pageAnswer.html, /<h1>Street Photography!<\/h1>/);
  assert.equal((await visitor.get("/groups/no-such-group")).status, 404);
});

test("invitation-only groups are listed only to their members, and their pool and threads are closed to others", async () => {
  const admin = await buildMember(server);
  const stranger = await buildMember(server);
  const open = await buildGroup(admin, "public");
  const closed = await buildGroup(admin, "invitation");
  const listed = async (member: Member | null) => {
    const answer = await api(server, "GET", "/api/v1/groups", member ? { token: member.token } : {});
    return (answer.body.groups as Array<{ id: number }>).map((g) => g.id);
  };
  assert.ok((await listed(null)).includes(open.id));
  assert.ok(!(await listed(null)).includes(closed.id));
  assert.ok(!(await listed(stranger)).includes(closed.id));
  assert.ok((await listed(admin)).includes(closed.id));
  const mine = await api(server, "GET", "/api/v1/groups", { token: admin.token });
  assert.equal(mine.body.groups.find((g: { id: number }) => g.id === closed.id).role, "admin", "the list says the caller's role");
  assert.equal((await api(server, "GET", "/api/v1/groups", { token: stranger.token })).body.groups.find((g: { id: number }) => g.id === open.id).role, null);

  for (const path of ["pool", "threads", "members"]) {
    assert.equal((await api(server, "GET", `/api/v1/groups/${closed.id}/${path}`, { token: stranger.token })).status, 403, `${path} is closed to a non-member`);
    assert.equal((await api(server, "GET", `/api/v1/groups/${closed.id}/${path}`)).status, 403, `${path} is closed to a visitor`);
    assert.equal((await api(server, "GET", `/api/v1/groups/${closed.id}/${path}`, { token: admin.token })).status, 200);
  }
  const thread = await api(server, "POST", `/api/v1/groups/${closed.id}/threads`, { token: admin.token, json: { title: "secret", text: "members only" } });
  assert.equal(thread.status, 201);
  assert.equal((await api(server, "GET", `/api/v1/groups/${closed.id}/threads/${thread.body.id}`, { token: stranger.token })).status, 403);
  assert.equal((await api(server, "GET", `/api/v1/groups/${closed.id}/threads/${thread.body.id}/replies`, { token: stranger.token })).status, 403);

  const web = new WebClient(server);
  await web.logIn(stranger);
  const groupsPage = await web.get("/groups");
  assert.ok(groupsPage.html.includes(`/groups/${open.slug}"`));
  assert.ok(!groupsPage.html.includes(`/groups/${closed.slug}"`), "the list page hides the invitation-only group too");
  const closedPage = await web.get(`/groups/${closed.slug}`);
  assert.equal(closedPage.status, 200);
  assert.match(closedPage.html, /by invitation only/);
  assert.ok(!closedPage.html.includes("secret"), "the closed page shows no thread");
  assert.equal((await web.get(`/groups/${closed.slug}/discuss`)).status, 403);
  assert.equal((await web.get(`/groups/${closed.slug}/discuss/${thread.body.id}`)).status, 403);
});

test("joining: public groups are open, invitation-only ones need an invitation, which notifies the invitee", async () => {
  const admin = await buildMember(server);
  const invitee = await buildMember(server);
  const other = await buildMember(server);
  const open = await buildGroup(admin, "public");
  const closed = await buildGroup(admin, "invitation");

  assert.equal((await join(open, other)).status, 201);
  assert.equal((await join(open, other)).status, 200, "joining again changes nothing");
  assert.equal((await api(server, "PUT", `/api/v1/groups/${open.id}/members/me`)).status, 401);
  assert.equal((await api(server, "PUT", "/api/v1/groups/999999/members/me", { token: other.token })).status, 404);

  const refused = await join(closed, invitee);
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /invitation only.*invite you/);

  // Only admins invite.
  assert.equal((await api(server, "POST", `/api/v1/groups/${closed.id}/invitations`, { json: { username: invitee.username } })).status, 401);
  assert.equal((await api(server, "POST", `/api/v1/groups/${closed.id}/invitations`, { token: other.token, json: { username: invitee.username } })).status, 403);
  assert.equal((await api(server, "POST", `/api/v1/groups/${closed.id}/invitations`, { token: admin.token, json: { username: "nobody-here" } })).status, 404);
  assert.equal((await api(server, "POST", `/api/v1/groups/${closed.id}/invitations`, { token: admin.token, json: { username: admin.username } })).status, 409, "a member cannot be invited");
  const invited = await api(server, "POST", `/api/v1/groups/${closed.id}/invitations`, { token: admin.token, json: { username: invitee.username } });
  assert.equal(invited.status, 201);
  assert.equal((await api(server, "POST", `/api/v1/groups/${closed.id}/invitations`, { token: admin.token, json: { username: invitee.username } })).status, 200);

  const notifications = await server.context.database.db.selectFrom("notifications").selectAll().where("kind", "=", "group_invitation").where("group_id", "=", closed.id).execute();
  assert.equal(notifications.length, 1, "one notification, even when invited twice");
  assert.equal(Number(notifications[0]!.user_id), (await server.context.users.findPublicUser(invitee.username))!.id);
  assert.equal(Number(notifications[0]!.actor_id), (await server.context.users.findPublicUser(admin.username))!.id);

  assert.equal((await api(server, "GET", `/api/v1/groups/${closed.id}`, { token: invitee.token })).body.invited, true);
  const joined = await join(closed, invitee);
  assert.equal(joined.status, 201);
  assert.equal(joined.body.role, "member");
  assert.equal(joined.body.group.memberCount, 2);
  assert.equal((await join(closed, other)).status, 403, "another member's invitation does not open the group to everyone");
});

test("roles: admins promote and demote, remove members; the last admin can neither leave nor be demoted", async () => {
  const admin = await buildMember(server);
  const second = await buildMember(server);
  const plain = await buildMember(server);
  const group = await buildGroup(admin);
  await join(group, second);
  await join(group, plain);
  const setRole = (caller: Member | null, username: string, role: string) =>
    api(server, "PUT", `/api/v1/groups/${group.id}/members/${username}`, { token: caller?.token, json: { role } });

  const lastLeave = await api(server, "DELETE", `/api/v1/groups/${group.id}/members/me`, { token: admin.token });
  assert.equal(lastLeave.status, 409);
  assert.match(lastLeave.body.error.message, /last admin/);
  assert.equal((await setRole(admin, admin.username, "member")).status, 409, "the last admin cannot demote themself");
  assert.equal((await api(server, "DELETE", `/api/v1/groups/${group.id}/members/${admin.username}`, { token: admin.token })).status, 409);

  assert.equal((await setRole(null, second.username, "moderator")).status, 401);
  assert.equal((await setRole(plain, second.username, "moderator")).status, 403, "members cannot change roles");
  assert.equal((await setRole(admin, second.username, "king")).status, 400);
  assert.equal((await setRole(admin, "nobody-here", "moderator")).status, 404);
  const promoted = await setRole(admin, second.username, "moderator");
  assert.equal(promoted.status, 200);
  assert.deepEqual([promoted.body.username, promoted.body.role], [second.username, "moderator"]);
  assert.equal((await setRole(second, plain.username, "moderator")).status, 403, "moderators cannot change roles");
  assert.equal((await api(server, "DELETE", `/api/v1/groups/${group.id}/members/${plain.username}`, { token: second.token })).status, 403, "moderators cannot remove members");

  assert.equal((await setRole(admin, second.username, "admin")).status, 200);
  assert.equal((await api(server, "DELETE", `/api/v1/groups/${group.id}/members/me`, { token: admin.token })).status, 204, "with another admin, an admin may leave");
  assert.equal((await api(server, "GET", `/api/v1/groups/${group.id}`, { token: admin.token })).body.role, null);

  assert.equal((await api(server, "DELETE", `/api/v1/groups/${group.id}/members/${plain.username}`, { token: second.token })).status, 204, "admins remove members");
  const members = await api(server, "GET", `/api/v1/groups/${group.id}/members`);
  assert.deepEqual(members.body.members.map((m: { username: string; role: string }) => [m.username, m.role]), [[second.username, "admin"]]);
  assert.equal((await api(server, "DELETE", `/api/v1/groups/${group.id}/members/me`)).status, 401);

  // Two admins leaving at the same moment: one goes, the other is the last and stays.
  await join(group, plain);
  assert.equal((await setRole(second, plain.username, "admin")).status, 200);
  const both = await Promise.all([second, plain].map((m) => api(server, "DELETE", `/api/v1/groups/${group.id}/members/me`, { token: m.token })));
  assert.deepEqual(both.map((a) => a.status).sort(), [204, 409]);
  const left = await api(server, "GET", `/api/v1/groups/${group.id}/members`);
  assert.deepEqual(left.body.members.map((m: { role: string }) => m.role), ["admin"]);
});

test("the pool: members add their own photos they may see; a non-member gets 403, an invisible photo 404", async () => {
  const admin = await buildMember(server);
  const member = await buildMember(server);
  const outsider = await buildMember(server);
  const group = await buildGroup(admin);
  await join(group, member);
  const own = await buildSmallPhoto(member);
  const othersPublic = await buildSmallPhoto(outsider);
  const othersPrivate = await buildSmallPhoto(outsider, { visibility: "private" });
  const add = (caller: Member | null, photoId: string) => api(server, "POST", `/api/v1/groups/${group.id}/pool`, { token: caller?.token, json: { photoId } });

  assert.equal((await add(null, own.id)).status, 401);
  const nonMember = await add(outsider, othersPublic.id);
  assert.equal(nonMember.status, 403);
  assert.match(nonMember.body.error.message, /Join this group/);
  assert.equal((await add(member, othersPrivate.id)).status, 404, "a photo the caller may not see is not found");
  assert.equal((await add(member, "123456789")).status, 404);
  assert.equal((await add(member, othersPublic.id)).status, 403, "only one's own photos go in");
  assert.equal((await add(member, own.id)).status, 201);
  assert.equal((await add(member, own.id)).status, 200, "adding again changes nothing");
  assert.deepEqual(await poolIds(group, null), [own.id]);

  // Removing: not the outsider, not another plain member; the adder and the moderators may.
  const second = await buildSmallPhoto(member);
  assert.equal((await add(member, second.id)).status, 201);
  const plain = await buildMember(server);
  await join(group, plain);
  const remove = (caller: Member | null, photoId: string) => api(server, "DELETE", `/api/v1/groups/${group.id}/pool/${photoId}`, { token: caller?.token });
  assert.equal((await remove(null, own.id)).status, 401);
  assert.equal((await remove(outsider, own.id)).status, 403);
  assert.equal((await remove(plain, own.id)).status, 403);
  assert.equal((await remove(member, othersPublic.id)).status, 404, "a photo not in the pool");
  assert.equal((await remove(member, own.id)).status, 204, "the adder removes their photo");
  const moderator = await buildMember(server);
  await join(group, moderator);
  await api(server, "PUT", `/api/v1/groups/${group.id}/members/${moderator.username}`, { token: admin.token, json: { role: "moderator" } });
  assert.equal((await remove(moderator, second.id)).status, 204, "a moderator removes any photo");
  assert.deepEqual(await poolIds(group, null), []);
});

test("the pool respects each photo's visibility: a friends photo shows only to its owner and the owner's friends", async () => {
  const owner = await buildMember(server);
  const friend = await buildMember(server);
  const stranger = await buildMember(server);
  const group = await buildGroup(owner);
  const publicPhoto = await buildSmallPhoto(owner, { visibility: "public" });
  const friendsPhoto = await buildSmallPhoto(owner, { visibility: "friends" });
  const privatePhoto = await buildSmallPhoto(owner, { visibility: "private" });
  for (const photo of [publicPhoto, friendsPhoto, privatePhoto]) {
    assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/pool`, { token: owner.token, json: { photoId: photo.id } })).status, 201);
  }
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } })).status, 201);

  assert.deepEqual(await poolIds(group, owner), [privatePhoto.id, friendsPhoto.id, publicPhoto.id], "the owner sees all, newest first");
  assert.deepEqual(await poolIds(group, friend), [friendsPhoto.id, publicPhoto.id]);
  assert.deepEqual(await poolIds(group, stranger), [publicPhoto.id]);
  assert.deepEqual(await poolIds(group, null), [publicPhoto.id]);

  // The group page shows the same as the API.
  const strangerWeb = new WebClient(server);
  await strangerWeb.logIn(stranger);
  const strangerPage = await strangerWeb.get(`/groups/${group.slug}`);
  assert.ok(strangerPage.html.includes(`/photos/${owner.username}/${publicPhoto.id}"`));
  assert.ok(!strangerPage.html.includes(friendsPhoto.id));
  assert.match(strangerPage.html, /<ul class="jg"><li class="ar\d+"/, "a justified grid like photostreams");
  const friendWeb = new WebClient(server);
  await friendWeb.logIn(friend);
  assert.ok((await friendWeb.get(`/groups/${group.slug}`)).html.includes(`/photos/${owner.username}/${friendsPhoto.id}"`));

  // A block closes the friends photo again, in the pool too.
  assert.equal((await api(server, "PUT", `/api/v1/blocks/${friend.username}`, { token: owner.token })).status, 204);
  assert.deepEqual(await poolIds(group, friend), [publicPhoto.id]);

  // A photo a moderator hid, and every photo of a suspended member, leave the pool for others.
  const other = await buildMember(server);
  await join(group, other);
  const othersPhoto = await buildSmallPhoto(other);
  assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/pool`, { token: other.token, json: { photoId: othersPhoto.id } })).status, 201);
  assert.deepEqual(await poolIds(group, stranger), [othersPhoto.id, publicPhoto.id]);
  await server.context.database.db.updateTable("photos").set({ hidden_at: Date.now() }).where("id", "=", Number(publicPhoto.id)).execute();
  assert.deepEqual(await poolIds(group, stranger), [othersPhoto.id]);
  assert.ok((await poolIds(group, owner)).includes(publicPhoto.id), "its owner still sees it");
  await server.context.users.setSuspended((await server.context.users.findPublicUser(other.username))!.id, true);
  assert.deepEqual(await poolIds(group, stranger), []);
});

test("the pool pages newest first with a cursor", async () => {
  const owner = await buildMember(server);
  const group = await buildGroup(owner);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const photo = await buildSmallPhoto(owner);
    await api(server, "POST", `/api/v1/groups/${group.id}/pool`, { token: owner.token, json: { photoId: photo.id } });
    ids.unshift(photo.id);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const answer: { status: number; body: any } = await api(server, "GET", `/api/v1/groups/${group.id}/pool?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
    assert.equal(answer.status, 200);
    assert.ok(answer.body.photos.length <= 2);
    seen.push(...answer.body.photos.map((p: { id: string }) => p.id));
    cursor = answer.body.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, ids);
  assert.equal((await api(server, "GET", `/api/v1/groups/${group.id}/pool?cursor=nonsense`)).status, 400);
});

test("discussion: members start threads and reply; text is escaped and links get rel=nofollow ugc noopener", async () => {
  const admin = await buildMember(server);
  const member = await buildMember(server);
  const outsider = await buildMember(server);
  const group = await buildGroup(admin);
  await join(group, member);

  assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/threads`, { json: { title: "t", text: "x" } })).status, 401);
  const refused = await api(server, "POST", `/api/v1/groups/${group.id}/threads`, { token: outsider.token, json: { title: "t", text: "x" } });
  assert.equal(refused.status, 403);
  assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/threads`, { token: member.token, json: { title: "  ", text: "x" } })).status, 400);
  const text = `<script>alert(1)</script> see https://example.org/a?b=1&c=2. and "quotes"\nsecond line`;
  const thread = await api(server, "POST", `/api/v1/groups/${group.id}/threads`, { token: member.token, json: { title: "<b>Hello</b>", text } });
  assert.equal(thread.status, 201);
  assert.equal(thread.body.text, text, "the API gives the text back as written");

  assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/threads/${thread.body.id}/replies`, { json: { text: "hi" } })).status, 401);
  assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/threads/${thread.body.id}/replies`, { token: outsider.token, json: { text: "hi" } })).status, 403);
  assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/threads/999999/replies`, { token: member.token, json: { text: "hi" } })).status, 404);
  const reply = await api(server, "POST", `/api/v1/groups/${group.id}/threads/${thread.body.id}/replies`, { token: admin.token, json: { text: "welcome <i>all</i>" } });
  assert.equal(reply.status, 201);

  const list = await api(server, "GET", `/api/v1/groups/${group.id}/threads`);
  assert.deepEqual(list.body.threads.map((t: { title: string; replyCount: number }) => [t.title, t.replyCount]), [["<b>Hello</b>", 1]]);
  const full = await api(server, "GET", `/api/v1/groups/${group.id}/threads/${thread.body.id}`);
  assert.equal(full.status, 200);
  assert.deepEqual(full.body.replies.map((r: { text: string; author: string }) => [r.author, r.text]), [[admin.username, "welcome <i>all</i>"]]);
  assert.equal((await api(server, "GET", `/api/v1/groups/${group.id}/threads/${thread.body.id}/replies`)).body.replies.length, 1);

  const web = new WebClient(server);
  const page = await web.get(`/groups/${group.slug}/discuss/${thread.body.id}`);
  assert.equal(page.status, 200);
  assert.ok(!page.html.includes("<script>alert"), "no markup from members reaches the page");
  assert.ok(page.html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(page.html.includes("&lt;b&gt;Hello&lt;/b&gt;"));
  assert.ok(page.html.includes("welcome &lt;i&gt;all&lt;/i&gt;"));
  assert.ok(page.html.includes(`<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.org/a?b=1&amp;c=2</a>.`), "the link stops before the full stop");
  assert.ok(page.html.includes("<br>second line"));
  const threadsPage = await web.get(`/groups/${group.slug}/discuss`);
  assert.ok(threadsPage.html.includes("&lt;b&gt;Hello&lt;/b&gt;"));

  // Moderators remove posts; other members cannot.
  const replyPath = `/api/v1/groups/${group.id}/threads/${thread.body.id}/replies/${reply.body.id}`;
  assert.equal((await api(server, "DELETE", replyPath, { token: outsider.token })).status, 403);
  assert.equal((await api(server, "DELETE", replyPath, { token: member.token })).status, 403, "a member cannot remove another's reply");
  assert.equal((await api(server, "DELETE", replyPath, { token: admin.token })).status, 204);
  const moderator = await buildMember(server);
  await join(group, moderator);
  await api(server, "PUT", `/api/v1/groups/${group.id}/members/${moderator.username}`, { token: admin.token, json: { role: "moderator" } });
  assert.equal((await api(server, "DELETE", `/api/v1/groups/${group.id}/threads/${thread.body.id}`, { token: outsider.token })).status, 403);
  assert.equal((await api(server, "DELETE", `/api/v1/groups/${group.id}/threads/${thread.body.id}`, { token: moderator.token })).status, 204);
  assert.equal((await api(server, "GET", `/api/v1/groups/${group.id}/threads/${thread.body.id}`)).status, 404);
});

test("every action works from the pages with forms, and needs the CSRF token", async () => {
  const admin = await buildMember(server);
  const member = await buildMember(server);
  const adminWeb = new WebClient(server);
  await adminWeb.logIn(admin);
  await adminWeb.get("/groups");
  assert.equal((await adminWeb.post("/groups", { name: "Form group", privacy: "invitation" }, { withCsrf: false })).status, 403, "no token, no group");
  const created = await adminWeb.post("/groups", { name: "Form group", privacy: "invitation", description: "made by a form" });
  assert.equal(created.status, 303);
  const slug = created.location!.replace("/groups/", "");
  const groupPage = await adminWeb.get(created.location!);
  assert.match(groupPage.html, /id="invite-form"/);

  assert.equal((await adminWeb.post(`/groups/${slug}/invitations`, { username: member.username })).status, 303);
  const memberWeb = new WebClient(server);
  await memberWeb.logIn(member);
  const groupsList = await memberWeb.get("/groups");
  assert.match(groupsList.html, new RegExp(`id="invitations".*href="/groups/${slug}">Form group</a>`, "s"), "the invitee finds the invitation on the groups page");
  const invitedPage = await memberWeb.get(`/groups/${slug}`);
  assert.match(invitedPage.html, /You are invited/);
  assert.equal((await memberWeb.post(`/groups/${slug}/join`, {}, { withCsrf: false })).status, 403);
  assert.equal((await memberWeb.post(`/groups/${slug}/join`, {})).status, 303);
  assert.match((await memberWeb.get(`/groups/${slug}`)).html, /id="leave-form"/);

  // The photo page: its owner adds it to a group, then everyone who may see the group sees "In groups".
  const photo = await buildSmallPhoto(member);
  const photoPage = await memberWeb.get(`/photos/${member.username}/${photo.id}`);
  assert.match(photoPage.html, /id="add-to-group"/);
  assert.ok(photoPage.html.includes(`<option value="${slug}">Form group</option>`));
  const added = await memberWeb.post("/groups/pool", { slug, photoId: photo.id, next: `/photos/${member.username}/${photo.id}` });
  assert.equal(added.status, 303);
  assert.equal(added.location, `/photos/${member.username}/${photo.id}`);
  const afterAdd = await memberWeb.get(added.location!);
  assert.match(afterAdd.html, new RegExp(`In groups: <a href="/groups/${slug}">Form group</a>`));
  assert.match(afterAdd.html, /Remove from Form group/, "the member who added it may take it out");
  const visitorPhotoPage = await new WebClient(server).get(`/photos/${member.username}/${photo.id}`);
  assert.ok(!visitorPhotoPage.html.includes("Form group"), "an invitation-only group is not named to visitors");
  assert.ok(!visitorPhotoPage.html.includes("add-to-group"), "only the owner gets the form");
  const adminPhotoPage = await adminWeb.get(`/photos/${member.username}/${photo.id}`);
  assert.ok(adminPhotoPage.html.includes("Form group") && !adminPhotoPage.html.includes("add-to-group"));

  // Discussion by forms.
  await memberWeb.get(`/groups/${slug}/discuss`);
  const started = await memberWeb.post(`/groups/${slug}/discuss`, { title: "By form", text: "first post" });
  assert.equal(started.status, 303);
  const threadPath = started.location!;
  await memberWeb.get(threadPath);
  const replied = await memberWeb.post(threadPath, { text: "a reply" });
  assert.equal(replied.status, 303);
  assert.match((await memberWeb.get(threadPath)).html, /a reply/);
  assert.equal((await memberWeb.post(threadPath, { text: "forged" }, { withCsrf: false })).status, 403);

  // Roles and removal by forms.
  await adminWeb.get(`/groups/${slug}`);
  assert.equal((await adminWeb.post(`/groups/${slug}/members/${member.username}/role`, { role: "moderator" })).status, 303);
  assert.equal((await api(server, "GET", `/api/v1/groups/${(await api(server, "GET", "/api/v1/groups", { token: admin.token })).body.groups.find((g: { slug: string }) => g.slug === slug).id}`, { token: member.token })).body.role, "moderator");
  const byNumber = await buildSmallPhoto(member);
  await memberWeb.get(`/groups/${slug}`);
  assert.equal((await memberWeb.post(`/groups/${slug}/pool`, { photoId: byNumber.id })).status, 303, "the group page adds a photo by its number");
  assert.equal((await memberWeb.post(`/groups/${slug}/pool`, { photoId: "not a number" })).status, 400);
  assert.ok((await adminWeb.get(`/groups/${slug}`)).html.includes(`/photos/${member.username}/${byNumber.id}"`));
  const adminView = await adminWeb.get(`/photos/${member.username}/${byNumber.id}`);
  assert.match(adminView.html, /Remove from Form group/, "a group admin may take any photo out");
  const removed = await adminWeb.post(`/groups/${slug}/pool/${byNumber.id}/remove`, { next: `/photos/${member.username}/${byNumber.id}` });
  assert.equal(removed.status, 303);
  assert.equal(removed.location, `/photos/${member.username}/${byNumber.id}`);
  await memberWeb.get(`/groups/${slug}`);
  assert.equal((await memberWeb.post(`/groups/${slug}/pool/${photo.id}/remove`, {})).status, 303);
  assert.deepEqual(await poolIds(await api(server, "GET", `/api/v1/groups`, { token: admin.token }).then((a) => a.body.groups.find((g: { slug: string }) => g.slug === slug)), admin), []);
  assert.equal((await adminWeb.post(`/groups/${slug}/members/${member.username}/remove`, {})).status, 303);
  const lastAdmin = await adminWeb.post(`/groups/${slug}/leave`, {});
  assert.equal(lastAdmin.status, 409);
  assert.match(lastAdmin.html, /last admin/);
});

test("the discussion page pages by 50, the most recently active first", async () => {
  const admin = await buildMember(server);
  const group = await buildGroup(admin);
  for (let i = 1; i <= 51; i++) {
    assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/threads`, { token: admin.token, json: { title: `topic ${i}`, text: "x" } })).status, 201);
  }
  const web = new WebClient(server);
  const first = await web.get(`/groups/${group.slug}/discuss`);
  assert.ok(first.html.includes(">topic 51<") && !first.html.includes(">topic 1<"));
  assert.match(first.html, /href="\/groups\/[^"]+\/discuss\?page=2" rel="next"/);
  const second = await web.get(`/groups/${group.slug}/discuss?page=2`);
  assert.ok(second.html.includes(">topic 1<") && !second.html.includes('rel="next"'));
  assert.deepEqual((await api(server, "GET", `/api/v1/groups/${group.id}/threads?page=2`)).body.threads.map((t: { title: string }) => t.title), ["topic 1"]);
});
