import type { PhotoPageSections, PhotostreamSections } from "../photos/page-sections.ts";
import type { Viewer } from "../users/service.ts";
import { photoHasComments } from "./comments-repository.ts";
import type { CommentsService } from "./comments-service.ts";
import { photoHasFaves } from "./faves-repository.ts";
import type { FavesService } from "./faves-service.ts";
import type { SocialService } from "./service.ts";
import * as views from "./views.ts";

/** Names of members who faved shown on the photo page; the rest are counted. */
export const FAVERS_SHOWN = 20;

/** Faves and comments below every photo; follow and block on every photostream. */
export function addSocialSections(deps: { photoPage: PhotoPageSections; photostream: PhotostreamSections; faves: FavesService; comments: CommentsService; social: SocialService }): void {
  const hasFaves = deps.photoPage.probe(photoHasFaves);
  const hasComments = deps.photoPage.probe(photoHasComments);
  deps.photoPage.add(async ({ photo, viewer, csrfToken, request, has }) => {
    const photoId = Number(photo.id);
    const commentsPage = commentsPageOf(request.query);
    // Sections run only once the page has let the viewer see the photo.
    const [summary, comments] = await Promise.all([
      has(hasFaves) ? deps.faves.pageSummary(photoId, viewer, FAVERS_SHOWN) : { faveCount: 0, favers: [], viewerFaved: false },
      has(hasComments) ? deps.comments.pageList(photoId, commentsPage) : { items: [], hasMore: false },
    ]);
    const messages = request.messages();
    const body = views.photoSocialSection({
      viewer,
      csrfToken,
      messages,
      photoId: photo.id,
      pagePath: `/photos/${photo.owner.username}/${photo.id}`,
      isOwner: viewer?.id !== undefined && photo.canEdit,
      ...summary,
      comments: comments.items,
      commentsPage,
      moreComments: comments.hasMore,
    });
    return { body, scripts: [], lang: messages.locale };
  }, { sameForVisitors: true });

  deps.photostream.add(async ({ owner, viewer, csrfToken, request }) => {
    const messages = request.messages();
    const controls = async () => {
      if (!viewer) return views.visitorControls(owner.username, messages);
      if (viewer.id === owner.id) return views.ownControls(owner.username, messages);
      const relationship = await deps.social.relationship(viewer as Viewer, owner.id);
      return views.memberControls({ csrfToken, username: owner.username, messages, ...relationship });
    };
    return { body: await controls(), lang: messages.locale };
  });
}

/** `?comments=N` on the photo page pages its comments (100 a page); anything else is the first page. */
function commentsPageOf(query: unknown): number {
  const raw = (query as Record<string, unknown> | undefined)?.comments;
  const page = typeof raw === "string" && /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : 1;
  return page;
}
