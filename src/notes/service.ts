import type { Clock } from "../clock.ts";
import { ForbiddenError, NotFoundError, wording } from "../errors.ts";
import type { Notifier } from "../notifications/service.ts";
import type { PhotoService } from "../photos/service.ts";
import type { Viewer } from "../users/service.ts";
import type { NoteRow, NotesRepository } from "./repository.ts";
import { checkNoteText, checkRectangle, mayAddNote, type NotePermission } from "./rules.ts";

/** A note as API clients and pages see it. */
export interface NoteView {
  id: string;
  photoId: string;
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
  author: { username: string };
  /** For a note imported from another site (stored under the photo's owner): its author's name there. */
  importedAuthor: string | null;
  createdAt: string;
  /** The viewer may move, change or delete it: its author, or the photo's owner. */
  canEdit: boolean;
}

export interface NoteInput {
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
}

type ViewerRef = Pick<Viewer, "id" | "showsRestricted"> | null;

const NO_SUCH_PHOTO = wording("errors.photoNotFound");
const NO_SUCH_NOTE = wording("errors.note.notFound");

export class NoteService {
  constructor(private readonly deps: { notes: NotesRepository; photos: PhotoService; clock: Clock; notifier: Notifier }) {}

  private present(row: NoteRow, viewer: ViewerRef): NoteView {
    const ownerId = row.photo_owner_id;
    return {
      id: String(row.id),
      photoId: String(row.photo_id),
      x: row.x,
      y: row.y,
      width: row.width,
      height: row.height,
      text: row.body,
      author: { username: row.author_username },
      importedAuthor: row.imported_author,
      createdAt: new Date(row.created_at).toISOString(),
      canEdit: viewer !== null && (viewer.id === row.author_id || viewer.id === ownerId),
    };
  }

  /** The photo's owner, once the viewer is known to see it; NotFound otherwise. */
  private async visiblePhotoOwner(photoId: number, viewer: ViewerRef, message = NO_SUCH_PHOTO): Promise<number> {
    const ownerId = await this.deps.notes.photoOwner(photoId);
    if (ownerId === undefined || !(await this.deps.photos.isVisible(photoId, viewer))) throw new NotFoundError(message);
    return ownerId;
  }

  async list(photoId: number, viewer: ViewerRef): Promise<NoteView[]> {
    await this.visiblePhotoOwner(photoId, viewer);
    return (await this.deps.notes.listForPhoto(photoId)).map((row) => this.present(row, viewer));
  }

  /**
   * The notes and whether the viewer may add one, for the photo page, which has already
   * checked that the viewer sees the photo: the hottest page, so no second check here.
   */
  /** `anyNotes` false: the page's probe found none, so they are not asked for again. */
  async forPage(photoId: number, viewer: ViewerRef, anyNotes = true): Promise<{ notes: NoteView[]; canAdd: boolean }> {
    const rows = anyNotes ? await this.deps.notes.listForPhoto(photoId) : [];
    const notes = rows.map((row) => this.present(row, viewer));
    return { notes, canAdd: viewer !== null && (await this.mayAdd(photoId, viewer, rows[0]?.photo_owner_id)) };
  }

  /** Whether the viewer may add notes to this photo (which they are known to see). */
  async mayAdd(photoId: number, viewer: ViewerRef, knownOwnerId?: number): Promise<boolean> {
    if (!viewer) return false;
    const ownerId = knownOwnerId ?? (await this.deps.notes.photoOwner(photoId));
    if (ownerId === undefined) return false;
    if (ownerId === viewer.id) return true;
    const { permission, contact, blocked } = await this.deps.notes.notingStanding(ownerId, viewer.id);
    return mayAddNote(permission, { isOwner: false, contact, blocked });
  }

  async add(photoId: number, viewer: Viewer, input: NoteInput): Promise<NoteView> {
    const ownerId = await this.visiblePhotoOwner(photoId, viewer);
    if (!(await this.mayAdd(photoId, viewer, ownerId))) throw new ForbiddenError(wording("errors.note.notAllowed"));
    const rectangle = checkRectangle(input);
    const text = checkNoteText(input.text);
    const now = this.deps.clock.now();
    const id = await this.deps.notes.insert({ photoId, authorId: viewer.id, ...rectangle, body: text }, now);
    await this.deps.notifier.notify({ userId: ownerId, kind: "note", actorId: viewer.id, photoId });
    const row = await this.deps.notes.find(id);
    if (!row) throw new NotFoundError(NO_SUCH_NOTE);
    return this.present(row, viewer);
  }

  /** A note the viewer may change: its author's or on their own photo; 404 when its photo is out of sight. */
  private async editable(noteId: number, viewer: Viewer): Promise<NoteRow> {
    const row = await this.deps.notes.find(noteId);
    if (!row) throw new NotFoundError(NO_SUCH_NOTE);
    const ownerId = await this.visiblePhotoOwner(row.photo_id, viewer, NO_SUCH_NOTE);
    if (row.author_id !== viewer.id && ownerId !== viewer.id) throw new ForbiddenError(wording("errors.note.authorOrOwner"));
    return row;
  }

  async update(noteId: number, viewer: Viewer, input: Partial<NoteInput>): Promise<NoteView> {
    const row = await this.editable(noteId, viewer);
    const rectangle = checkRectangle({ x: input.x ?? row.x, y: input.y ?? row.y, width: input.width ?? row.width, height: input.height ?? row.height });
    const text = input.text === undefined ? row.body : checkNoteText(input.text);
    await this.deps.notes.update(noteId, { ...rectangle, body: text }, this.deps.clock.now());
    const updated = await this.deps.notes.find(noteId);
    if (!updated) throw new NotFoundError(NO_SUCH_NOTE);
    return this.present(updated, viewer);
  }

  async delete(noteId: number, viewer: Viewer): Promise<void> {
    await this.editable(noteId, viewer);
    await this.deps.notes.delete(noteId);
  }

  permission(viewer: Viewer): Promise<NotePermission> {
    return this.deps.notes.notePermission(viewer.id);
  }

  async setPermission(viewer: Viewer, permission: NotePermission): Promise<NotePermission> {
    await this.deps.notes.setNotePermission(viewer.id, permission);
    return permission;
  }
}
