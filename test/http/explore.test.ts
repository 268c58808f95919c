import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { EXPLORE_INTERVAL_MS, EXPLORE_TASK, ExploreService } from "../../src/explore/service.ts";
import { ExploreRepository } from "../../src/explore/repository.ts";
import { PeriodicRunsRepository } from "../../src/ops/periodic-repository.ts";

const HOUR = 60 * 60_000;
let now = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR + 20 * HOUR;
const clock = { now: () => now };

let server: TestServer;
before(async () => {
  server = await startServer({}, { clock });
  // The server ranks once at start; wait for it so it cannot overwrite the rankings below.
  const runs = new PeriodicRunsRepository(server.context.database.db);
  const ranked = async () => (await runs.recent(EXPLORE_TASK, 1))[0]?.finished_at ?? null;
  for (let i = 0; i < 100 && (await ranked()) === null; i++) await new Promise((r) => setTimeout(r, 50));
  assert.notEqual(await ranked(), null, "Explore was ranked at start");
});
after(async () => server.close());

/** The formula, written again independently of src/explore/ranking.ts. */
const expectedScore = (s: { faves: number; comments: number; views: number; hoursOld: number }) => (3 * s.faves + 2 * s.comments + Math.log2(1 + s.views)) / (s.hoursOld + 2) ** 1.5;

type Seed = { faves: number; comments: number; views: number; hoursOld: number };

async function seed(photoId: string, s: Seed, extra: Record<string, unknown> = {}): Promise<void> {
  // The faves and comments APIs live on other branches: their counters are set as they would leave them.
  await server.context.database.db
    .updateTable("photos")
    .set({ fave_count: s.faves, comment_count: s.comments, view_count: s.views, uploaded_at: now - s.hoursOld * HOUR, ...extra })
    .where("id", "=", Number(photoId))
    .execute();
}

const explore = async (query = "") => api(server, "GET", `/api/v1/explore${query}`);

