import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

/** A photo with its date taken and camera set as metadata extraction would leave them. */
async function photoTaken(member: Member, takenAt: string | null, fields: Record<string, string> = {}, cameraModel: string | null = null) {
  const photo = await buildDistinctPhoto(server, member, fields);
  await server.context.database.db.updateTable("photos").set({ taken_at: takenAt, camera_make: cameraModel ? "Fujifilm" : null, camera_model: cameraModel }).where("id", "=", Number(photo.id)).execute();
  return photo;
}

const archive = async (username: string, within?: string, viewer?: Member) =>
  (await api(server, "GET", `/api/v1/users/${username}/archive${within ? `?within=${within}` : ""}`, { token: viewer?.token })).body;
const titles = async (query: string, viewer?: Member) => {
  const answer = await api(server, "GET", query, { token: viewer?.token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.photos.map((p: { title: string }) => p.title).sort();
};

test("a member's archive counts photos by year, month and day taken, as each viewer may see them", async () => {
  const owner = await buildMember(server);
  await photoTaken(owner, "2023-12-31T23:59:00", { title: "new year's eve" });
  await photoTaken(owner, "2024-05-17T08:00:00", { title: "may morning" });
  await photoTaken(owner, "2024-05-17T19:30:00+02:00", { title: "may evening" });
  await photoTaken(owner, "2024-05-02T12:00:00", { title: "early may", visibility: "private" });
  await photoTaken(owner, "2024-07-04T12:00:00", { title: "july" });
  await photoTaken(owner, null, { title: "no date" });

  assert.deepEqual(await archive(owner.username), { within: null, periods: [{ period: "2023", count: 1 }, { period: "2024", count: 3 }], undated: 1 }, "the private photo is not counted for visitors");
  assert.deepEqual((await archive(owner.username, undefined, owner)).periods, [{ period: "2023", count: 1 }, { period: "2024", count: 4 }], "the owner counts all");
  assert.deepEqual((await archive(owner.username, "2024")).periods, [{ period: "2024-05", count: 2 }, { period: "2024-07", count: 1 }]);
  assert.deepEqual((await archive(owner.username, "2024-05")).periods, [{ period: "2024-05-17", count: 2 }]);
  assert.deepEqual((await archive(owner.username, "2024-05", owner)).periods, [{ period: "2024-05-02", count: 1 }, { period: "2024-05-17", count: 2 }]);
  assert.equal((await api(server, "GET", `/api/v1/users/${owner.username}/archive?within=2024-05-17`)).status, 400, "nothing below a day");
  assert.equal((await api(server, "GET", `/api/v1/users/${owner.username}/archive?within=2024-13`)).status, 400);

  assert.deepEqual(await titles(`/api/v1/users/${owner.username}/photos?taken=2024-05-17`), ["may evening", "may morning"]);
  assert.deepEqual(await titles(`/api/v1/users/${owner.username}/photos?taken=2024-05`), ["may evening", "may morning"]);
  assert.deepEqual(await titles(`/api/v1/users/${owner.username}/photos?taken=2024-05`, owner), ["early may", "may evening", "may morning"]);
  assert.deepEqual(await titles(`/api/v1/users/${owner.username}/photos?undated=true`), ["no date"]);

  const years = await (await fetch(`${server.url}/photos/${owner.username}/archives`)).text();
  assert.match(years, /<a href="\/photos\/[^/]+\/archives\/2024">2024<\/a> <span class="count">3 photos<\/span>/);
  assert.match(years, /1 photo with no date taken/);
  const year = await (await fetch(`${server.url}/photos/${owner.username}/archives/2024`)).text();
  assert.match(year, /<a href="\/photos\/[^/]+\/archives\/2024\/05">May<\/a> <span class="count">2 photos<\/span>/);
  assert.match(year, /<span class="muted">June<\/span>/);
  const month = await (await fetch(`${server.url}/photos/${owner.username}/archives/2024/05`)).text();
  assert.match(month, /<table class="calendar"/);
  assert.match(month, /<a href="\/photos\/[^/]+\/archives\/2024\/05\/17" aria-label="May 17: 2 photos">17<\/a>/);
  assert.doesNotMatch(month, /archives\/2024\/05\/02/, "no link to a day whose only photo the visitor may not see");
  // May 2024 starts on a Wednesday: two empty cells before the 1st.
  assert.match(month, /<tbody><tr><td><\/td><td><\/td><td>1<\/td>/);
  const day = await (await fetch(`${server.url}/photos/${owner.username}/archives/2024/05/17`)).text();
  assert.match(day, /may morning/);
  assert.match(day, /may evening/);
  assert.doesNotMatch(day, /early may/);
  assert.equal((await fetch(`${server.url}/photos/${owner.username}/archives/2024/13`)).status, 400);

  const photoPage = await (await fetch(`${server.url}/photos/${owner.username}/${(await titlesToId(owner, "july"))}`)).text();
  assert.match(photoPage, /<a href="\/photos\/[^/]+\/archives\/2024\/07\/04" id="taken-link">/);
});

async function titlesToId(owner: Member, title: string): Promise<string> {
  const list = (await api(server, "GET", `/api/v1/users/${owner.username}/photos?limit=100`, { token: owner.token })).body.photos as Array<{ id: string; title: string }>;
  return list.find((p) => p.title === title)!.id;
}

test("a camera page lists the photos taken with that model that the viewer may see, across members", async () => {
  const one = await buildMember(server);
  const two = await buildMember(server);
  const model = `X-T${Date.now() % 100000}`;
  await photoTaken(one, "2024-01-01T10:00:00", { title: "one's" }, model);
  await photoTaken(two, "2024-01-02T10:00:00", { title: "two's" }, model);
  await photoTaken(two, "2024-01-03T10:00:00", { title: "two's friends only", visibility: "friends" }, model);
  await photoTaken(two, "2024-01-03T10:00:00", { title: "other camera" }, "EOS R5");
  assert.deepEqual(await titles(`/api/v1/cameras/${encodeURIComponent(model)}/photos`), ["one's", "two's"]);
  assert.deepEqual(await titles(`/api/v1/cameras/${encodeURIComponent(model)}/photos`, two), ["two's", "two's friends only"].concat("one's").sort());
  const page = await (await fetch(`${server.url}/cameras/${encodeURIComponent(model)}`)).text();
  assert.match(page, new RegExp(`Photos taken with a ${model}`));
  const photoPage = await (await fetch(`${server.url}/photos/${one.username}/${await titlesToId(one, "one's")}`)).text();
  assert.match(photoPage, new RegExp(`<a href="/cameras/${model}" id="camera-link">Fujifilm ${model}</a>`));
});
