import fs from "node:fs";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { dropPostgresTables } from "./backup.ts";
import { openDatabase, sqliteFilePath } from "./database.ts";
import { isPostDeployment, migrateToLatest, migrator } from "./migrate.ts";

export class CopyRefused extends Error {}

export interface CopyResult {
  tables: Array<{ name: string; rows: number }>;
  migrations: number;
}

/** Rows per INSERT: well below PostgreSQL's 65,535 parameters with the widest table (photos). */
const BATCH = 200;
const MIGRATION_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

/**
 * Where a PostgreSQL column's values come from in SQLite when the names differ: the search
 * index is an FTS5 table there, keyed by its rowid (the photo's id), and a table of its own here.
 */
const FROM_ROWID: Record<string, string> = { photo_search: "photo_id" };

/** Tables in an order that inserts every row after the rows its foreign keys point at. */
function dependencyOrder(tables: string[], edges: Array<{ child: string; parent: string }>): string[] {
  const ordered: string[] = [];
  const placed = new Set<string>();
  const pending = new Set(tables);
  while (pending.size > 0) {
    const ready = [...pending].filter((table) => edges.every((edge) => edge.child !== table || edge.parent === table || placed.has(edge.parent) || !pending.has(edge.parent)));
    if (ready.length === 0) throw new CopyRefused(`the foreign keys between ${[...pending].join(", ")} form a cycle; this copy cannot order them`);
    for (const table of ready.sort()) {
      ordered.push(table);
      placed.add(table);
      pending.delete(table);
    }
  }
  return ordered;
}

/**
 * Copies a SQLite site's database (PINHOLE_DATA_DIR/pinhole.sqlite) into an empty PostgreSQL
 * database: the schema is made there by the same migrations, then every table's rows are
 * copied in one transaction, sequences are moved past the copied ids, and each table's row
 * count is compared before the commit. Either everything is copied or nothing is. The photo
 * files stay where they are: the storage id travels in the settings table.
 */
export async function copySqliteToPostgres(options: { dataDir: string; databaseUrl: string; say: (line: string) => void }): Promise<CopyResult> {
  const file = sqliteFilePath(options.dataDir);
  if (!fs.existsSync(file)) throw new CopyRefused(`there is no SQLite site at ${file}: is PINHOLE_DATA_DIR right?`);
  // Read-write, so that a site whose server died without closing the file is first recovered
  // from its write-ahead log (a read-only connection cannot always see what is only there);
  // then one read transaction, so every table is read as of the same moment.
  const source = new SqliteDatabase(file, { fileMustExist: true });
  source.pragma("busy_timeout = 5000");
  source.pragma("wal_checkpoint(TRUNCATE)");
  source.exec("begin");
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  let schemaMade = false;
  try {
    const existing = await client.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public'`);
    if (existing.rows.length > 0) throw new CopyRefused(`the PostgreSQL database is not empty (${existing.rows.length} tables, ${existing.rows.slice(0, 3).map((r) => r.table_name).join(", ")}…): copy into a new one (createdb)`);
    const applied = (source.prepare("select name from kysely_migration order by name").all() as Array<{ name: string }>).map((row) => row.name);

    // The same schema, made by the same migrations, then compared migration by migration.
    const target = openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
    schemaMade = true;
    try {
      await migrateToLatest(target.db, undefined, { postDeployment: applied.some(isPostDeployment) });
      const made = (await migrator(target.db).getMigrations()).filter((m) => m.executedAt).map((m) => m.name);
      if (made.join() !== applied.join()) {
        throw new CopyRefused(`the SQLite database has migrations ${applied.join(", ")} and this release makes ${made.join(", ")}: start the site once with this release (or run pinhole migrate up) before copying`);
      }
    } finally {
      await target.close();
    }
    options.say(`schema made in PostgreSQL: ${applied.length} migrations`);

    const tables = (await client.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)).rows
      .map((row) => row.table_name)
      .filter((name) => !MIGRATION_TABLES.has(name));
    const edges = (
      await client.query<{ child: string; parent: string }>(
        `select c.relname as child, p.relname as parent from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid where k.contype = 'f'`,
      )
    ).rows;
    const result: CopyResult = { tables: [], migrations: applied.length };
    await client.query("begin");
    for (const table of dependencyOrder(tables, edges)) {
      const exists = source.prepare("select 1 from sqlite_master where name = ? and type = 'table'").get(table);
      if (!exists) throw new CopyRefused(`the SQLite database has no table ${table}`);
      const columns = (await client.query<{ column_name: string; column_default: string | null }>(
        `select column_name, column_default from information_schema.columns where table_schema = 'public' and table_name = $1 and is_generated = 'NEVER' order by ordinal_position`,
        [table],
      )).rows;
      const sourceColumns = new Set((source.prepare(`select name from pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((row) => row.name));
      const selected = columns.map(({ column_name: name }) => {
        if (sourceColumns.has(name)) return `"${name}"`;
        if (FROM_ROWID[table] === name) return `rowid as "${name}"`;
        throw new CopyRefused(`the SQLite table ${table} has no column ${name}`);
      });
      const names = columns.map((c) => `"${c.column_name}"`).join(", ");
      let rows = 0;
      let batch: unknown[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const width = columns.length;
        const values = batch.map((_, i) => `(${columns.map((__, j) => `$${i * width + j + 1}`).join(", ")})`).join(", ");
        await client.query(`insert into "${table}" (${names}) values ${values}`, batch.flat());
        rows += batch.length;
        batch = [];
      };
      // In rowid order: a row that refers to another row of its table comes after it. A table
      // WITHOUT ROWID (search_postings) has no rowid and refers to no row of its own.
      const withoutRowid = /without\s+rowid\s*$/i.test(((source.prepare("select sql from sqlite_master where name = ? and type = 'table'").get(table) as { sql: string }).sql ?? "").trim());
      const statement = source.prepare(`select ${selected.join(", ")} from "${table}"${withoutRowid ? "" : " order by rowid"}`).raw(true);
      for (const row of statement.iterate() as IterableIterator<unknown[]>) {
        batch.push(row);
        if (batch.length === BATCH) await flush();
      }
      await flush();
      for (const column of columns.filter((c) => c.column_default?.startsWith("nextval("))) {
        await client.query(`select setval(pg_get_serial_sequence($1, $2), coalesce((select max("${column.column_name}") from "${table}"), 0) + 1, false)`, [table, column.column_name]);
      }
      const counted = Number((await client.query<{ n: string }>(`select count(*) as n from "${table}"`)).rows[0]!.n);
      const expected = (source.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
      if (counted !== expected || rows !== expected) throw new Error(`${table}: ${expected} rows in SQLite, ${counted} in PostgreSQL after the copy`);
      result.tables.push({ name: table, rows });
      options.say(`${table}: ${rows} rows`);
    }
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    // Left empty, as it was found, so the copy can simply be run again.
    if (schemaMade) await dropPostgresTables(options.databaseUrl).catch(() => undefined);
    throw error;
  } finally {
    await client.end();
    if (source.inTransaction) source.exec("rollback");
    source.close();
  }
}
