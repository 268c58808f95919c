import { sql, type Kysely } from "kysely";
import type { Database } from "../../src/db/schema.ts";
import { LICENSE_IDS } from "../../src/photos/licenses.ts";
import { rebuildMap } from "../../src/maps/repository.ts";
import { searchDocument, searchPostings } from "../../src/search/text.ts";

/**
 * A large site for search and the map, written straight into the database (like `seedSite`,
 * no repositories) in multi-row INSERTs of literal values, a few thousand rows a statement,
 * inside transactions. Every random choice comes from one seeded generator: the same site
 * every run. Words follow a Zipf-like law (a word's frequency about 1/rank), so a few are
 * very common, most are rare, as in real titles.
 */
export interface DiscoverSize {
  members: number;
  photos: number;
}

export interface DiscoverSite {
  /** A word of titles and descriptions found in about 1% of photos, and how many photos have it. */
  commonWord: { word: string; photos: number };
  /** A tag on about 1% of photos. */
  commonTag: { tag: string; photos: number };
}

// The most frequent words are real photo words; the long tail is made of syllables.
const HEAD = (
  "light sunset morning evening city street river lake mountain forest beach sea sky cloud snow winter summer autumn spring night " +
  "bridge tower church house garden park flower tree leaf rain fog road train station harbour boat ship island coast cliff valley " +
  "portrait friend family child dog cat bird horse market festival music dance old new red blue green yellow black white golden " +
  "long quiet little big walk view reflection shadow window door wall stone wood water fire ice window light path field farm hill " +
  "museum square castle ruin temple statue fountain canal village town country road sign car bike bus tram rail sand wave rock"
).split(" ");
const SYLLABLES = ["ka", "lo", "mi", "ra", "ne", "to", "su", "vi", "da", "pe", "ri", "go", "ban", "tel", "mor", "sin", "qua", "zel", "fra", "dun"];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vocabulary(size: number, random: () => number): string[] {
  const words = [...new Set(HEAD)];
  const seen = new Set(words);
  while (words.length < size) {
    const n = 2 + Math.floor(random() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

/**
 * A rank from 0 to n-1 with P(rank) about proportional to 1/(rank + k): Zipf with its head
 * flattened by k (Mandelbrot), so the most frequent word is in about a tenth of the photos,
 * not most of them.
 */
function zipf(n: number, random: () => number, k = 1): number {
  return Math.min(n - 1, Math.max(0, Math.floor(k * Math.exp(random() * Math.log((n + k) / k))) - k));
}

const lit = (s: string | null) => (s === null ? "null" : `'${s.replace(/'/g, "''")}'`);
const num = (n: number | null) => (n === null ? "null" : String(n));

const SIZES = JSON.stringify(
  [["sq75", 75, 75], ["sq150", 150, 150], ["100", 100, 67], ["240", 240, 160], ["320", 320, 213], ["500", 500, 333], ["640", 640, 427], ["800", 800, 533], ["1024", 1024, 683], ["1600", 1600, 1067], ["2048", 2048, 1365]].map(([size, width, height]) => ({ size, format: "jpeg", width, height })),
);
const EPOCH = Date.UTC(2024, 0, 1);

export async function seedDiscover(db: Kysely<Database>, kind: "sqlite" | "postgres", size: DiscoverSize, say: (line: string) => void): Promise<DiscoverSite> {
  const random = mulberry32(20261205);
  const words = vocabulary(5000, random);
  const tagVocabulary = vocabulary(1500, mulberry32(7)).map((w, i) => (i < 60 ? w : `${w}${i % 10}`));
  const cameras = Array.from({ length: 40 }, (_, i) => [["Canon", "Nikon", "Sony", "Fujifilm", "Olympus", "Apple", "Google", "Leica"][i % 8]!, `${["EOS", "Z", "Alpha", "X", "OM", "iPhone", "Pixel", "Q"][i % 8]} ${10 + i}`] as const);
  const cities = Array.from({ length: 300 }, () => [random() * 120 - 55, random() * 360 - 180] as const);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
  const now = Date.now();
  const hash = "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJrc2FsdA$0000000000000000000000000000000000000000000";

  if (kind === "sqlite") await sql`pragma synchronous = off`.execute(db);
  const usernames: string[] = [];
  for (let start = 0; start < size.members; start += 1000) {
    const rows: string[] = [];
    for (let i = start; i < Math.min(size.members, start + 1000); i++) {
      const username = `${words[(i * 7) % 400]}_${i}`;
      usernames.push(username);
      rows.push(`(${lit(username)}, ${lit(username)}, ${lit(`${username}@bench.test`)}, ${lit(`${username}@bench.test`)}, ${now}, ${lit(hash)}, 0, ${now})`);
    }
    await sql.raw(`insert into users (username, username_key, email, email_key, email_confirmed_at, password_hash, is_admin, created_at) values ${rows.join(",")}`).execute(db);
  }
  const userIds = (await db.selectFrom("users").select(["id", "username"]).orderBy("id").execute()).map((u) => ({ id: Number(u.id), username: u.username }));

  let wordCount = new Map<string, number>();
  const tagCount = new Map<string, number>();
  const perStatement = 1000;
  const perTransaction = 20_000;
  const started = performance.now();
  const step = Math.floor((now - EPOCH - 86_400_000) / size.photos);
  for (let txStart = 0; txStart < size.photos; txStart += perTransaction) {
    await db.transaction().execute(async (trx) => {
      for (let start = txStart; start < Math.min(size.photos, txStart + perTransaction); start += perStatement) {
        const photoRows: string[] = [];
        const tagRows: string[] = [];
        const searchRows: string[] = [];
        const postingRows: string[] = [];
        for (let i = start; i < Math.min(size.photos, start + perStatement); i++) {
          // Owners: a few very active members, most occasional.
          const owner = userIds[zipf(userIds.length, random)]!;
          const uploadedAt = EPOCH + 86_400_000 + i * step;
          const id = (uploadedAt - EPOCH) * 4096 + (i % 4096);
          const pick = (n: number) => Array.from({ length: n }, () => words[zipf(words.length, random, 20)]!);
          const titleWords = pick(2 + Math.floor(random() * 4));
          const descriptionWords = random() < 0.3 ? [] : pick(5 + Math.floor(random() * 16));
          const present = new Set([...titleWords, ...descriptionWords]);
          for (const w of present) wordCount.set(w, (wordCount.get(w) ?? 0) + 1);
          const title = titleWords.map((w, k) => (k === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(" ");
          const description = descriptionWords.join(" ");
          const tags = [...new Set(Array.from({ length: 1 + Math.floor(random() * 5) }, () => tagVocabulary[zipf(tagVocabulary.length, random, 5)]!))];
          for (const t of tags) tagCount.set(t, (tagCount.get(t) ?? 0) + 1);
          const v = random();
          const visibility = v < 0.85 ? "public" : v < 0.9 ? "friends" : v < 0.93 ? "family" : v < 0.95 ? "friends_and_family" : "private";
          const dated = random() < 0.95;
          const takenMs = now - Math.floor(random() * 15 * 365.25 * 86_400_000);
          const takenAt = dated ? new Date(takenMs).toISOString().slice(0, 19) : null;
          const camera = dated ? cameras[zipf(cameras.length, random)]! : null;
          const located = random() < 0.4;
          const city = cities[zipf(cities.length, random)]!;
          const lat = located ? Math.max(-89.9, Math.min(89.9, city[0] + (random() - 0.5) * 0.4)) : null;
          const lon = located ? ((city[1] + (random() - 0.5) * 0.4 + 540) % 360) - 180 : null;
          const lv = random();
          const locationVisibility = lv < 0.8 ? "everyone" : lv < 0.9 ? "contacts" : lv < 0.95 ? "friends_and_family" : "private";
          const license = random() < 0.6 ? "all-rights-reserved" : LICENSE_IDS[1 + Math.floor(random() * (LICENSE_IDS.length - 1))]!;
          const faves = zipf(200, random) * (random() < 0.3 ? 1 : 0);
          const comments = zipf(50, random) * (random() < 0.2 ? 1 : 0);
          const views = zipf(5000, random);
          const tagJson = JSON.stringify(tags.map((t) => ({ raw: t, tag: t })));
          photoRows.push(
            `(${id}, ${owner.id}, ${lit(title)}, ${lit(description)}, ${lit(visibility)}, ${lit(hex(20))}, ${lit(`originals/${id % 1000}/${id}.jpg`)}, 'jpeg', ${3_000_000 + Math.floor(random() * 5_000_000)}, ${lit(`IMG_${i}.jpg`)}, ${lit(hex(64))}, 4000, ${random() < 0.7 ? 2667 : 6000}, ` +
              `${lit(takenAt)}, null, ${dated ? takenMs : "null"}, ${uploadedAt}, ${uploadedAt}, ${lit(camera?.[0] ?? null)}, ${lit(camera?.[1] ?? null)}, null, ${dated ? "'1/250'" : "null"}, ${dated ? 0.004 : "null"}, ${dated ? 8 : "null"}, ${dated ? 100 : "null"}, null, null, ` +
              `${num(lat)}, ${num(lon)}, null, ${lit(SIZES)}, ${lit(tagJson)}, '#556677', ${faves}, ${comments}, ${views}, ${random() < 0.01 ? 1 : 0}, null, ${lit(license)}, ${random() < 0.3 ? 1 : 0}, ${lit(locationVisibility)})`,
          );
          tags.forEach((t, position) => tagRows.push(`(${id}, ${lit(t)}, ${lit(t)}, ${position})`));
          const doc = searchDocument({ title, description, tags: tags.map((t) => ({ raw: t, tag: t })), username: owner.username });
          searchRows.push(`(${id}, ${lit(doc.title)}, ${lit(doc.description)}, ${lit(doc.tags)}, ${lit(doc.username)})`);
          for (const posting of searchPostings(doc)) postingRows.push(`(${lit(posting.word)}, ${posting.level}, ${id})`);
        }
        await sql.raw(
          `insert into photos (id, owner_id, title, description, visibility, secret, original_key, original_format, original_bytes, original_name, sha256, width, height, ` +
            `taken_at, taken_at_offset, taken_at_utc, uploaded_at, updated_at, camera_make, camera_model, lens, exposure_time, exposure_seconds, f_number, iso, focal_length, focal_length_35mm, ` +
            `latitude, longitude, altitude, sizes, tags, dominant_color, fave_count, comment_count, view_count, restricted, hidden_at, license, download_allowed, location_visibility) values ${photoRows.join(",")}`,
        ).execute(trx);
        await sql.raw(`insert into photo_tags (photo_id, tag, raw, position) values ${tagRows.join(",")}`).execute(trx);
        await sql.raw(`insert into photo_search (${kind === "sqlite" ? "rowid" : "photo_id"}, title, description, tags, username) values ${searchRows.join(",")}`).execute(trx);
        for (let i = 0; i < postingRows.length; i += 5000) await sql.raw(`insert into search_postings (word, level, photo_id) values ${postingRows.slice(i, i + 5000).join(",")}`).execute(trx);
      }
    });
    const done = Math.min(size.photos, txStart + perTransaction);
    if (done % 100_000 === 0 || done === size.photos) say(`  ${done} photos (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  await sql`update users set photo_count = (select count(*) from photos where photos.owner_id = users.id)`.execute(db);
  if (kind === "sqlite") await sql`pragma synchronous = full`.execute(db);
  say("  filling the map's points and cells …");
  await rebuildMap(db);
  await sql`analyze`.execute(db);

  const closest = (counts: Map<string, number>, share: number) => {
    const target = size.photos * share;
    let best: [string, number] = ["", Infinity];
    for (const [w, n] of counts) if (Math.abs(n - target) < Math.abs(best[1] - target)) best = [w, n];
    return best;
  };
  const [word, wordPhotos] = closest(wordCount, 0.01);
  wordCount = new Map();
  const [tag, tagPhotos] = closest(tagCount, 0.01);
  return { commonWord: { word, photos: wordPhotos }, commonTag: { tag, photos: tagPhotos } };
}
