import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import fs from "node:fs";
import path from "node:path";
import { api, buildMember, buildPhoto, corpusFile } from "../helpers/client.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

test("two requests making a photo more private at once leave it whole: one new secret, every size served", async () => {
  const member = await buildMember(server);
  for (let round = 0; round < 5; round++) {
    // Bytes after the JPEG's end make each round a new photo rather than the same one again.
    const bytes = Buffer.concat([fs.readFileSync(corpusFile("photos/tiny-1x1.jpg")), Buffer.from(`round ${round}`)]);
    const file = path.join(server.dataDir, `race-${round}.jpg`);
    fs.writeFileSync(file, bytes);
    const photo = await buildPhoto(server, member, { title: `race ${round}` }, file);
    const [a, b] = await Promise.all([
      api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: member.token, json: { visibility: "private" } }),
      api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: member.token, json: { visibility: "friends" } }),
    ]);
    for (const answer of [a, b]) assert.ok(answer.status === 200 || answer.status === 409, `200 or a clear 409, got ${answer.status}`);
    assert.ok(a.status === 200 || b.status === 200, "one of them took effect");
    const now = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: member.token });
    for (const size of now.body.sizes as Array<{ url: string }>) {
      assert.equal((await fetch(size.url)).status, 200, `${size.url} is served after the race`);
    }
    for (const size of photo.sizes) assert.equal((await fetch(size.url)).status, 404, `the old secret URLs are gone: ${a.status} ${b.status} ${size.url} now ${JSON.stringify(now.body.sizes[0].url)}`);
  }
});
