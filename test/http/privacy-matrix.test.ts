/**
 * Who sees which photo, on every path that can show a photo or reveal that it exists.
 *
 * Rows are paths: one function `(viewer, photoCase) => Promise<boolean>` each, answering
 * whether that viewer saw the photo there. To cover a new path (a group pool, faves, activity,
 * Explore, notifications, comments), add one entry to PATHS; the matrix runs it against every
 * viewer and every kind of photo and compares with the expected table below. A path meant for
 * part of the audience only (activity: members who follow the owner; notifications: the owner)
 * says so with `covers`; for everyone else it must show nothing the rule forbids. Writes (fave,
 * comment, add to a pool) count as "seen" unless they answer 404.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { PhotosRepository } from "../../src/photos/repository.ts";
import { canSeePhoto, type Visibility } from "../../src/photos/visibility.ts";

const TAG = "matrixcheck";

// ---- The photos: every visibility, plus restricted and hidden (both otherwise public) ----
const CASES = ["public", "friends", "family", "friends_and_family", "private", "restricted", "hidden"] as const;
type Case = (typeof CASES)[number];

// ---- The viewers ----
const VIEWERS = ["anonymous", "member", "contact", "friend", "family", "blocked", "owner", "admin", "opted-in"] as const;
type ViewerName = (typeof VIEWERS)[number];

/**
 * The rule, stated plainly: the owner sees everything of theirs. Nobody else sees a photo a
 * moderator hid. A restricted photo is seen only by members who opted in. A public photo is
 * seen by everyone; a private one by nobody else; friends/family photos by the members the
 * owner marked friend/family (a contact without flags is neither, a block ends the friendship);
 * an admin is just another member here.
 */
function rule(viewer: ViewerName, photo: Case): boolean {
  if (viewer === "owner") return true;
  switch (photo) {
    case "hidden":
      return false;
    case "restricted":
      return viewer === "opted-in";
    case "public":
      return true;
    case "private":
      return false;
    case "friends":
      return viewer === "friend";
    case "family":
      return viewer === "family";
    case "friends_and_family":
      return viewer === "friend" || viewer === "family";
  }
}

/** The same, as a table to read at a glance: Y seen, . not seen. Checked against `rule` below. */
const TABLE: Record<Case, string> = {
  //                   anon member contact friend family blocked owner admin opted-in
  public: /*          */ "Y    Y      Y       Y      Y      Y       Y     Y     Y",
  friends: /*         */ ".    .      .       Y      .      .       Y     .     .",
  family: /*          */ ".    .      .       .      Y      .       Y     .     .",
  friends_and_family: /**/ ".    .      .       Y      Y      .       Y     .     .",
  private: /*         */ ".    .      .       .      .      .       Y     .     .",
  restricted: /*      */ ".    .      .       .      .      .       Y     .     Y",
  hidden: /*          */ ".    .      .       .      .      .       Y     .     .",
};

function expected(viewer: ViewerName, photo: Case): boolean {
  const cells = TABLE[photo].trim().split(/\s+/);
  return cells[VIEWERS.indexOf(viewer)] === "Y";
}

let server: TestServer;
const members = new Map<ViewerName, Member & { id: number }>();
const webs = new Map<ViewerName, WebClient>();
const photos = new Map<Case, PhotoJson>();
/** Image URLs handed out while each photo was still public, before it became more private. */
const urlsBefore = new Map<Case, string[]>();

function token(viewer: ViewerName): string | undefined {
  return members.get(viewer)?.token;
}

function ownerName(): string {
  return members.get("owner")!.username;
}

function secretOf(photo: PhotoJson): string {
  return new URL(photo.sizes[0]!.url).pathname.split("/")[3]!;
}

async function web(viewer: ViewerName): Promise<WebClient> {
  let client = webs.get(viewer);
  if (!client) {
    client = new WebClient(server);
    const member = members.get(viewer);
    if (member) await client.logIn(member);
    webs.set(viewer, client);
  }
  return client;
}

/** A page shows the photo when it carries its image secret or its unique title; both or neither. */
async function pageShows(viewer: ViewerName, photo: Case, path: string): Promise<boolean> {
  const page = await (await web(viewer)).get(path);
  const p = photos.get(photo)!;
  const bySecret = page.html.includes(secretOf(p));
  const byTitle = page.html.includes(p.title);
  assert.equal(bySecret, byTitle, `${path}: the image and the title appear together`);
  return bySecret;
}

