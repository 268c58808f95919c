import crypto from "node:crypto";
import { hash, Algorithm } from "@node-rs/argon2";
import { sql, type Kysely } from "kysely";
import type { Database, NewPhotoRow } from "../../src/db/schema.ts";
import { newPhotoId } from "../../src/photos/ids.ts";

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
  for (let start = 0; start < photos; start += perBatch) {
    await db.transaction().execute(async (trx) => {
      const rows: NewPhotoRow[] = [];
      const tags: Array<{ photo_id: number; tag: string; raw: string; position: number }> = [];
      for (let i = 0; i < Math.min(perBatch, photos - start); i++) {
        const owner = ids[(start + i) % ids.length]!;
        const uploadedAt = now - (photos - start - i) * 1000;
        // Ids as the app makes them (upload time × 4096 plus a few bits), which Explore's "uploaded since" bound relies on.
        const id = newPhotoId(uploadedAt);
        const visibility = (start + i) % 10 === 9 ? "private" : "public";
        rows.push({
          id, owner_id: owner.id, title: `Photo ${id}`, description: `A description of photo ${id}, with some words.`, visibility,
          secret: crypto.randomBytes(10).toString("hex"), original_key: `originals/000/${id}.jpg`, original_format: "jpeg", original_bytes: 4_000_000,
          original_name: `IMG_${id}.jpg`, sha256: crypto.randomBytes(32).toString("hex"), width: 4000, height: 2667,
          taken_at: "2021-06-01T12:00:00+02:00", taken_at_offset: "+02:00", taken_at_utc: now - 1e9, uploaded_at: uploadedAt, updated_at: now,
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

export interface CommunitySize {
  faves: number;
  comments: number;
  contacts: number;
}

export interface SeededCommunity {
  /** The page of the photo that has exactly `featuredFaves` faves and `featuredComments` comments (plus none of the spread). */
  featuredPath: string;
  /** The member who follows `following` others, and their password. */
  follower: { username: string; password: string };
}

/**
 * Faves, comments and contacts written straight into the database in batches (no repository,
 * like `seedSite`), then the photos' fave and comment counters set from them, as the app keeps
 * them. One photo gets a fixed number of faves and comments, one member follows a fixed
 * number of others; the rest are spread over the site so its indexes have a realistic size.
 */
export async function seedCommunity(db: Kysely<Database>, size: CommunitySize, featured: { faves: number; comments: number; following: number }): Promise<SeededCommunity> {
  const users = (await db.selectFrom("users").select(["id", "username"]).orderBy("id").execute()) as Array<{ id: number; username: string }>;
  const photos = (await db.selectFrom("photos").select(["id", "owner_id", "visibility"]).orderBy("id").execute()) as Array<{ id: number; owner_id: number; visibility: string }>;
  const publicPhotos = photos.filter((p) => p.visibility === "public");
  if (users.length < Math.max(featured.faves, featured.following) + 2) throw new Error("too few members for the featured photo and follower");
  const now = Date.now();
  const batch = 2000;
  const insertAll = async <T extends "faves" | "comments" | "contacts">(table: T, rows: Array<Record<string, unknown>>) => {
    for (let start = 0; start < rows.length; start += batch) {
      await db.transaction().execute(async (trx) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        await trx.insertInto(table).values(rows.slice(start, start + batch) as any).execute();
      });
    }
  };

  // The featured photo is the newest public one; its faves and comments come first.
  const star = publicPhotos[publicPhotos.length - 1]!;
  const starOwner = users.find((u) => u.id === star.owner_id)!;
  const spreadPhotos = publicPhotos.slice(0, -1);
  const ownerOf = new Map(photos.map((p) => [p.id, p.owner_id]));
  const faves: Array<{ photo_id: number; photo_owner_id: number; user_id: number; created_at: number }> = [];
  for (let i = 0; i < featured.faves; i++) faves.push({ photo_id: star.id, photo_owner_id: star.owner_id, user_id: users[(i + 1) % users.length]!.id, created_at: now - i * 1000 });
  // Spread: for one photo the members differ (k / photos grows), so no pair repeats.
  for (let k = 0; k < size.faves; k++) {
    const p = k % spreadPhotos.length;
    faves.push({ photo_id: spreadPhotos[p]!.id, photo_owner_id: spreadPhotos[p]!.owner_id, user_id: users[(Math.floor(k / spreadPhotos.length) + p * 7) % users.length]!.id, created_at: now - (k % 86_400) * 1000 });
  }
  await insertAll("faves", faves);

  const comments: Array<{ photo_id: number; photo_owner_id: number; author_id: number; body: string; created_at: number; updated_at: number; hidden_at: null }> = [];
  const comment = (photoId: number, authorId: number, at: number, n: number) => ({ photo_id: photoId, photo_owner_id: ownerOf.get(photoId)!, author_id: authorId, body: `Comment ${n}: lovely light on this one, see https://example.com/${n} for more.`, created_at: at, updated_at: at, hidden_at: null });
  for (let i = 0; i < featured.comments; i++) comments.push(comment(star.id, users[(i + 3) % users.length]!.id, now - (featured.comments - i) * 60_000, i));
  for (let k = 0; k < size.comments; k++) comments.push(comment(spreadPhotos[(k * 13) % spreadPhotos.length]!.id, users[(k * 31) % users.length]!.id, now - (k % 86_400) * 1000, k));
  await insertAll("comments", comments);

  // The follower is the featured photo's owner, so their activity page has both halves full:
  // the faves and comments on their photos, and the photos of the next `following` members.
  const followerIndex = users.indexOf(starOwner);
  const follower = users[followerIndex]!;
  const contacts = new Map<string, { owner_id: number; contact_id: number; is_friend: number; is_family: number; created_at: number }>();
  for (let i = 1; i <= featured.following; i++) {
    const contact = users[(followerIndex + i) % users.length]!;
    contacts.set(`${follower.id}:${contact.id}`, { owner_id: follower.id, contact_id: contact.id, is_friend: i % 5 === 0 ? 1 : 0, is_family: 0, created_at: now });
  }
  for (let k = 0; contacts.size < featured.following + size.contacts && k < size.contacts * 2; k++) {
    const owner = users[(k * 7919) % users.length]!;
    const contact = users[(k * 104_729 + 1) % users.length]!;
    if (owner.id === contact.id) continue;
    const key = `${owner.id}:${contact.id}`;
    if (!contacts.has(key)) contacts.set(key, { owner_id: owner.id, contact_id: contact.id, is_friend: k % 3 === 0 ? 1 : 0, is_family: k % 7 === 0 ? 1 : 0, created_at: now });
  }
  await insertAll("contacts", [...contacts.values()]);

  // The counters the app keeps beside the rows.
  await sql`update photos set fave_count = (select count(*) from faves where faves.photo_id = photos.id), comment_count = (select count(*) from comments where comments.photo_id = photos.id)`.execute(db);
  await sql`analyze`.execute(db);
  return { featuredPath: `/photos/${starOwner.username}/${star.id}`, follower: { username: follower.username, password: "benchmark password 1" } };
}
