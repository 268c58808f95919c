import { sql, type Kysely, type Selectable } from "kysely";
import type { Database, ImportEntriesTable, ImportsTable, PhotoRow } from "../db/schema.ts";

export type ImportRow = Selectable<ImportsTable>;
export type ImportEntryRow = Selectable<ImportEntriesTable>;
export type EntryOutcome = ImportEntriesTable["outcome"];
export type EntryKind = ImportEntriesTable["kind"];

export interface AccountRow {
  id: number;
  username: string;
  email: string;
  created_at: number;
  is_pro: number;
  shows_restricted: number;
  note_permission: string;
  default_license: string;
  default_download_allowed: number;
  default_location_visibility: string;
  webmention_policy: string;
}

export interface ExportComment {
  photo_id: number;
  author: string;
  imported_author: string | null;
  body: string;
  created_at: number;
  hidden_at: number | null;
}

export interface ExportNote {
  photo_id: number;
  author: string;
  imported_author: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
  body: string;
  created_at: number;
}

/** A comment or note as an import stores it: under the photo's owner, with the source's author name. */
export interface ImportedRemark {
  /** The source's name of the author; null when it is the member themselves. */
  author: string | null;
  text: string;
  createdAt: number;
}

export interface ImportedNote extends ImportedRemark {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every query of exports and imports. Photos are only read here; they are written through the photo service. */
export class TransferRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // ---- export ----

  async account(username: string): Promise<AccountRow | undefined> {
    return this.db
      .selectFrom("users")
      .select(["id", "username", "email", "created_at", "is_pro", "shows_restricted", "note_permission", "default_license", "default_download_allowed", "default_location_visibility", "webmention_policy"])
      .where("username_key", "=", username.toLowerCase())
      .executeTakeFirst();
  }