interface PathRow {
  name: string;
  saw: (viewer: ViewerName, photo: Case) => Promise<boolean>;
  /** Whose eyes the path uses, when not the viewer's own (the home page is the same for everyone). */
  seenAs?: (viewer: ViewerName) => ViewerName;
  /**
   * The viewers a path is meant to show the photos to (activity shows contacts' photos only to
   * members who follow the owner). For the others the path may show less than the rule allows,
   * never more: the test then checks only that it shows nothing the rule forbids.
   */
  covers?: (viewer: ViewerName) => boolean;
}

/** Pages that name a photo by its title only (no image): notifications. */
async function titleShows(viewer: ViewerName, photo: Case, path: string): Promise<boolean> {
  const page = await (await web(viewer)).get(path);
  if (page.status === 401 || page.status === 302 || page.status === 303) return false;
  assert.equal(page.status, 200, `${path}: status ${page.status}`);
  return page.html.includes(photos.get(photo)!.title);
}

/** A write by the viewer about the photo: a 404 says "no such photo"; any other answer admits it exists. */
async function attempt(viewer: ViewerName, method: string, path: string, json?: unknown): Promise<boolean> {
  const answer = await api(server, method, path, { token: token(viewer), json });
  if (viewer === "anonymous") {
    assert.equal(answer.status, 401, `${method} ${path}: a visitor must log in`);
    return false;
  }
  assert.ok([200, 201, 204, 403, 404].includes(answer.status), `${method} ${path}: status ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.status !== 404;
}

/** The same through the photo page's forms (session cookie and CSRF token): 404 for a photo the viewer may not see, a redirect or a 403 otherwise. */
async function formAttempt(viewer: ViewerName, path: string, fields: Record<string, string>): Promise<boolean> {
  if (viewer === "anonymous") return false;
  const client = await web(viewer);
  if (!client.csrf) await client.get("/");
  const answer = await client.post(path, fields);
  assert.ok([303, 403, 404].includes(answer.status), `POST ${path}: status ${answer.status} ${answer.html.slice(0, 200)}`);
  return answer.status !== 404;
}

/** The viewers who follow the owner (the blocked member cannot), set up before the photos. */
const followers = new Set<ViewerName>();
let group: { id: number; slug: string };
/** The owner's albums: one holding every case's photo, a smart one by tag, one per case (and a collection of those). */
let album: number;
let smartAlbum: number;
const caseAlbums = new Map<Case, number>();
let collection: number;
/** Each member's own empty album, to try adding the owner's photos to. */
const ownAlbums = new Map<ViewerName, number>();
async function ownAlbum(viewer: ViewerName): Promise<number> {
  let id = ownAlbums.get(viewer);
  if (id === undefined) {
    const created = await api(server, "POST", "/api/v1/albums", { token: token(viewer), json: { title: `${viewer}'s album` } });
    assert.equal(created.status, 201);
    id = created.body.id as number;
    ownAlbums.set(viewer, id);
  }
  return id;
}
async function albumPhotoIds(path: string, viewer: ViewerName): Promise<string[]> {
  const answer = await api(server, "GET", path, { token: token(viewer) });
  if (answer.status === 404) return [];
  assert.equal(answer.status, 200, `${path}: ${answer.status}`);
  return (answer.body.photos as PhotoJson[]).map((p) => p.id);
}
/** Writes need an account: a visitor is refused (401) before any photo is looked at. */
const isMember = (viewer: ViewerName) => viewer !== "anonymous";

/** Feeds are what an anonymous visitor may see, whoever asks: the viewer's token must change nothing. */
async function feedShows(viewer: ViewerName, photo: Case, path: string): Promise<boolean> {
  const t = token(viewer);
  const response = await fetch(server.url + path, { headers: t ? { authorization: `Bearer ${t}` } : {} });
  const text = await response.text();
  assert.equal(response.status, 200, `${path}: status ${response.status}`);
  const p = photos.get(photo)!;
  assert.equal(text.includes(secretOf(p)), text.includes(`/${p.id}<`), `${path}: the image and the link appear together`);
  return text.includes(`/${p.id}<`);
}
const FEED_FORMATS = ["atom", "rss"] as const;