test("Explore ranks recent public photos by the formula and leaves out every photo not for everyone", async () => {
  const owner = await buildMember(server);
  const suspended = await buildMember(server);
  const eligible: Record<string, Seed> = {
    favedOld: { faves: 5, comments: 0, views: 0, hoursOld: 30 },
    favedNew: { faves: 2, comments: 0, views: 0, hoursOld: 1 },
    commented: { faves: 0, comments: 3, views: 0, hoursOld: 2 },
    viewed: { faves: 0, comments: 0, views: 1000, hoursOld: 5 },
    mixed: { faves: 1, comments: 1, views: 10, hoursOld: 0 },
    sixDays: { faves: 40, comments: 0, views: 0, hoursOld: 6 * 24 },
  };
  const ids: Record<string, string> = {};
  for (const [name, s] of Object.entries(eligible)) {
    ids[name] = (await buildDistinctPhoto(server, owner, { title: name })).id;
    await seed(ids[name]!, s);
  }
  const strong = { faves: 50, comments: 50, views: 5000, hoursOld: 1 };
  const excluded: Record<string, string> = {};
  const exclude = async (name: string, member = owner, fields: Record<string, string> = {}, extra: Record<string, unknown> = {}, s: Seed = strong) => {
    excluded[name] = (await buildDistinctPhoto(server, member, { title: name, ...fields })).id;
    await seed(excluded[name]!, s, extra);
  };
  await exclude("eight days old", owner, {}, {}, { ...strong, hoursOld: 8 * 24 });
  await exclude("friends only", owner, { visibility: "friends" });
  await exclude("private", owner, { visibility: "private" });
  await exclude("restricted", owner, {}, { restricted: 1 });
  await exclude("hidden by a moderator", owner, {}, { hidden_at: now });
  await exclude("owner suspended", suspended);
  await exclude("nobody noticed", owner, {}, {}, { faves: 0, comments: 0, views: 0, hoursOld: 1 });
  await server.context.database.db.updateTable("users").set({ suspended_at: now }).where("username", "=", suspended.username).execute();

  const ranked = await server.context.explore.refresh();
  const expected = Object.entries(eligible)
    .map(([name, s]) => ({ name, score: expectedScore(s) }))
    .sort((a, b) => b.score - a.score)
    .map((e) => e.name);
  assert.equal(ranked, expected.length);

  const answer = await explore();
  assert.equal(answer.status, 200);
  const byId = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
  assert.deepEqual(answer.body.photos.map((p: { id: string }) => byId[p.id] ?? p.id), expected, "ranked by (3·faves + 2·comments + log2(1+views)) / (hours + 2)^1.5");
  // A sanity check that the example is not ordered by a single signal.
  assert.deepEqual(expected.slice(0, 3), ["mixed", "favedNew", "commented"]);
  assert.equal(answer.body.day, new Date(now).toISOString().slice(0, 10));
  for (const id of Object.values(excluded)) assert.ok(!answer.body.photos.some((p: { id: string }) => p.id === id));

  const stored = await server.context.database.db.selectFrom("explore_entries").select(["rank", "photo_id", "score"]).orderBy("rank").execute();
  assert.deepEqual(stored.map((e) => e.rank), expected.map((_, i) => i + 1));
  const mixed = stored.find((e) => String(e.photo_id) === ids.mixed);
  assert.ok(mixed && Math.abs(mixed.score - expectedScore(eligible.mixed!)) < 1e-9, "the stored score is the formula's");

  // Pages follow the stored ranks.
  const first = await explore("?limit=2");
  assert.equal(first.body.photos.length, 2);
  assert.equal(first.body.nextCursor, "2");
  const second = await explore(`?limit=2&after=${first.body.nextCursor}`);
  assert.deepEqual(second.body.photos.map((p: { id: string }) => byId[p.id]), expected.slice(2, 4));

  // The page reads the stored ranking: new faves change nothing until the next ranking…
  await seed(ids.sixDays!, { faves: 10_000, comments: 0, views: 0, hoursOld: 6 * 24 });
  assert.deepEqual((await explore()).body.photos.map((p: { id: string }) => byId[p.id]), expected);
  await server.context.explore.refresh();
  assert.equal(byId[(await explore()).body.photos[0].id], "sixDays", "…and the next ranking sees them");

  // …but a photo made private leaves Explore at once.
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${ids.sixDays}`, { token: owner.token, json: { visibility: "private" } })).status, 200);
  assert.ok(!(await explore()).body.photos.some((p: { id: string }) => p.id === ids.sixDays));

  const html = await (await fetch(`${server.url}/explore`)).text();
  assert.match(html, /<h1>Explore<\/h1>/);
  assert.match(html, /<ul class="jg">/, "a justified grid like photostreams");
  const order = [...html.matchAll(/href="\/photos\/[^/"]+\/(\d+)"/g)].map((m) => byId[m[1]!]);
  assert.deepEqual(order, expected.filter((n) => n !== "sixDays"));
});

test("Explore is ranked once per 15-minute period however many servers look: the period is claimed in periodic_runs", async () => {
  const runs = new PeriodicRunsRepository(server.context.database.db);
  const say = () => {};
  // Three servers' services over the one database, as in a cluster.
  const servers = ["a", "b", "c"].map((holder) => new ExploreService({ explore: new ExploreRepository(server.context.database.db), runs, holder, clock, baseUrl: server.url, say }));
  now += 16 * 60_000;
  const racing = await Promise.all(servers.map((s) => s.refreshIfDue()));
  assert.equal(racing.filter(Boolean).length, 1, "exactly one of three racing servers ranks");
  assert.equal(await servers[1]!.refreshIfDue(), false, "not due again right after");
  now += 10 * 60_000;
  assert.equal(await servers[2]!.refreshIfDue(), false, "nor ten minutes later, in the same period");
  now += 6 * 60_000;
  assert.equal(await servers[2]!.refreshIfDue(), true, "due in the next period");
  const [latest] = await runs.recent(EXPLORE_TASK, 1);
  assert.equal(latest?.slot, Math.floor(now / EXPLORE_INTERVAL_MS));
  assert.equal(latest?.started_by, "c");
  assert.ok(latest?.finished_at !== null && latest?.error === null, "the run is recorded as finished without error");
});

test("Explore answers with an empty page when nothing ranked, and rejects a bad cursor", async () => {
  assert.equal((await explore("?after=abc")).status, 400);
  assert.equal((await explore("?limit=0")).status, 400);
  const empty = await explore("?after=100000");
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.photos, []);
  assert.equal(empty.body.nextCursor, null);
});
