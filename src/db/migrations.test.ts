import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { MIGRATIONS } from "./migrate.ts";

const DIR = path.join(import.meta.dirname, "migrations");

/**
 * The sha256 of every migration ever shipped (line endings normalised to LF). A released
 * migration has run on sites we cannot see; editing it would leave them with a different
 * schema than new sites. Adding a migration means adding its line here, and nothing else.
 */
const SHIPPED: Record<string, string> = {
  "0001_core.ts": "7c519d2a977ebb7df4d3866c11a1874c3af90bbe9e9621a4f3093150177bd41d",
  "0002_operations.ts": "4f6af4c4329e1f2f93b46b5e16d831bb170b1b054b6ea1a865b06c809449f665",
  "0003_community.ts": "12e0ec3fa687cc833b5e71e1e6f44a14ac1b8bbc98ff38815a69ff5e5274085a",
  "0004_activity_index.ts": "71dfb32c6c46474ce43287b56d29639ad36ad7a80ac029943304a08062a474c8",
  "0005_activity_by_photo_owner.ts": "b11af9accad3410f80768eaf8ad5a122e0fb4778f1cf5daec1661f167a00b1f8",
  "0007_licenses.ts": "db8e60e9c240916c0141f7b40cb680fcf1d656a0589affeb91557a79b8e32b4a",
  "0008_archive_indexes.ts": "f03c4202454a340d9df343fc545b5af0cfb8bb0f1b9e34705b41272b034bc4f7",
  "0009_location_privacy.ts": "633405a25df499bb4f40df4dd8bff313fd5b498ac444b7db0be44359479488be",
  "0010_albums.ts": "8969e9d22beee857061931a2a680967dc2ba87d909486c0393849e6feee0b720",
  "0011_search.ts": "4fdfe83823ee2d81e195e3c8a26e34dd4c3bbf317fc9c6d846756f90835929e3",
  "0012_map.ts": "f8fc9c64bbe374bfe9ffda9f38d21a7f3504585cc52bf6997695671962cbf33e",
  "0013_webmentions.ts": "704a733bcf96e7f408de1ed7befd1f56cab470bc091e04326307e61d69eec6ea",
  "0014_imports.ts": "36d69413575b12c5313c096585939db2400e23970fe3cb836c9ac27784855307",
  "0015_flickr_api.ts": "5f816cd32f1b1db9006390accf52235488bda9337e236319dc0de0b188d54578",
  "0016_album_origins.ts": "e9c35e742dbcf80f62599270b69708c8e1f901e8d1e1cd4d3013b7f570b94471",
  "0018_periodic_runs.ts": "55035bf224451c09ce449c11a50c5e85551b2d59ab54675e36b31a8b78a65b4f",
  "0019_alt_text.ts": "1ca62788ec6add0725202949d5f26a44ad4226db8c3382b1dfdc1f07d6bc1c95",
  "0021_rate_events.ts": "611882f3d798448a587f55e99cb31b86af77d9f5ad7acef89b93668abb828b1d",
  "0022_search_postings.ts": "8fe301ea0a04576a8c25bee03016c3a90cb57c35548b6809fe100631130d9e91",
  "0023_user_locale.ts": "a60c8f332235fd93d98d38fe7c3eb36add59ea34ce2168634714eb060367eb8a",
  "0025_upload_locks.ts": "0b4f2ff9260f3eb748f47d1c57567d51fcf14d1b0ff04b6ee7f9877d9e4ac676",
  "0026_photo_counters_in_place.ts": "0358fddacd67c6e534d3a3eadc46fb64e68ba021f036b0c7cf9c9b2a5de31923",
};

function migrationFiles(): string[] {
  return fs.readdirSync(DIR).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts")).sort();
}

function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file, "utf8").replace(/\r\n/g, "\n")).digest("hex");
}

test("no shipped migration is changed or removed: append a new migration instead", () => {
  for (const [name, expected] of Object.entries(SHIPPED)) {
    const file = path.join(DIR, name);
    assert.ok(fs.existsSync(file), `${name} was shipped and is gone: migrations are append-only, put it back and append a new migration that undoes what it must`);
    assert.equal(sha256(file), expected, `${name} was shipped and has changed: sites that ran it keep the old schema. Revert it and append a new migration (e.g. ${nextName()}) with the change`);
  }
});

test("every migration file is recorded here and in the migration history, in order", () => {
  const files = migrationFiles();
  for (const name of files) {
    assert.ok(SHIPPED[name], `${name} is new: add "${name}": "${sha256(path.join(DIR, name))}" to SHIPPED in src/db/migrations.test.ts, which freezes it`);
  }
  assert.deepEqual(Object.keys(MIGRATIONS), files.map((name) => name.replace(/\.ts$/, "")), "src/db/migrate.ts lists exactly the files in src/db/migrations/, in name order");
});

test("migrations import nothing but kysely: they must run the same way after the app has changed", () => {
  const specifier = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;
  for (const name of migrationFiles()) {
    const source = fs.readFileSync(path.join(DIR, name), "utf8");
    const imported = [...source.matchAll(specifier)].map((m) => m[1] ?? m[2] ?? m[3]);
    assert.ok(imported.length > 0, `${name}: no import found (the pattern above may need updating)`);
    for (const module of imported) {
      assert.equal(module, "kysely", `${name} imports "${module}": a migration may import only "kysely"; copy what it needs into the file, frozen with it`);
    }
  }
});

function nextName(): string {
  const last = migrationFiles().at(-1) ?? "0000";
  return `${String(Number(last.slice(0, 4)) + 1).padStart(4, "0")}_…`;
}