const PATHS: PathRow[] = [
  {
    name: "photo page (HTML)",
    saw: async (viewer, photo) => {
      const p = photos.get(photo)!;
      const page = await (await web(viewer)).get(`/photos/${ownerName()}/${p.id}`);
      assert.ok(page.status === 200 || page.status === 404, `status ${page.status}`);
      assert.equal(page.html.includes(secretOf(p)), page.status === 200, "a 404 shows nothing of the photo");
      return page.status === 200;
    },
  },
  {
    name: "photo API",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/photos/${photos.get(photo)!.id}`, { token: token(viewer) });
      assert.ok(answer.status === 200 || answer.status === 404, `status ${answer.status}`);
      if (answer.status === 200) assert.equal(answer.body.restricted, photo === "restricted", "the JSON says restricted");
      return answer.status === 200;
    },
  },
  {
    name: "image URL from the photo API (a capability: it works for whoever holds it)",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/photos/${photos.get(photo)!.id}`, { token: token(viewer) });
      if (answer.status !== 200) return false;
      const image = await fetch(answer.body.sizes[0].url);
      assert.equal(image.status, 200, "the URL the viewer was given works");
      return true;
    },
  },
  { name: "photostream page", saw: (viewer, photo) => pageShows(viewer, photo, `/photos/${ownerName()}`) },
  {
    name: "photostream API",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/users/${ownerName()}/photos?limit=100`, { token: token(viewer) });
      assert.equal(answer.status, 200);
      return (answer.body.photos as PhotoJson[]).some((p) => p.id === photos.get(photo)!.id);
    },
  },
  { name: "tag page", saw: (viewer, photo) => pageShows(viewer, photo, `/photos/tags/${TAG}`) },
  { name: "member's tag page", saw: (viewer, photo) => pageShows(viewer, photo, `/photos/${ownerName()}/tags/${TAG}`) },
  {
    name: "search API",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/search?q=matrix+end&user=${ownerName()}&perPage=100`, { token: token(viewer) });
      assert.equal(answer.status, 200);
      return (answer.body.photos as PhotoJson[]).some((p) => p.id === photos.get(photo)!.id);
    },
  },
  { name: "search page", saw: (viewer, photo) => pageShows(viewer, photo, `/search?q=matrix&tags=${TAG}&sort=uploaded`) },
  // The home page lists the newest photos anyone may see, the same for every viewer.
  { name: "home page", saw: (viewer, photo) => pageShows(viewer, photo, "/"), seenAs: () => "anonymous" },
  ...FEED_FORMATS.flatMap((format): PathRow[] => [
    { name: `photostream feed (${format})`, saw: (viewer, photo) => feedShows(viewer, photo, `/photos/${ownerName()}/feed.${format}`), seenAs: () => "anonymous" },
    { name: `tag feed (${format})`, saw: (viewer, photo) => feedShows(viewer, photo, `/photos/tags/${TAG}/feed.${format}`), seenAs: () => "anonymous" },
    { name: `member's tag feed (${format})`, saw: (viewer, photo) => feedShows(viewer, photo, `/photos/${ownerName()}/tags/${TAG}/feed.${format}`), seenAs: () => "anonymous" },
    { name: `owner's faves feed (${format})`, saw: (viewer, photo) => feedShows(viewer, photo, `/photos/${ownerName()}/favorites/feed.${format}`), seenAs: () => "anonymous" },
    { name: `group pool feed (${format})`, saw: (viewer, photo) => feedShows(viewer, photo, `/groups/${group.slug}/pool/feed.${format}`), seenAs: () => "anonymous" },
  ]),
  {
    name: "original download (a 403 still reveals the photo exists)",
    saw: async (viewer, photo) => {
      const p = photos.get(photo)!;
      const t = token(viewer);
      const response = await fetch(`${server.url}/photos/${ownerName()}/${p.id}/original`, { headers: t ? { authorization: `Bearer ${t}` } : {} });
      await response.arrayBuffer();
      assert.ok([200, 403, 404].includes(response.status), `status ${response.status}`);
      assert.equal(response.status === 200, viewer === "owner", "only the owner downloads the original");
      return response.status !== 404;
    },
  },
  // ---- Community paths: every case's photo is in a public group's pool (added by its owner) and faved by its owner ----
  {
    name: "group pool API",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/groups/${group.id}/pool?limit=100`, { token: token(viewer) });
      assert.equal(answer.status, 200);
      return (answer.body.photos as PhotoJson[]).some((p) => p.id === photos.get(photo)!.id);
    },
  },
  { name: "group page", saw: (viewer, photo) => pageShows(viewer, photo, `/groups/${group.slug}`) },
  { name: "owner's faves page", saw: (viewer, photo) => pageShows(viewer, photo, `/photos/${ownerName()}/favorites`) },
  {
    name: "owner's faves API",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/users/${ownerName()}/faves`, { token: token(viewer) });
      assert.equal(answer.status, 200);
      return (answer.body.photos as PhotoJson[]).some((p) => p.id === photos.get(photo)!.id);
    },
  },
  {
    name: "the photo's favers API (404 when the photo is not visible)",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/photos/${photos.get(photo)!.id}/faves`, { token: token(viewer) });
      assert.ok(answer.status === 200 || answer.status === 404, `status ${answer.status}`);
      if (answer.status === 200) assert.ok(answer.body.faveCount >= 1);
      return answer.status === 200;
    },
  },
  {
    name: "comments API (404 when the photo is not visible)",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/photos/${photos.get(photo)!.id}/comments`, { token: token(viewer) });
      assert.ok(answer.status === 200 || answer.status === 404, `status ${answer.status}`);
      if (answer.status === 200) assert.ok(answer.body.comments.length >= 1, "the comment made while it was public");
      return answer.status === 200;
    },
  },
  {
    name: "activity API: recent photos from your contacts",
    covers: (viewer) => followers.has(viewer),
    saw: async (viewer, photo) => {
      if (viewer === "anonymous") {
        assert.equal((await api(server, "GET", "/api/v1/activity")).status, 401);
        return false;
      }
      const answer = await api(server, "GET", "/api/v1/activity?limit=100", { token: token(viewer) });
      assert.equal(answer.status, 200);
      return (answer.body.contactPhotos as PhotoJson[]).some((p) => p.id === photos.get(photo)!.id);
    },
  },
  {
    name: "activity page",
    covers: (viewer) => followers.has(viewer),
    // The owner's own page names their photos in "on your photos" (faves, comments) by title, without the image.
    saw: async (viewer, photo) => (viewer === "anonymous" ? false : viewer === "owner" ? titleShows(viewer, photo, "/activity") : pageShows(viewer, photo, "/activity")),
  },
  // Ranked while every photo was still public, read after: the stored ranking must not outlive a photo's privacy.
  {
    name: "Explore API",
    seenAs: () => "anonymous",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", "/api/v1/explore?limit=100", { token: token(viewer) });
      assert.equal(answer.status, 200);
      return (answer.body.photos as PhotoJson[]).some((p) => p.id === photos.get(photo)!.id);
    },
  },
  { name: "Explore page", seenAs: () => "anonymous", saw: (viewer, photo) => pageShows(viewer, photo, "/explore") },
  // The owner is told of the comment another member made while each photo was public; nobody else is told of it.
  {
    name: "notifications API",
    covers: (viewer) => viewer === "owner",
    saw: async (viewer, photo) => {
      if (viewer === "anonymous") return false;
      const answer = await api(server, "GET", "/api/v1/notifications", { token: token(viewer) });
      assert.equal(answer.status, 200);
      return (answer.body.notifications as Array<{ photo: { id: string } | null }>).some((n) => n.photo?.id === photos.get(photo)!.id);
    },
  },
  {
    name: "notifications page",
    covers: (viewer) => viewer === "owner",
    saw: (viewer, photo) => (viewer === "anonymous" ? Promise.resolve(false) : titleShows(viewer, photo, "/notifications")),
  },
  // "A photo that a viewer may not see also cannot be faved, commented on or added to a group by that viewer."
  { name: "fave attempt", covers: isMember, saw: (viewer, photo) => attempt(viewer, "PUT", `/api/v1/photos/${photos.get(photo)!.id}/fave`) },
  { name: "comment attempt", covers: isMember, saw: (viewer, photo) => attempt(viewer, "POST", `/api/v1/photos/${photos.get(photo)!.id}/comments`, { text: "matrix attempt" }) },
  { name: "fave form attempt", covers: isMember, saw: (viewer, photo) => formAttempt(viewer, `/photos/${ownerName()}/${photos.get(photo)!.id}/fave`, {}) },
  { name: "comment form attempt", covers: isMember, saw: (viewer, photo) => formAttempt(viewer, `/photos/${ownerName()}/${photos.get(photo)!.id}/comments`, { text: "matrix form attempt" }) },
  { name: "add-to-group form attempt", covers: isMember, saw: (viewer, photo) => formAttempt(viewer, "/groups/pool", { slug: group.slug, photoId: photos.get(photo)!.id }) },
  { name: "add-to-pool attempt", covers: isMember, saw: (viewer, photo) => attempt(viewer, "POST", `/api/v1/groups/${group.id}/pool`, { photoId: photos.get(photo)!.id }) },
  // ---- Albums: every case's photo is in one album of the owner's, in a smart album by tag, and alone in an album of its own ----
  { name: "album API", saw: async (viewer, photo) => (await albumPhotoIds(`/api/v1/albums/${album}?limit=100`, viewer)).includes(photos.get(photo)!.id) },
  { name: "album page", saw: (viewer, photo) => pageShows(viewer, photo, `/photos/${ownerName()}/albums/${album}`) },
  ...FEED_FORMATS.map((format): PathRow => ({ name: `album feed (${format})`, saw: (viewer, photo) => feedShows(viewer, photo, `/photos/${ownerName()}/albums/${album}/feed.${format}`), seenAs: () => "anonymous" })),
  ...FEED_FORMATS.map((format): PathRow => ({ name: `smart album feed (${format})`, saw: (viewer, photo) => feedShows(viewer, photo, `/photos/${ownerName()}/albums/${smartAlbum}/feed.${format}`), seenAs: () => "anonymous" })),
  { name: "smart album API", saw: async (viewer, photo) => (await albumPhotoIds(`/api/v1/albums/${smartAlbum}?limit=100`, viewer)).includes(photos.get(photo)!.id) },
  { name: "smart album page", saw: (viewer, photo) => pageShows(viewer, photo, `/photos/${ownerName()}/albums/${smartAlbum}`) },
  {
    name: "an album holding only that photo (API: 404 when nothing in it is visible)",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/albums/${caseAlbums.get(photo)!}`, { token: token(viewer) });
      assert.ok(answer.status === 200 || answer.status === 404, `status ${answer.status}`);
      if (answer.status === 200) assert.equal(answer.body.album.cover.id, photos.get(photo)!.id);
      return answer.status === 200;
    },
  },
  {
    name: "member's albums API (albums listed, with counts and covers)",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/users/${ownerName()}/albums`, { token: token(viewer) });
      assert.equal(answer.status, 200);
      const listed = (answer.body.albums as Array<{ id: number; photoCount: number; cover: PhotoJson | null }>).find((a) => a.id === caseAlbums.get(photo));
      if (listed) assert.equal(listed.cover?.id, photos.get(photo)!.id);
      return listed !== undefined && listed.photoCount === 1;
    },
  },
  { name: "member's albums page (covers)", saw: (viewer, photo) => pageShows(viewer, photo, `/photos/${ownerName()}/albums`) },
  {
    name: "collection API (its albums)",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/collections/${collection}`, { token: token(viewer) });
      assert.ok(answer.status === 200, `status ${answer.status}`);
      return (answer.body.albums as Array<{ id: number }>).some((a) => a.id === caseAlbums.get(photo));
    },
  },
  {
    name: "the photo JSON's albums",
    saw: async (viewer, photo) => {
      const answer = await api(server, "GET", `/api/v1/photos/${photos.get(photo)!.id}`, { token: token(viewer) });
      if (answer.status === 404) return false;
      const ids = (answer.body.albums as Array<{ id: number }>).map((a) => a.id);
      assert.ok(ids.includes(album) && ids.includes(smartAlbum) && ids.includes(caseAlbums.get(photo)!), JSON.stringify(ids));
      return true;
    },
  },
  { name: "add-to-album attempt", covers: isMember, saw: async (viewer, photo) => attempt(viewer, "POST", `/api/v1/albums/${viewer === "anonymous" ? 1 : await ownAlbum(viewer)}/photos`, { photoIds: [photos.get(photo)!.id] }) },
];

before(async () => {
  server = await startServer();
  // The first account of a site is its admin.
  const order: ViewerName[] = ["admin", "owner", "member", "contact", "friend", "family", "blocked", "opted-in"];
  for (const name of order) {
    const member = await buildMember(server);
    const me = await api(server, "GET", "/api/v1/me", { token: member.token });
    members.set(name, { ...member, id: me.body.id });
  }
  assert.equal((await api(server, "GET", "/api/v1/me", { token: token("admin") })).body.isAdmin, true);
  const owner = members.get("owner")!;
  const contact = async (name: ViewerName, flags: object) => {
    const answer = await api(server, "PUT", `/api/v1/contacts/${members.get(name)!.username}`, { token: owner.token, json: flags });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
  };
  await contact("contact", {});
  await contact("friend", { friend: true });
  await contact("family", { family: true });
  await contact("blocked", { friend: true });
  assert.equal((await api(server, "PUT", `/api/v1/blocks/${members.get("blocked")!.username}`, { token: owner.token })).status, 204);
  const optIn = await api(server, "PUT", "/api/v1/me/settings/restricted", { token: token("opted-in"), json: { show: true } });
  assert.deepEqual(optIn.body, { show: true });

  // A public group (made by "member") that every member joins; the members who may follow the owner do.
  const created = await api(server, "POST", "/api/v1/groups", { token: token("member"), json: { name: "Matrix pool", privacy: "public" } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  group = { id: created.body.id, slug: created.body.slug };
  for (const name of VIEWERS) {
    if (name === "anonymous" || name === "member") continue;
    const joined = await api(server, "PUT", `/api/v1/groups/${group.id}/members/me`, { token: token(name) });
    assert.ok(joined.status === 201 || joined.status === 403, `${name} joins: ${joined.status}`);
  }
  for (const name of ["contact", "friend", "family", "blocked", "admin", "opted-in"] as const) {
    const follow = await api(server, "PUT", `/api/v1/contacts/${owner.username}`, { token: token(name), json: {} });
    if (follow.status === 201) followers.add(name);
    else assert.equal(name, "blocked", `${name} follows the owner: ${follow.status}`);
  }

  // Every photo starts public, so the URLs handed out then can be tried once it is not.
  const uploaded = new Map<Case, PhotoJson>();
  for (const photoCase of CASES) {
    const photo = await buildDistinctPhoto(server, owner, { tags: TAG, title: `matrix ${photoCase} end` });
    uploaded.set(photoCase, photo);
    urlsBefore.set(photoCase, photo.sizes.map((s) => s.url));
    for (const url of urlsBefore.get(photoCase)!) assert.equal((await fetch(url)).status, 200);
    // While public: in the pool, faved by its owner, commented on by another member (the owner is notified).
    assert.equal((await api(server, "POST", `/api/v1/groups/${group.id}/pool`, { token: owner.token, json: { photoId: photo.id } })).status, 201);
    assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: owner.token })).status, 200);
    assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: token("member"), json: { text: `on ${photoCase}` } })).status, 201);
  }
  const makeAlbum = async (json: object) => {
    const created = await api(server, "POST", "/api/v1/albums", { token: owner.token, json });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id as number;
  };
  album = await makeAlbum({ title: "Matrix album" });
  assert.equal((await api(server, "POST", `/api/v1/albums/${album}/photos`, { token: owner.token, json: { photoIds: CASES.map((c) => uploaded.get(c)!.id) } })).status, 200);
  smartAlbum = await makeAlbum({ title: "Matrix smart album", rule: { tags: [TAG] } });
  for (const photoCase of CASES) {
    const id = await makeAlbum({ title: `matrix album of ${photoCase}` });
    assert.equal((await api(server, "POST", `/api/v1/albums/${id}/photos`, { token: owner.token, json: { photoIds: [uploaded.get(photoCase)!.id] } })).status, 200);
    caseAlbums.set(photoCase, id);
  }
  const made = await api(server, "POST", "/api/v1/collections", { token: owner.token, json: { title: "Matrix collection", albumIds: [album, ...CASES.map((c) => caseAlbums.get(c)!)] } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  collection = made.body.id;

  // Explore ranks them all while public; the photos then become more private, and Explore must follow at once.
  assert.ok((await server.context.explore.refresh()) >= CASES.length, "every case photo is ranked");

  for (const photoCase of CASES) {
    const photo = uploaded.get(photoCase)!;
    let current: PhotoJson = photo;
    if (photoCase === "restricted") {
      current = (await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { restricted: true } })).body;
    } else if (photoCase === "hidden") {
      const report = await api(server, "POST", "/api/v1/reports", { token: token("member"), json: { targetKind: "photo", targetId: photo.id, reason: "matrix" } });
      assert.equal(report.status, 201);
      assert.equal((await api(server, "POST", `/api/v1/admin/reports/${report.body.id}/resolution`, { token: token("admin"), json: { action: "hide" } })).status, 200);
      current = (await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body;
    } else if (photoCase !== "public") {
      current = (await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { visibility: photoCase } })).body;
    }
    photos.set(photoCase, current);
  }
});
after(async () => server.close());

test("the expected table says what the plain rule says", () => {
  for (const photo of CASES) for (const viewer of VIEWERS) assert.equal(expected(viewer, photo), rule(viewer, photo), `${photo} seen by ${viewer}`);
});

describe("who sees what, on every path", () => {
  for (const path of PATHS) {
    for (const viewer of VIEWERS) {
      test(`${path.name}, viewer: ${viewer}`, async () => {
        const eyes = path.seenAs?.(viewer) ?? viewer;
        const covered = path.covers?.(viewer) ?? true;
        const want = CASES.map((photo) => `${photo}: ${expected(eyes, photo) ? "seen" : "not seen"}`);
        const got: string[] = [];
        for (const photo of CASES) got.push(`${photo}: ${(await path.saw(viewer, photo)) ? "seen" : "not seen"}`);
        if (covered) assert.deepEqual(got, want);
        // Not this path's audience: it may show less than the rule allows, never what the rule forbids.
        else assert.deepEqual(got.map((g, i) => (g.endsWith(": seen") && !expected(eyes, CASES[i]!) ? `${CASES[i]}: LEAKED` : `${CASES[i]}: ok`)), CASES.map((c) => `${c}: ok`));
      });
    }
  }
});

test("canSeePhoto (the code) and visibleTo (the SQL of every listing) agree with the table in every cell", async () => {
  const repository = new PhotosRepository(server.context.database.db);
  const ownerId = members.get("owner")!.id;
  for (const viewer of VIEWERS) {
    const member = members.get(viewer);
    const audience = { viewerId: member?.id ?? null, showsRestricted: viewer === "opted-in" };
    const listed = new Set((await repository.list({ audience, ownerId, limit: 100 })).map((r) => String(r.id)));
    for (const photoCase of CASES) {
      const row = (await repository.findById(Number(photos.get(photoCase)!.id)))!;
      const standing = member ? await repository.standing(ownerId, member.id) : { isContact: false, isFriend: false, isFamily: false, isBlocked: false };
      const inCode = canSeePhoto({ ownerId, visibility: row.visibility as Visibility, restricted: row.restricted === 1, hidden: row.hidden_at !== null }, audience, standing);
      const inSql = listed.has(String(row.id));
      assert.equal(inCode, inSql, `${photoCase} for ${viewer}: code and SQL agree`);
      assert.equal(inCode, expected(viewer, photoCase), `${photoCase} for ${viewer}: as the table says`);
    }
  }
});

test("a block wins over a friend flag in code and in SQL, even if a contact row survived the block", async () => {
  // The API removes the contact on a block; this puts one back behind its back, so the
  // blocks clause of the rule is tested on its own.
  const db = server.context.database.db;
  const ownerId = members.get("owner")!.id;
  const blocked = members.get("blocked")!;
  await db.insertInto("contacts").values({ owner_id: ownerId, contact_id: blocked.id, is_friend: 1, is_family: 1, created_at: Date.now() }).execute();
  try {
    const repository = new PhotosRepository(db);
    const audience = { viewerId: blocked.id, showsRestricted: false };
    const listed = new Set((await repository.list({ audience, ownerId, limit: 100 })).map((r) => String(r.id)));
    const standing = await repository.standing(ownerId, blocked.id);
    assert.deepEqual(standing, { isContact: true, isFriend: true, isFamily: true, isBlocked: true });
    for (const photoCase of CASES) {
      const row = (await repository.findById(Number(photos.get(photoCase)!.id)))!;
      const inCode = canSeePhoto({ ownerId, visibility: row.visibility as Visibility, restricted: row.restricted === 1, hidden: row.hidden_at !== null }, audience, standing);
      assert.equal(inCode, photoCase === "public", `${photoCase}: code`);
      assert.equal(listed.has(String(row.id)), photoCase === "public", `${photoCase}: SQL`);
      assert.equal(await PATHS[1]!.saw("blocked", photoCase), photoCase === "public", `${photoCase}: photo API`);
    }
  } finally {
    await db.deleteFrom("contacts").where("owner_id", "=", ownerId).where("contact_id", "=", blocked.id).execute();
  }
});

describe("image URLs are capabilities: a photo made more private gets a new secret", () => {
  test("every URL handed out while the photo was public stops working once it is friends, family, private, restricted or hidden", async () => {
    for (const photoCase of CASES) {
      const before = urlsBefore.get(photoCase)!;
      const now = photos.get(photoCase)!;
      if (photoCase === "public") {
        assert.deepEqual(now.sizes.map((s) => s.url), before, "public: unchanged");
        continue;
      }
      assert.notEqual(secretOf(now), new URL(before[0]!).pathname.split("/")[3], `${photoCase}: a new secret`);
      for (const url of before) assert.equal((await fetch(url)).status, 404, `${photoCase}: ${url} is dead`);
      for (const size of now.sizes) assert.equal((await fetch(size.url)).status, 200, `${photoCase}: the owner's new URL works`);
    }
  });

  test("restricting keeps rotating only on the way in: un-restricting, or restricting again, keeps the URLs", async () => {
    const owner = members.get("owner")!;
    const photo = await buildDistinctPhoto(server, owner, { restricted: "true" });
    assert.equal(photo.restricted, true, "the upload's restricted field");
    const open = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { restricted: false } });
    assert.equal(open.body.restricted, false);
    assert.deepEqual(open.body.sizes.map((s: { url: string }) => s.url), photo.sizes.map((s) => s.url), "opening up keeps the URLs");
    const same = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { title: "just a title", restricted: false } });
    assert.deepEqual(same.body.sizes.map((s: { url: string }) => s.url), photo.sizes.map((s) => s.url));
    const closed = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { restricted: true } });
    assert.notDeepEqual(closed.body.sizes.map((s: { url: string }) => s.url), photo.sizes.map((s) => s.url));
    const again = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { restricted: true } });
    assert.deepEqual(again.body.sizes.map((s: { url: string }) => s.url), closed.body.sizes.map((s: { url: string }) => s.url), "already restricted: no new secret");
  });
});

