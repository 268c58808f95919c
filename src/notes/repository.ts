import { sql, type Kysely, type Selectable } from "kysely";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { Database, NotesTable } from "../db/schema.ts";
import type { NotePermission } from "./rules.ts";

export type NoteRow = Selectable<NotesTable> & { author_username: string; photo_owner_id: number };

/** For the photo page: has the photo any notes (shown or not)? */
export const photoHasNotes: PhotoProbe = sql<boolean>`exists (select 1 from notes where notes.photo_id = photos.id)`;

/** Every query about notes and who may add them. */
export class NotesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Notes with their author's name and their photo's owner. */
  private selectNotes() {
    return this.db
      .selectFrom("notes")
      .innerJoin("users", "users.id", "notes.author_id")
      .innerJoin("photos", "photos.id", "notes.photo_id")
      .selectAll("notes")
      .select(["users.username as author_username", "photos.owner_id as photo_owner_id"]);
  }

  async listForPhoto(photoId: number): Promise<NoteRow[]> {
    return this.selectNotes()
      .where("notes.photo_id", "=", photoId)
      // A suspended member's notes go with their photos and comments.
      .where("users.suspended_at", "is", null)
      .orderBy("notes.id")
      .execute();
  }

  async find(id: number): Promise<NoteRow | undefined> {
    return this.selectNotes()
      .where("notes.id", "=", id)
      .where("users.suspended_at", "is", null)
      .executeTakeFirst();
  }

  async insert(note: { photoId: number; authorId: number; x: number; y: number; width: number; height: number; body: string }, now: number): Promise<number> {
    const row = await this.db
      .insertInto("notes")
      .values((eb) => ({ photo_id: note.photoId, photo_owner_id: eb.selectFrom("photos").select("owner_id").where("id", "=", note.photoId), author_id: note.authorId, x: note.x, y: note.y, width: note.width, height: note.height, body: note.body, created_at: now, updated_at: now }))
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(id: number, changes: { x: number; y: number; width: number; height: number; body: string }, now: number): Promise<void> {
    await this.db.updateTable("notes").set({ ...changes, updated_at: now }).where("id", "=", id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom("notes").where("id", "=", id).execute();
  }

  async photoOwner(photoId: number): Promise<number | undefined> {
    const row = await this.db.selectFrom("photos").select("owner_id").where("id", "=", photoId).executeTakeFirst();
    return row?.owner_id;
  }

  /** What decides whether `viewerId` may add notes to `ownerId`'s photos, in one query. */
  async notingStanding(ownerId: number, viewerId: number): Promise<{ permission: NotePermission; contact: { isFriend: boolean; isFamily: boolean } | null; blocked: boolean }> {
    const owner = await this.db.selectFrom("users").select("note_permission").where("id", "=", ownerId).executeTakeFirstOrThrow();
    const contact = await this.db.selectFrom("contacts").select(["is_friend", "is_family"]).where("owner_id", "=", ownerId).where("contact_id", "=", viewerId).executeTakeFirst();
    const block = await this.db
      .selectFrom("blocks")
      .select("blocker_id")
      .where((eb) => eb.or([eb.and([eb("blocker_id", "=", ownerId), eb("blocked_id", "=", viewerId)]), eb.and([eb("blocker_id", "=", viewerId), eb("blocked_id", "=", ownerId)])]))
      .executeTakeFirst();
    return {
      permission: owner.note_permission as NotePermission,
      contact: contact ? { isFriend: contact.is_friend === 1, isFamily: contact.is_family === 1 } : null,
      blocked: block !== undefined,
    };
  }

  async notePermission(userId: number): Promise<NotePermission> {
    const row = await this.db.selectFrom("users").select("note_permission").where("id", "=", userId).executeTakeFirstOrThrow();
    return row.note_permission as NotePermission;
  }

  async setNotePermission(userId: number, permission: NotePermission): Promise<void> {
    await this.db.updateTable("users").set({ note_permission: permission }).where("id", "=", userId).execute();
  }
}
