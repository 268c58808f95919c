import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: a new table and its indexes.

/**
 * Ordered postings for relevance search: for each word of a photo's title, a row at level 2,
 * and for each word of its title or tags, a row at level 1. The primary key (word, level,
 * photo id) lists the photos of a word at a level newest first straight from the index, so the
 * first page of "every word in the title" or "every word in the title or tags" reads about a
 * page of rows however common the word is, on both databases. Kept by the app beside
 * `photo_search` in the same transaction; a photo that goes takes its rows along.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await sql`create table search_postings (
      word text not null,
      level smallint not null,
      photo_id bigint not null references photos(id) on delete cascade,
      primary key (word, level, photo_id))`.execute(db);
  } else {
    await sql`create table search_postings (
      word text not null,
      level integer not null,
      photo_id integer not null references photos(id) on delete cascade,
      primary key (word, level, photo_id)) without rowid`.execute(db);
  }
  await sql`create index search_postings_photo on search_postings (photo_id)`.execute(db);
  await backfill(db, pg);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists search_postings`.execute(db);
}

async function backfill(db: Kysely<unknown>, pg: boolean): Promise<void> {
  let after = -1;
  for (;;) {
    const { rows } = pg
      ? await sql<{ id: number | string; title: string; tags: string }>`select photo_id as id, title, tags from photo_search where photo_id > ${after} order by photo_id limit 1000`.execute(db)
      : await sql<{ id: number | string; title: string; tags: string }>`select rowid as id, title, tags from photo_search where rowid > ${after} order by rowid limit 1000`.execute(db);
    if (rows.length === 0) return;
    const values = rows.flatMap((r) => postings(String(r.title), String(r.tags)).map((p) => sql`(${p.word}, ${p.level}, ${Number(r.id)})`));
    for (let i = 0; i < values.length; i += 2000) await sql`insert into search_postings (word, level, photo_id) values ${sql.join(values.slice(i, i + 2000))}`.execute(db);
    after = Number(rows[rows.length - 1]!.id);
  }
}

// A frozen copy of `searchPostings` in src/search/text.ts as it was when this migration shipped:
// photo_search's title and tags already hold the search words, space-separated.
function postings(title: string, tags: string): Array<{ word: string; level: number }> {
  const inTitle = new Set(title.split(" ").filter(Boolean));
  const inTitleOrTags = new Set([...inTitle, ...tags.split(" ").filter(Boolean)]);
  return [...[...inTitle].map((word) => ({ word, level: 2 })), ...[...inTitleOrTags].map((word) => ({ word, level: 1 }))];
}
