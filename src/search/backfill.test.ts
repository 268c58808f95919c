import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDatabase } from "../db/database.ts";
import { migrateToLatest, migrator } from "../db/migrate.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../../test/helpers/database.ts";
import { ANONYMOUS } from "../photos/visibility.ts";
import { SearchRepository } from "./repository.ts";
import { queryTerms } from "./text.ts";

test(`migrations 0011 and 0022 index the photos that existed before them (${TEST_POSTGRES_URL ? "PostgreSQL" : "SQLite"})`, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-search-backfill-"));
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  const handle = openDatabase({ databaseUrl: postgres?.url ?? null, dataDir });
  try {
    const { error } = await migrator(handle.db).migrateTo("0009_location_privacy");
    assert.equal(error, undefined);
    const user = await handle.db
      .insertInto("users")
      .values({ username: "Old_Timer", username_key: "old_timer", email: "o@example.test", email_key: "o@example.test", email_confirmed_at: null, password_hash: "x", is_admin: 0, created_at: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    // More than one backfill batch (500), so the batches' seams are crossed.
    for (let start = 0; start < 1201; start += 400) {
      const rows = Array.from({ length: Math.min(400, 1201 - start) }, (_, k) => {
        const i = start + k;
        return {
          id: 1000 + i, owner_id: Number(user.id), title: i === 1200 ? "Crème brûlée à Paris" : `Photo ${i}`, description: i % 2 ? "odd one" : "even one", visibility: "public", secret: "s", original_key: "k", original_format: "jpeg",
          original_bytes: 1, original_name: "a.jpg", sha256: `h${i}`, width: 1, height: 1, taken_at: null, taken_at_offset: null, taken_at_utc: null, uploaded_at: 1, updated_at: 1,
          camera_make: null, camera_model: null, lens: null, exposure_time: null, exposure_seconds: null, f_number: null, iso: null, focal_length: null, focal_length_35mm: null,
          latitude: null, longitude: null, altitude: null, sizes: "[]", dominant_color: null, tags: i === 1200 ? JSON.stringify([{ raw: "Lake District", tag: "lakedistrict" }]) : "[]",
        };
      });
      await handle.db.insertInto("photos").values(rows).execute();
    }
    await migrateToLatest(handle.db);
    const search = new SearchRepository(handle.db);
    const find = async (q: string) => (await search.search({ audience: ANONYMOUS, terms: queryTerms(q), tagMode: "all", media: "all", sort: "uploaded", limit: 2000 })).map((r) => r.id);
    assert.deepEqual(await find("creme BRULEE paris"), [2200]);
    assert.deepEqual(await find("lake district"), [2200]);
    assert.deepEqual(await find("lakedistrict"), [2200]);
    assert.deepEqual(await find("old timer crème"), [2200], "the owner's username, split at the underscore");
    assert.equal((await find("odd")).length, 600);
    assert.equal((await find("photo")).length, 1200);
    // Migration 0022 made the postings of those same photos: relevance finds them in their tiers.
    const ranked = async (q: string) => (await search.search({ audience: ANONYMOUS, terms: queryTerms(q), tagMode: "all", media: "all", sort: "relevance", limit: 5 })).map((r) => [r.id, r.sort_score]);
    assert.deepEqual(await ranked("paris"), [[2200, 2]], "a title word");
    assert.deepEqual(await ranked("lake"), [[2200, 1]], "a tag word");
    assert.deepEqual(await ranked("paris lake"), [[2200, 1]], "one word in the title, one in the tags");
    assert.deepEqual(await ranked("odd"), [[2199, 0], [2197, 0], [2195, 0], [2193, 0], [2191, 0]], "a description word, newest first");
    assert.deepEqual(await ranked("photo odd"), [[2199, 0], [2197, 0], [2195, 0], [2193, 0], [2191, 0]]);
    assert.deepEqual(await ranked("photo"), [[2199, 2], [2198, 2], [2197, 2], [2196, 2], [2195, 2]]);
  } finally {
    await handle.close();
    await postgres?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
