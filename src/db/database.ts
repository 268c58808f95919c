import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect, sql, SqliteAdapter, SqliteDialect, type DialectAdapter, type SqliteDatabase as KyselySqliteDatabase, type SqliteStatement } from "kysely";
import type { Database } from "./schema.ts";

export type DatabaseKind = "sqlite" | "postgres";

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

/** Resolves when the database answers a trivial query; rejects with its error otherwise. */
export async function pingDatabase(handle: DatabaseHandle): Promise<void> {
  await sql`select 1`.execute(handle.db);
}

/**
 * SQLite can roll back DDL, but Kysely's adapter says it cannot, so its migrator would run
 * SQLite migrations outside a transaction and a failing one would leave half a schema.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class PinholeSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/**
 * Kysely prepares every query anew; with better-sqlite3 preparing costs as much as running a
 * simple query. Our queries are a small fixed set of SQL strings (values are parameters), so
 * their prepared statements are kept, a bounded number, most recently used last.
 */
export function withStatementCache(database: SqliteDatabase.Database, capacity = 500): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = database.prepare(sql) as unknown as SqliteStatement;
        if (statements.size >= capacity) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

/**
 * PostgreSQL plans every unnamed query anew; for the photo page's correlated subqueries
 * planning took longer than running. Queries with parameters become named prepared
 * statements (per connection, named by a hash of their SQL), so their plans are reused.
 * After a migration changes a statement's result shape, PostgreSQL refuses the old prepared
 * statement ("cached plan must not change result type"); the statement then gets a new name
 * and is prepared again.
 */
function preparePostgresStatements(pool: pg.Pool): void {
  const names = new Map<string, { hash: string; generation: number }>();
  const nameOf = (text: string): string => {
    let entry = names.get(text);
    if (!entry) {
      entry = { hash: crypto.createHash("sha1").update(text).digest("base64url"), generation: 0 };
      names.set(text, entry);
    }
    return `p${entry.hash}_${entry.generation}`;
  };
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as { query: unknown }).query = async (...args: unknown[]) => {
      const [text, values] = args;
      // A bounded set: statements beyond the first thousand distinct texts run unnamed.
      const eligible = typeof text === "string" && Array.isArray(values) && values.length > 0 && args.length === 2 && (names.has(text) || names.size < 1000);
      if (!eligible) return query(...args);
      const name = nameOf(text);
      try {
        return await query({ name, text, values });
      } catch (error) {
        if (!/cached plan must not change result type/.test((error as Error).message)) throw error;
        const entry = names.get(text);
        if (entry && name === nameOf(text)) entry.generation++;
        return query({ name: nameOf(text), text, values });
      }
    };
  });
}

// BIGINT (epoch ms, photo ids) and NUMERIC come back from pg as strings; every value we
// store fits in a double, so parse them as numbers to keep rows identical to SQLite's.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

/** The better-sqlite3 connection behind each SQLite handle, for the backup code in src/db only. */
const sqliteConnections = new WeakMap<DatabaseHandle, SqliteDatabase.Database>();

export function sqliteConnection(handle: DatabaseHandle): SqliteDatabase.Database {
  const connection = sqliteConnections.get(handle);
  if (!connection) throw new Error("not a SQLite database handle");
  return connection;
}

export function sqliteFilePath(dataDir: string): string {
  return path.join(dataDir, "pinhole.sqlite");
}

export function openDatabase(options: { databaseUrl: string | null; dataDir: string; poolSize?: number }): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on("error", () => {});
    preparePostgresStatements(pool);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres", close: () => db.destroy() };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const sqlite = new SqliteDatabase(sqliteFilePath(options.dataDir));
  sqlite.pragma("journal_mode = WAL");
  // FULL: a commit is on disk before we answer, so nothing acknowledged is lost on power failure.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new PinholeSqliteDialect({ database: withStatementCache(sqlite) }) });
  const handle: DatabaseHandle = { db, kind: "sqlite", close: () => db.destroy() };
  sqliteConnections.set(handle, sqlite);
  return handle;
}
