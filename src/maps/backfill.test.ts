import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { migrateToLatest, migrator } from "../db/migrate.ts";
import { MapsRepository } from "./repository.ts";

test("migration 0012 puts a site's existing photos on the map exactly as the app would keep them", async () => {
  const { handle, close } = await openTestDatabase("map-backfill");
  try {
    const db = handle.db;
    const down = await migrator(db).migrateTo("0009_location_privacy");
    assert.equal(down.error, undefined);
    const now = Date.now();
    const user = (name: string, suspended: boolean) => ({ username: name, username_key: name, email: `${name}@x.test`, email_key: `${name}@x.test`, password_hash: "x", is_admin: 0, created_at: now, ...(suspended ? { suspended_at: now } : {}) });
    await db.insertInto("users").values([user("active", false), user("suspended", true)]).execute();
    const ids = Object.fromEntries((await db.selectFrom("users").select(["id", "username"]).execute()).map((u) => [u.username, u.id]));
    let id = 1000;
    const photo = (owner: string, fields: Record<string, unknown>) => ({
      id: id++, owner_id: ids[owner]!, title: "t", description: "", visibility: "public", location_visibility: "everyone", secret: crypto.randomBytes(10).toString("hex"),
      original_key: "k", original_format: "jpeg", original_bytes: 1, original_name: "x.jpg", sha256: crypto.randomBytes(32).toString("hex"), width: 1, height: 1,
      taken_at: null, taken_at_offset: null, taken_at_utc: null, uploaded_at: now, updated_at: now, camera_make: null, camera_model: null, lens: null, exposure_time: null,
      exposure_seconds: null, f_number: null, iso: null, focal_length: null, focal_length_35mm: null, latitude: 51.5, longitude: -0.12, altitude: null, sizes: "[]", dominant_color: null, restricted: 0, hidden_at: null,
      ...fields,
    });
    const rows = [];
    for (let i = 0; i < 2500; i++) rows.push(photo("active", { latitude: -60 + (i % 120), longitude: -179 + ((i * 7) % 358) + 0.5 }));
    rows.push(photo("active", { visibility: "private" }), photo("active", { location_visibility: "contacts" }), photo("active", { latitude: null, longitude: null }));
    rows.push(photo("active", { restricted: 1 }), photo("active", { hidden_at: now }), photo("suspended", {}));
    for (let i = 0; i < rows.length; i += 200) await db.insertInto("photos").values(rows.slice(i, i + 200)).execute();

    await migrateToLatest(db);
    const { stored, recounted } = await new MapsRepository(db).invariantCheck();
    assert.equal(stored.points.length, 2501, "the 2,500 spread photos and the restricted one (for members who opted in)");
    assert.deepEqual(stored, recounted);
  } finally {
    await close();
  }
});