  async accountById(id: number): Promise<AccountRow | undefined> {
    return this.db
      .selectFrom("users")
      .select(["id", "username", "email", "created_at", "is_pro", "shows_restricted", "note_permission", "default_license", "default_download_allowed", "default_location_visibility", "webmention_policy"])
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** All of a member's photos, private and hidden ones too, oldest first, a page after `afterId`. */
  async photosPage(ownerId: number, afterId: number, limit: number): Promise<PhotoRow[]> {
    return this.db.selectFrom("photos").selectAll().where("owner_id", "=", ownerId).where("id", ">", afterId).orderBy("id").limit(limit).execute();
  }

  async commentsOn(photoIds: number[]): Promise<ExportComment[]> {
    if (photoIds.length === 0) return [];
    return this.db
      .selectFrom("comments")
      .innerJoin("users", "users.id", "comments.author_id")
      .select(["comments.photo_id", "users.username as author", "comments.imported_author", "comments.body", "comments.created_at", "comments.hidden_at"])
      .where("comments.photo_id", "in", photoIds)
      .orderBy("comments.id")
      .execute();
  }

  async notesOn(photoIds: number[]): Promise<ExportNote[]> {
    if (photoIds.length === 0) return [];
    return this.db
      .selectFrom("notes")
      .innerJoin("users", "users.id", "notes.author_id")
      .select(["notes.photo_id", "users.username as author", "notes.imported_author", "notes.x", "notes.y", "notes.width", "notes.height", "notes.body", "notes.created_at"])
      .where("notes.photo_id", "in", photoIds)
      .orderBy("notes.id")
      .execute();
  }

  async contactsOf(ownerId: number): Promise<Array<{ username: string; is_friend: number; is_family: number; created_at: number }>> {
    return this.db
      .selectFrom("contacts")
      .innerJoin("users", "users.id", "contacts.contact_id")
      .select(["users.username", "contacts.is_friend", "contacts.is_family", "contacts.created_at"])
      .where("contacts.owner_id", "=", ownerId)
      .orderBy("users.username_key")
      .execute();
  }

  async favesOf(userId: number): Promise<Array<{ photo_id: number; owner: string; created_at: number }>> {
    return this.db
      .selectFrom("faves")
      .innerJoin("photos", "photos.id", "faves.photo_id")
      .innerJoin("users", "users.id", "photos.owner_id")
      .select(["faves.photo_id", "users.username as owner", "faves.created_at"])
      .where("faves.user_id", "=", userId)
      .orderBy("faves.created_at")
      .execute();
  }

  // ---- imports ----

  async createImport(row: { memberId: number; fileName: string; fileBytes: number; storedPath: string; now: number }): Promise<number> {
    const inserted = await this.db
      .insertInto("imports")
      .values({ member_id: row.memberId, format: null, status: "queued", file_name: row.fileName, file_bytes: row.fileBytes, stored_path: row.storedPath, error: null, created_at: row.now, updated_at: row.now, finished_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  async findImport(id: number): Promise<ImportRow | undefined> {
    return this.db.selectFrom("imports").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async findImportByStoredPath(storedPath: string): Promise<ImportRow | undefined> {
    return this.db.selectFrom("imports").selectAll().where("stored_path", "=", storedPath).executeTakeFirst();
  }

  async importsOf(memberId: number, limit: number): Promise<ImportRow[]> {
    return this.db.selectFrom("imports").selectAll().where("member_id", "=", memberId).orderBy("id", "desc").limit(limit).execute();
  }

  async updateImport(id: number, changes: Partial<Pick<ImportRow, "format" | "status" | "total" | "done" | "skipped" | "failed" | "error" | "finished_at">>, now: number): Promise<void> {
    await this.db.updateTable("imports").set({ ...changes, updated_at: now }).where("id", "=", id).execute();
  }

  /** Records what became of one entry; answers false when it was recorded already (a resumed job). */
  async recordEntry(entry: { importId: number; entry: string; kind: EntryKind; outcome: EntryOutcome; reason: string | null; photoId: number | null; now: number }): Promise<boolean> {
    const result = await this.db
      .insertInto("import_entries")
      .values({ import_id: entry.importId, entry: entry.entry, kind: entry.kind, outcome: entry.outcome, reason: entry.reason, photo_id: entry.photoId, created_at: entry.now })
      .onConflict((oc) => oc.columns(["import_id", "entry"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async recordedEntries(importId: number): Promise<Set<string>> {
    const rows = await this.db.selectFrom("import_entries").select("entry").where("import_id", "=", importId).execute();
    return new Set(rows.map((r) => r.entry));
  }

  /** Counts of photo entries by outcome. */
  async photoCounts(importId: number): Promise<Record<EntryOutcome, number>> {
    const rows = await this.db
      .selectFrom("import_entries")
      .select(["outcome", sql<number>`count(*)`.as("n")])
      .where("import_id", "=", importId)
      .where("kind", "=", "photo")
      .groupBy("outcome")
      .execute();
    const counts: Record<EntryOutcome, number> = { done: 0, skipped: 0, failed: 0 };
    for (const row of rows) counts[row.outcome] = Number(row.n);
    return counts;
  }

  /** Entries other than photos done, newest first: failures and skips with their reasons. */
  async notableEntries(importId: number, limit: number): Promise<ImportEntryRow[]> {
    return this.db
      .selectFrom("import_entries")
      .selectAll()
      .where("import_id", "=", importId)
      .where((eb) => eb.or([eb("outcome", "<>", "done"), eb("kind", "<>", "photo")]))
      .orderBy("id")
      .limit(limit)
      .execute();
  }

  // ---- source photo ↔ photo ----

  async findItem(memberId: number, source: string, sourceId: string): Promise<{ photo_id: number | null; metadata: string | null; applied_at: number | null } | undefined> {
    return this.db
      .selectFrom("import_items")
      .select(["photo_id", "metadata", "applied_at"])
      .where("member_id", "=", memberId)
      .where("source", "=", source)
      .where("source_id", "=", sourceId)
      .executeTakeFirst();
  }

  /** Keeps a source photo's metadata; answers whether it is new or changed (then to be applied again). */
  async saveMetadata(memberId: number, source: string, sourceId: string, metadata: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom("import_items")
        .select("metadata")
        .where("member_id", "=", memberId)
        .where("source", "=", source)
        .where("source_id", "=", sourceId)
        .executeTakeFirst();
      if (existing && existing.metadata === metadata) return false;
      if (existing) {
        await trx.updateTable("import_items").set({ metadata, applied_at: null, updated_at: now }).where("member_id", "=", memberId).where("source", "=", source).where("source_id", "=", sourceId).execute();
      } else {
        // Another import of the same member (a zip of the same export) may insert it meanwhile.
        await trx
          .insertInto("import_items")
          .values({ member_id: memberId, source, source_id: sourceId, photo_id: null, metadata, applied_at: null, updated_at: now })
          .onConflict((oc) => oc.columns(["member_id", "source", "source_id"]).doUpdateSet({ metadata, applied_at: null, updated_at: now }))
          .execute();
      }
      return true;
    });
  }

  async savePhoto(memberId: number, source: string, sourceId: string, photoId: number, now: number): Promise<void> {
    await this.db
      .insertInto("import_items")
      .values({ member_id: memberId, source, source_id: sourceId, photo_id: photoId, metadata: null, applied_at: null, updated_at: now })
      .onConflict((oc) => oc.columns(["member_id", "source", "source_id"]).doUpdateSet({ photo_id: photoId, updated_at: now }))
      .execute();
  }

  /**
   * Marks a source photo's metadata applied, with its comments and notes stored under the
   * photo's owner in the same transaction: a resumed import never adds them twice.
   */
  async markApplied(memberId: number, source: string, sourceId: string, photoId: number, remarks: { comments: ImportedRemark[]; notes: ImportedNote[] }, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const item = await trx
        .updateTable("import_items")
        .set({ applied_at: now, updated_at: now })
        .where("member_id", "=", memberId)
        .where("source", "=", source)
        .where("source_id", "=", sourceId)
        .where("applied_at", "is", null)
        .executeTakeFirst();
      if (Number(item.numUpdatedRows) === 0) return;
      // Changed metadata is applied again: what is already on the photo is not added twice.
      const had = await trx.selectFrom("comments").select(["imported_author", "body", "created_at"]).where("photo_id", "=", photoId).execute();
      const hadNotes = await trx.selectFrom("notes").select(["imported_author", "body", "created_at"]).where("photo_id", "=", photoId).execute();
      const key = (r: { imported_author: string | null; body: string; created_at: number }) => `${r.imported_author ?? ""}\u0000${Number(r.created_at)}\u0000${r.body}`;
      const seen = new Set(had.map(key));
      const seenNotes = new Set(hadNotes.map(key));
      const comments = remarks.comments.filter((c) => !seen.has(key({ imported_author: c.author, body: c.text, created_at: c.createdAt })));
      const notes = remarks.notes.filter((n) => !seenNotes.has(key({ imported_author: n.author, body: n.text, created_at: n.createdAt })));
      if (comments.length > 0) {
        await trx
          .insertInto("comments")
          .values(comments.map((c) => ({ photo_id: photoId, photo_owner_id: memberId, author_id: memberId, imported_author: c.author, body: c.text, created_at: c.createdAt, updated_at: c.createdAt, hidden_at: null })))
          .execute();
        await trx.updateTable("photos").set((eb) => ({ comment_count: eb("comment_count", "+", comments.length) })).where("id", "=", photoId).execute();
      }
      if (notes.length > 0) {
        await trx
          .insertInto("notes")
          .values(notes.map((n) => ({ photo_id: photoId, photo_owner_id: memberId, author_id: memberId, imported_author: n.author, x: n.x, y: n.y, width: n.width, height: n.height, body: n.text, created_at: n.createdAt, updated_at: n.createdAt })))
          .execute();
      }
    });
  }

  /** Source photos with both their file and their metadata here, the metadata not yet applied. */
  async unappliedItems(memberId: number, source: string, limit: number): Promise<Array<{ source_id: string; photo_id: number; metadata: string }>> {
    const rows = await this.db
      .selectFrom("import_items")
      .select(["source_id", "photo_id", "metadata"])
      .where("member_id", "=", memberId)
      .where("source", "=", source)
      .where("photo_id", "is not", null)
      .where("metadata", "is not", null)
      .where("applied_at", "is", null)
      .limit(limit)
      .execute();
    return rows.map((r) => ({ source_id: r.source_id, photo_id: Number(r.photo_id), metadata: r.metadata as string }));
  }

  async itemsOf(memberId: number, source: string): Promise<Array<{ source_id: string; metadata: string | null }>> {
    return this.db.selectFrom("import_items").select(["source_id", "metadata"]).where("member_id", "=", memberId).where("source", "=", source).orderBy("source_id").execute();
  }

  /** This member's photos made of these source photos, by source id. */
  async photosOfSources(memberId: number, source: string, sourceIds: string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let i = 0; i < sourceIds.length; i += 500) {
      const rows = await this.db
        .selectFrom("import_items")
        .innerJoin("photos", "photos.id", "import_items.photo_id")
        .select(["import_items.source_id", "import_items.photo_id"])
        .where("import_items.member_id", "=", memberId)
        .where("import_items.source", "=", source)
        .where("import_items.source_id", "in", sourceIds.slice(i, i + 500))
        .execute();
      for (const row of rows) if (row.photo_id !== null) found.set(row.source_id, Number(row.photo_id));
    }
    return found;
  }

  /** The photo made here of a source photo, by whichever member imported it (for faves). */
  async photoFromSource(source: string, sourceId: string): Promise<{ photo_id: number; owner: string } | undefined> {
    const row = await this.db
      .selectFrom("import_items")
      .innerJoin("photos", "photos.id", "import_items.photo_id")
      .innerJoin("users", "users.id", "photos.owner_id")
      .select(["import_items.photo_id", "users.username"])
      .where("import_items.source", "=", source)
      .where("import_items.source_id", "=", sourceId)
      .executeTakeFirst();
    return row && row.photo_id !== null ? { photo_id: Number(row.photo_id), owner: row.username } : undefined;
  }
}
