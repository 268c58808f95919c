import type { Clock } from "../clock.ts";
import { ForbiddenError, InvalidError, NotFoundError, TooManyRequestsError, wording } from "../errors.ts";
import type { Notifier } from "../notifications/service.ts";
import type { PhotoService } from "../photos/service.ts";
import type { Viewer } from "../users/service.ts";
import { audienceOf } from "../photos/visibility.ts";
import { cleanCommentText, MAX_COMMENT_LENGTH, MAX_COMMENT_LINKS } from "./comment-text.ts";
import { countLinks } from "../web/user-text.ts";
import type { CommentRow, CommentsRepository } from "./comments-repository.ts";
import type { SocialService } from "./service.ts";

/** Comments one member may post per hour; more is a 429. */
export const COMMENTS_PER_HOUR = 30;
export const COMMENTS_PAGE_SIZE = 100;
const HOUR = 60 * 60_000;
const PHOTO_NOT_FOUND = wording("errors.photoNotFound");
const COMMENT_NOT_FOUND = wording("errors.commentNotFound");

type ViewerRef = Viewer | null;

export interface CommentsServiceDeps {
  comments: CommentsRepository;
  photos: PhotoService;
  social: SocialService;
  notifier: Notifier;
  clock: Clock;
}

function validText(text: string): string {
  const clean = cleanCommentText(text);
  const length = [...clean].length;
  if (length === 0) throw new InvalidError(wording("errors.comment.empty"), { field: "text" });
  if (length > MAX_COMMENT_LENGTH) throw new InvalidError(wording("errors.comment.tooLong", { max: MAX_COMMENT_LENGTH, length }), { field: "text" });
  const links = countLinks(clean);
  if (links > MAX_COMMENT_LINKS) throw new InvalidError(wording("errors.comment.tooManyLinks", { max: MAX_COMMENT_LINKS, links }), { field: "text" });
  return clean;
}

/** Comments on photos: plain text, by members the owner has not blocked, at a human pace. */
export class CommentsService {
  constructor(private readonly deps: CommentsServiceDeps) {}

  private async visibleOwner(photoId: number, viewer: ViewerRef): Promise<number> {
    const ownerId = await this.deps.comments.photoOwner(photoId);
    if (ownerId === undefined || !(await this.deps.photos.isVisible(photoId, viewer))) throw new NotFoundError(PHOTO_NOT_FOUND);
    return ownerId;
  }

  /** What anyone may read of the latest comments on a member's photos (their comments feed). */
  async recentOnPhotosOf(ownerId: number, limit: number): Promise<Array<CommentRow & { photoTitle: string }>> {
    return this.deps.comments.recentOnPhotosOf(ownerId, audienceOf(null), limit);
  }

  async list(photoId: number, viewer: ViewerRef, page: number): Promise<{ items: CommentRow[]; page: number; hasMore: boolean }> {
    await this.visibleOwner(photoId, viewer);
    const rows = await this.deps.comments.forPhoto(photoId, COMMENTS_PAGE_SIZE + 1, (page - 1) * COMMENTS_PAGE_SIZE);
    return { items: rows.slice(0, COMMENTS_PAGE_SIZE), page, hasMore: rows.length > COMMENTS_PAGE_SIZE };
  }

  /** The photo page's comments; the page already checked the viewer may see the photo. */
  async pageList(photoId: number, page: number): Promise<{ items: CommentRow[]; page: number; hasMore: boolean }> {
    const rows = await this.deps.comments.forPhoto(photoId, COMMENTS_PAGE_SIZE + 1, (page - 1) * COMMENTS_PAGE_SIZE);
    return { items: rows.slice(0, COMMENTS_PAGE_SIZE), page, hasMore: rows.length > COMMENTS_PAGE_SIZE };
  }

  async add(viewer: Viewer, photoId: number, text: string): Promise<CommentRow> {
    const body = validText(text);
    const ownerId = await this.visibleOwner(photoId, viewer);
    if (await this.deps.social.isBlockedBy(ownerId, viewer.id)) throw new ForbiddenError(wording("errors.comment.blocked"));
    const now = this.deps.clock.now();
    const recent = await this.deps.comments.recentBy(viewer.id, now - HOUR);
    if (recent.count >= COMMENTS_PER_HOUR) {
      const retryAfter = Math.max(1, Math.ceil(((recent.oldest ?? now) + HOUR - now) / 1000));
      throw new TooManyRequestsError(wording("errors.comment.tooMany", { count: recent.count, minutes: Math.ceil(retryAfter / 60) }), retryAfter);
    }
    const id = await this.deps.comments.add(photoId, viewer.id, body, now);
    await this.deps.notifier.notify({ userId: ownerId, kind: "comment", actorId: viewer.id, photoId, commentId: id });
    return this.found(id);
  }

  /** The comment as its author sees it before changing it. */
  async forEditing(viewer: Viewer, commentId: number): Promise<CommentRow> {
    const comment = await this.visibleComment(commentId, viewer);
    if (comment.authorId !== viewer.id) throw new ForbiddenError(wording("errors.comment.authorOnly"));
    return this.found(commentId);
  }

  /** Only the author may change their words. */
  async edit(viewer: Viewer, commentId: number, text: string): Promise<CommentRow> {
    const body = validText(text);
    const comment = await this.visibleComment(commentId, viewer);
    if (comment.authorId !== viewer.id) throw new ForbiddenError(wording("errors.comment.authorOnly"));
    await this.deps.comments.update(commentId, body, this.deps.clock.now());
    return this.found(commentId);
  }

  /** The author, or the owner of the photo it is on, may delete a comment. */
  async delete(viewer: Viewer, commentId: number): Promise<{ photoId: number; photoOwnerUsername: string }> {
    const comment = await this.visibleComment(commentId, viewer);
    if (comment.authorId !== viewer.id && comment.photoOwnerId !== viewer.id) throw new ForbiddenError(wording("errors.comment.authorOrOwner"));
    await this.deps.comments.delete(commentId);
    return { photoId: comment.photoId, photoOwnerUsername: comment.photoOwnerUsername };
  }

  private async visibleComment(commentId: number, viewer: Viewer) {
    const comment = await this.deps.comments.find(commentId);
    if (!comment || comment.hidden || !(await this.deps.photos.isVisible(comment.photoId, viewer))) throw new NotFoundError(COMMENT_NOT_FOUND);
    return comment;
  }

  private async found(id: number): Promise<CommentRow> {
    const row = await this.deps.comments.get(id);
    if (!row) throw new NotFoundError(COMMENT_NOT_FOUND);
    return row;
  }
}
