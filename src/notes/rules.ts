import { InvalidError, wording } from "../errors.ts";

/** Who a member lets add notes to their photos (users.note_permission). */
export const NOTE_PERMISSIONS = ["owner", "contacts", "friends", "everyone"] as const;
export type NotePermission = (typeof NOTE_PERMISSIONS)[number];

export const MAX_NOTE_LENGTH = 500;

/** How a would-be note author stands to the photo's owner. */
export interface NotingStanding {
  isOwner: boolean;
  /** The owner added them as a contact; with the flags the owner set. */
  contact: { isFriend: boolean; isFamily: boolean } | null;
  /** Either blocked the other. */
  blocked: boolean;
}

/**
 * Who may add a note: always the owner; otherwise never someone blocked either way, and then
 * as the owner chose: contacts are members the owner added, friends are contacts the owner
 * marked friend or family.
 */
export function mayAddNote(permission: NotePermission, standing: NotingStanding): boolean {
  if (standing.isOwner) return true;
  if (standing.blocked) return false;
  switch (permission) {
    case "owner":
      return false;
    case "contacts":
      return standing.contact !== null;
    case "friends":
      return standing.contact !== null && (standing.contact.isFriend || standing.contact.isFamily);
    case "everyone":
      return true;
  }
}

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Float sums such as 0.7 + 0.3 may land a hair past 1. */
const EPSILON = 1e-9;

/** A note's rectangle, as fractions of the image: inside it, and not empty. */
export function checkRectangle(r: Rectangle): Rectangle {
  const values = [r.x, r.y, r.width, r.height];
  if (!values.every((v) => Number.isFinite(v))) throw new InvalidError(wording("errors.note.numbers"));
  if (r.x < 0 || r.y < 0 || r.x >= 1 || r.y >= 1) throw new InvalidError(wording("errors.note.startInside"), { field: "x" });
  if (r.width <= 0 || r.height <= 0) throw new InvalidError(wording("errors.note.size"), { field: "width" });
  if (r.x + r.width > 1 + EPSILON || r.y + r.height > 1 + EPSILON) {
    throw new InvalidError(wording("errors.note.endInside"), { field: "width" });
  }
  return { x: r.x, y: r.y, width: Math.min(r.width, 1 - r.x), height: Math.min(r.height, 1 - r.y) };
}

/** A note's text: printable, trimmed, 1 to 500 characters. */
export function checkNoteText(text: string): string {
  const clean = text.normalize("NFC").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim();
  const length = [...clean].length;
  if (length === 0) throw new InvalidError(wording("errors.note.empty"), { field: "text" });
  if (length > MAX_NOTE_LENGTH) throw new InvalidError(wording("errors.note.tooLong", { max: MAX_NOTE_LENGTH, length }), { field: "text" });
  return clean;
}
