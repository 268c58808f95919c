import crypto from "node:crypto";
import { hash, Algorithm } from "@node-rs/argon2";
import { sql, type Kysely } from "kysely";
import type { Database, NewPhotoRow } from "../../src/db/schema.ts";

const WORDS = ["sunset", "lake", "boats", "forest", "city", "night", "portrait", "macro", "flower", "street", "mountain", "snow", "beach", "sky", "cat", "dog", "bridge", "river", "autumn", "spring"];
const SIZES = JSON.stringify(
  [["sq75", 75, 75], ["sq150", 150, 150], ["100", 100, 67], ["240", 240, 160], ["320", 320, 213], ["500", 500, 333], ["640", 640, 427], ["800", 800, 533], ["1024", 1024, 683], ["1600", 1600, 1067], ["2048", 2048, 1365]].map(([size, width, height]) => ({ size, format: "jpeg", width, height })),
);

export interface Seeded {
  /** Paths of public photo pages, for the load generator. */
  photoPaths: string[];
}

/**
 * Members and photos written straight into the database in large transactions, the way an
 * import would: a site of `members` members with `photos` photos between them.
 */
export async function seedSite(db: Kysely<Database>, members: number, photos: number): Promise<Seeded> {
  const passwordHash = await hash("benchmark password 1", { algorithm: Algorithm.Argon2id });
  const now = Date.now();
  const usernames: string[] = [];
  for (let start = 0; start < members; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, members - start) }, (_, i) => {
      const username = `member${start + i}`;
      usernames.push(username);
      return { username, username_key: username, email: `${username}@bench.test`, email_key: `${username}@bench.test`, email_confirmed_at: now, password_hash: passwordHash, is_admin: 0, created_at: now };
    });
    await db.insertInto("users").values(batch).execute();
  }
  const ids = (await db.selectFrom("users").select(["id", "username"]).execute()).sort((a, b) => a.id - b.id);
  const photoPaths: string[] = [];
  const perBatch = 500;
  let photoId = 1_000_000;
  for (let start = 0; start < photos; start += perBatch) {
    await db.transaction().execute(async (trx) => {
      const rows: NewPhotoRow[] = [];
      const tags: Array<{ photo_id: number; tag: string; raw: string; position: number }> = [];
      for (let i = 0; i < Math.min(perBatch, photos - start); i++) {
        const owner = ids[(start + i) % ids.length]!;
        const id = photoId++;
        const visibility = (start + i) % 10 === 9 ? "private" : "public";
        rows.push({
          id, owner_id: owner.id, title: `Photo ${id}`, description: `A description of photo ${id}, with some words.`, visibility,
          secret: crypto.randomBytes(10).toString("hex"), original_key: `originals/000/${id}.jpg`, original_format: "jpeg", original_bytes: 4_000_000,
          original_name: `IMG_${id}.jpg`, sha256: crypto.randomBytes(32).toString("hex"), width: 4000, height: 2667,
          taken_at: "2021-06-01T12:00:00+02:00", taken_at_offset: "+02:00", taken_at_utc: now - 1e9, uploaded_at: now - (photos - start - i) * 1000, updated_at: now,
          camera_make: "Canon", camera_model: "Canon EOS R5", lens: "RF24-105mm F4 L IS USM", exposure_time: "1/250", exposure_seconds: 0.004, f_number: 8, iso: 100,
          focal_length: 50, focal_length_35mm: 50, latitude: 51.5, longitude: -0.12, altitude: 20, sizes: SIZES, dominant_color: "#556677",
          tags: JSON.stringify([0, 1, 2].map((t) => ({ tag: WORDS[(id + t * 7) % WORDS.length], raw: WORDS[(id + t * 7) % WORDS.length] }))),
        });
        for (let t = 0; t < 3; t++) {
          const word = WORDS[(id + t * 7) % WORDS.length]!;
          tags.push({ photo_id: id, tag: word, raw: word, position: t });
        }
        if (visibility === "public") photoPaths.push(`/photos/${owner.username}/${id}`);
      }
      await trx.insertInto("photos").values(rows).execute();
      await trx.insertInto("photo_tags").values(tags).execute();
    });
  }
  // Fresh statistics, as after any bulk import (autovacuum would get there on its own, later).
  await sql`analyze`.execute(db);
  return { photoPaths };
}
