import { test } from "node:test";
import assert from "node:assert/strict";
import { seedSite } from "../../bench/lib/seed.ts";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { ExploreRepository } from "./repository.ts";

test("Explore's candidates are read a few thousand at a time and come back whole: every public photo of the window once, none older", async () => {
  const database = await openTestDatabase("explore-candidates");
  try {
    // The seed uploads a photo a second up to now; every tenth is private.
    await seedSite(database.handle.db, 3, 5_000);
    const photos = await database.handle.db.selectFrom("photos").select(["id", "visibility", "uploaded_at"]).orderBy("id").execute();
    const since = photos[200]!.uploaded_at;
    const expected = photos.filter((p) => p.visibility === "public" && p.uploaded_at >= since).map((p) => Number(p.id));
    assert.ok(expected.length > 2 * 2000, "more than two reads' worth");
    const found = await new ExploreRepository(database.handle.db).candidates(since);
    assert.deepEqual(found.map((c) => Number(c.id)), expected);
  } finally {
    await database.close();
  }
});
