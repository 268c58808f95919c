import { test } from "node:test";
import assert from "node:assert/strict";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { SettingsRepository } from "./settings-repository.ts";
import { SECRET_FINGERPRINT_KEY, secretMatchesSite } from "./secrets.ts";

test("servers of one site are told when their signing secrets differ; the secret itself never goes into the database", async () => {
  const database = await openTestDatabase("secrets");
  try {
    const settings = new SettingsRepository(database.handle.db);
    const shared = Buffer.from("the site's PINHOLE_SECRET");
    assert.equal(await secretMatchesSite(settings, shared, 1), true, "the first server records its secret's fingerprint");
    assert.equal(await secretMatchesSite(settings, Buffer.from("the site's PINHOLE_SECRET"), 2), true, "a second server with the same secret");
    assert.equal(await secretMatchesSite(settings, Buffer.from("a secret.key of its own"), 3), false, "a server with its own secret is told");
    assert.equal(await secretMatchesSite(settings, Buffer.from("a secret.key of its own"), 4), true, "once: the latest secret is the site's now (a restore, a change)");
    const stored = await settings.get(SECRET_FINGERPRINT_KEY);
    assert.ok(stored && !stored.includes("secret.key") && stored.length === 22);
  } finally {
    await database.close();
  }
});