describe("restricted photos through the forms", () => {
  test("the edit form's box restricts and un-restricts; the settings form opts in and out", async () => {
    const owner = members.get("owner")!;
    const photo = await buildDistinctPhoto(server, owner, { title: "form-restricted" });
    const ownerWeb = await web("owner");
    const page = await ownerWeb.get(`/photos/${owner.username}/${photo.id}`);
    assert.match(page.html, /name="restricted"/);
    const edited = await ownerWeb.post(`/photos/${owner.username}/${photo.id}/edit`, { title: "form-restricted", restricted: "1" });
    assert.equal(edited.status, 303);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body.restricted, true);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).status, 404, "hidden from visitors");

    const viewer = await buildMember(server);
    const viewerWeb = new WebClient(server);
    await viewerWeb.logIn(viewer);
    assert.equal((await viewerWeb.get(`/photos/${owner.username}/${photo.id}`)).status, 404, "hidden from a member who did not opt in");
    const settings = await viewerWeb.get("/settings");
    assert.match(settings.html, /id="show-restricted"/);
    assert.equal((await viewerWeb.post("/settings/restricted", { show: "1" })).status, 200);
    assert.equal((await viewerWeb.get(`/photos/${owner.username}/${photo.id}`)).status, 200, "seen once opted in");
    assert.equal((await api(server, "GET", "/api/v1/me", { token: viewer.token })).body.showsRestricted, true);
    assert.equal((await viewerWeb.post("/settings/restricted", {})).status, 200, "an unticked box opts out");
    assert.equal((await viewerWeb.get(`/photos/${owner.username}/${photo.id}`)).status, 404);

    const unticked = await ownerWeb.post(`/photos/${owner.username}/${photo.id}/edit`, { title: "form-restricted" });
    assert.equal(unticked.status, 303);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).status, 200, "an unticked box un-restricts");
  });

  test("opting in needs a member; the setting refuses what is not a boolean", async () => {
    assert.equal((await api(server, "PUT", "/api/v1/me/settings/restricted", { json: { show: true } })).status, 401);
    assert.equal((await api(server, "PUT", "/api/v1/me/settings/restricted", { token: token("member"), json: { show: "maybe" } })).status, 400);
    assert.equal((await api(server, "PATCH", `/api/v1/photos/${photos.get("public")!.id}`, { token: token("member"), json: { restricted: true } })).status, 403, "only the owner restricts");
  });
});
