import type { CommentRow } from "./comments-repository.ts";
import type { FaverRow } from "./faves-repository.ts";

/** The comment JSON: an explicit list of fields, never the row. */
export function presentComment(c: CommentRow) {
  return { id: String(c.id), photoId: String(c.photoId), author: { username: c.authorUsername }, importedAuthor: c.importedAuthor, text: c.body, createdAt: new Date(c.createdAt).toISOString(), updatedAt: new Date(c.updatedAt).toISOString() };
}

export function presentFaver(f: FaverRow) {
  return { username: f.username, favedAt: new Date(f.favedAt).toISOString() };
}

export function nextPage(paged: { page: number; hasMore: boolean }): number | null {
  return paged.hasMore ? paged.page + 1 : null;
}
