import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.

/**
 * Full-text search over photos: their title, description, tags and owner's username, in
 * `photo_search`, one row per photo keyed by its id. The words are made by the app
 * (src/search/text.ts: decomposed, accents removed, lower-cased, letters and digits only), so
 * both databases index the same words: SQLite in an FTS5 table (unicode61, accents removed
 * again for good measure), PostgreSQL in a table with a `simple` tsvector under a GIN index.
 * PhotosRepository writes a photo's row in the same transaction as the photo and its tags;
 * deleting a photo deletes its row (a trigger on SQLite, a cascading key on PostgreSQL), so a
 * member deleted with their photos leaves none behind. Usernames never change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await sql`create table photo_search (
      photo_id bigint primary key references photos(id) on delete cascade,
      title text not null,
      description text not null,
      tags text not null,
      username text not null,
      document tsvector generated always as (to_tsvector('simple'::regconfig, title || ' ' || tags || ' ' || username || ' ' || description)) stored
    )`.execute(db);
    await sql`create index photo_search_document on photo_search using gin (document)`.execute(db);
  } else {
    await sql`create virtual table photo_search using fts5(title, description, tags, username, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
    await sql`create trigger photo_search_delete after delete on photos begin delete from photo_search where rowid = old.id; end`.execute(db);
  }
  await backfill(db, pg);
  // Search results by date taken, and the photos with a location (hasLocation, bbox).
  await db.schema.createIndex("photos_taken_id").on("photos").columns(["taken_at", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("photos_taken_id").ifExists().execute();
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (!pg) await sql`drop trigger if exists photo_search_delete`.execute(db);
  await sql`drop table if exists photo_search`.execute(db);
}

// ---- A frozen copy of src/search/text.ts as it was when this migration shipped ----

function searchWords(text: string): string[] {
  const folded = text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
  return (folded.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.slice(0, 100));
}

function tagWords(json: string): string {
  const words = new Set<string>();
  let tags: Array<{ raw?: unknown; tag?: unknown }> = [];
  try {
    tags = JSON.parse(json) as typeof tags;
  } catch {
    tags = [];
  }
  for (const t of Array.isArray(tags) ? tags : []) {
    for (const w of [...searchWords(String(t.raw ?? "")), ...searchWords(String(t.tag ?? ""))]) words.add(w);
  }
  return [...words].join(" ");
}

async function backfill(db: Kysely<unknown>, pg: boolean): Promise<void> {
  let after = -1;
  for (;;) {
    const { rows } = await sql<{ id: number | string; title: string; description: string; tags: string; username: string }>`
      select p.id, p.title, p.description, p.tags, u.username
      from photos p inner join users u on u.id = p.owner_id
      where p.id > ${after} order by p.id limit 500`.execute(db);
    if (rows.length === 0) return;
    const values = rows.map((r) =>
      sql`(${Number(r.id)}, ${searchWords(r.title).join(" ")}, ${searchWords(r.description).join(" ")}, ${tagWords(r.tags)}, ${searchWords(r.username).join(" ")})`,
    );
    if (pg) await sql`insert into photo_search (photo_id, title, description, tags, username) values ${sql.join(values)}`.execute(db);
    else await sql`insert into photo_search (rowid, title, description, tags, username) values ${sql.join(values)}`.execute(db);
    after = Number(rows[rows.length - 1]!.id);
  }
}
