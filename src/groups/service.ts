import type { Clock } from "../clock.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, wording, type Wording } from "../errors.ts";
import type { NewNotification } from "../notifications/repository.ts";
import { presentPhoto, type PhotoView } from "../photos/presenter.ts";
import { audienceOf } from "../photos/visibility.ts";
import type { Viewer } from "../users/service.ts";
import type { GroupPrivacy, GroupRole, GroupRow, GroupsRepository, MemberRow, ReplyRow, ThreadRow } from "./repository.ts";

export const GROUP_ROLES = ["admin", "moderator", "member"] as const;
export const GROUP_PRIVACIES = ["public", "invitation"] as const;
export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 5000;
export const MAX_TITLE_LENGTH = 200;
export const MAX_TEXT_LENGTH = 10_000;
const GROUPS_PER_PAGE = 50;
export const THREADS_PER_PAGE = 50;
const REPLIES_SHOWN = 500;
const MEMBERS_SHOWN = 200;

type ViewerRef = Pick<Viewer, "id" | "showsRestricted" | "username"> | null;

/** What API clients and pages know about a group, seen by one viewer. */
export interface GroupView {
  id: number;
  slug: string;
  name: string;
  description: string;
  privacy: GroupPrivacy;
  memberCount: number;
  createdAt: string;
  /** The viewer's role, or null when they are not a member. */
  role: GroupRole | null;
  invited: boolean;
  /** Whether the viewer may see the pool and the discussion. */
  canRead: boolean;
}

export interface PoolPage {
  photos: PhotoView[];
  nextCursor: string | null;
}

export interface ThreadView {
  id: number;
  title: string;
  text: string;
  author: string;
  createdAt: string;
  lastReplyAt: string;
  replyCount: number;
  canDelete: boolean;
}

export interface ReplyView {
  id: number;
  text: string;
  author: string;
  createdAt: string;
  canDelete: boolean;
}

export interface MemberView {
  username: string;
  role: GroupRole;
  joinedAt: string;
}

export interface GroupServiceDeps {
  groups: GroupsRepository;
  clock: Clock;
  baseUrl: string;
  /** Whether the viewer may see the photo (PhotoService.isVisible). */
  photoVisible: (photoId: number, viewer: ViewerRef) => Promise<boolean>;
  /** Whether the viewer owns the photo (asked only about photos they may see). */
  photoIsOwn: (photoId: number, viewer: Viewer) => Promise<boolean>;
  notify: (notification: NewNotification) => Promise<void>;
}

/** A group by its id (API) or its slug (pages). */
export type GroupRef = { id: number } | { slug: string };

function cleanText(value: string, max: number): string {
  return [...value.normalize("NFC").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim()].slice(0, max).join("");
}

export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "group";
}

const iso = (ms: number) => new Date(ms).toISOString();
const canModerate = (role: GroupRole | null) => role === "admin" || role === "moderator";

function parseCursor(cursor: string | undefined): { addedAt: number; photoId: number } | null {
  if (!cursor) return null;
  const match = /^([0-9]{1,18})\.([0-9]{1,18})$/.exec(cursor);
  if (!match) throw new InvalidError(wording("errors.cursor"), { field: "cursor" });
  return { addedAt: Number(match[1]), photoId: Number(match[2]) };
}

/** Groups: members and their roles, invitations, the pool of photos, the discussion. */
export class GroupService {
  constructor(private readonly deps: GroupServiceDeps) {}

  private async find(ref: GroupRef): Promise<GroupRow> {
    const group = "id" in ref ? await this.deps.groups.findById(ref.id) : await this.deps.groups.findBySlug(ref.slug);
    if (!group) throw new NotFoundError(wording("errors.group.notFound"));
    return group;
  }

  private async roleOf(group: GroupRow, viewer: ViewerRef): Promise<GroupRole | null> {
    return viewer ? ((await this.deps.groups.role(group.id, viewer.id)) ?? null) : null;
  }

  private async view(group: GroupRow, viewer: ViewerRef): Promise<GroupView> {
    const role = group.viewerRole !== undefined && viewer ? group.viewerRole : await this.roleOf(group, viewer);
    const invited = viewer !== null && role === null && group.privacy === "invitation" ? await this.deps.groups.isInvited(group.id, viewer.id) : false;
    return {
      id: group.id,
      slug: group.slug,
      name: group.name,
      description: group.description,
      privacy: group.privacy,
      memberCount: group.memberCount,
      createdAt: iso(group.createdAt),
      role,
      invited,
      canRead: group.privacy === "public" || role !== null,
    };
  }

  /** The group, with the viewer's role; members only for the pool and the discussion of invitation-only groups. */
  async get(ref: GroupRef, viewer: ViewerRef): Promise<GroupView> {
    return this.view(await this.find(ref), viewer);
  }

  private async readable(ref: GroupRef, viewer: ViewerRef): Promise<{ group: GroupRow; role: GroupRole | null }> {
    const group = await this.find(ref);
    const role = await this.roleOf(group, viewer);
    if (group.privacy === "invitation" && role === null) throw new ForbiddenError(wording("errors.group.invitationOnly"));
    return { group, role };
  }

  private async asMember(ref: GroupRef, viewer: Viewer, refusal: Wording): Promise<{ group: GroupRow; role: GroupRole }> {
    const group = await this.find(ref);
    const role = await this.roleOf(group, viewer);
    if (role === null) throw new ForbiddenError(refusal);
    return { group, role };
  }

  private async asAdmin(ref: GroupRef, viewer: Viewer): Promise<GroupRow> {
    const group = await this.find(ref);
    if ((await this.roleOf(group, viewer)) !== "admin") throw new ForbiddenError(wording("errors.group.adminsOnly"));
    return group;
  }

  async list(viewer: ViewerRef, page: number): Promise<GroupView[]> {
    const rows = await this.deps.groups.listFor(viewer?.id ?? null, GROUPS_PER_PAGE, Math.max(0, page - 1) * GROUPS_PER_PAGE);
    return Promise.all(rows.map((row) => this.view(row, viewer)));
  }

  /** Invitation-only groups waiting for the member to join. */
  async invitations(viewer: Viewer): Promise<GroupView[]> {
    const rows = await this.deps.groups.invitationsFor(viewer.id);
    return Promise.all(rows.map((row) => this.view(row, viewer)));
  }

  async create(viewer: Viewer, input: { name: string; privacy: string; description?: string }): Promise<GroupView> {
    const name = cleanText(input.name, MAX_NAME_LENGTH);
    if (!name) throw new InvalidError(wording("errors.group.nameNeeded"), { field: "name" });
    if (!(GROUP_PRIVACIES as readonly string[]).includes(input.privacy)) throw new InvalidError(wording("errors.group.privacy"), { field: "privacy" });
    const description = cleanText(input.description ?? "", MAX_DESCRIPTION_LENGTH);
    const base = slugify(name);
    const now = this.deps.clock.now();
    for (let n = 1; n <= 50; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      if (await this.deps.groups.slugExists(slug)) continue;
      try {
        const id = await this.deps.groups.create({ slug, name, description, privacy: input.privacy as GroupPrivacy, createdBy: viewer.id }, now);
        return this.get({ id }, viewer);
      } catch (error) {
        // Someone took the same slug a moment ago: try the next one.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new ConflictError(wording("errors.group.nameTaken"), { field: "name" });
  }

  // ---- membership ----

  /** Joins a public group, or an invitation-only one the viewer was invited to. */
  async join(ref: GroupRef, viewer: Viewer): Promise<{ group: GroupView; joined: boolean }> {
    const group = await this.find(ref);
    const role = await this.roleOf(group, viewer);
    if (role !== null) return { group: await this.view(group, viewer), joined: false };
    if (group.privacy === "invitation" && !(await this.deps.groups.isInvited(group.id, viewer.id))) {
      throw new ForbiddenError(wording("errors.group.askInvite"));
    }
    const joined = await this.deps.groups.addMember(group.id, viewer.id, "member", this.deps.clock.now());
    return { group: await this.get({ id: group.id }, viewer), joined };
  }

  async leave(ref: GroupRef, viewer: Viewer): Promise<void> {
    const group = await this.find(ref);
    const role = await this.roleOf(group, viewer);
    if (role === null) return;
    if (!(await this.deps.groups.removeMemberKeepingAnAdmin(group.id, viewer.id))) {
      throw new ConflictError(wording("errors.group.lastAdminLeaving"));
    }
  }

  async invite(ref: GroupRef, viewer: Viewer, username: string): Promise<{ username: string; created: boolean }> {
    const group = await this.asAdmin(ref, viewer);
    const userId = await this.deps.groups.findMemberId(username);
    if (userId === undefined) throw new NotFoundError(wording("errors.memberNotFound"));
    if ((await this.deps.groups.role(group.id, userId)) !== undefined) throw new ConflictError(wording("errors.group.alreadyMember"));
    const created = await this.deps.groups.invite(group.id, userId, viewer.id, this.deps.clock.now());
    if (created) await this.deps.notify({ userId, kind: "group_invitation", actorId: viewer.id, groupId: group.id });
    return { username, created };
  }

  async setRole(ref: GroupRef, viewer: Viewer, username: string, role: string): Promise<MemberView> {
    if (!(GROUP_ROLES as readonly string[]).includes(role)) throw new InvalidError(wording("errors.group.role"), { field: "role" });
    const group = await this.asAdmin(ref, viewer);
    const userId = await this.deps.groups.findMemberId(username);
    const current = userId === undefined ? undefined : await this.deps.groups.role(group.id, userId);
    if (userId === undefined || current === undefined) throw new NotFoundError(wording("errors.group.notMember"));
    if (!(await this.deps.groups.setRoleKeepingAnAdmin(group.id, userId, role as GroupRole))) {
      throw new ConflictError(wording("errors.group.lastAdmin"));
    }
    const member = (await this.deps.groups.members(group.id, MEMBERS_SHOWN)).find((m) => m.userId === userId);
    return { username: member?.username ?? username, role: role as GroupRole, joinedAt: iso(member?.joinedAt ?? 0) };
  }

  async removeMember(ref: GroupRef, viewer: Viewer, username: string): Promise<void> {
    const group = await this.asAdmin(ref, viewer);
    const userId = await this.deps.groups.findMemberId(username);
    if (userId === undefined || (await this.deps.groups.role(group.id, userId)) === undefined) throw new NotFoundError(wording("errors.group.notMember"));
    if (!(await this.deps.groups.removeMemberKeepingAnAdmin(group.id, userId))) {
      throw new ConflictError(wording("errors.group.lastAdmin"));
    }
  }

  async members(ref: GroupRef, viewer: ViewerRef): Promise<MemberView[]> {
    const { group } = await this.readable(ref, viewer);
    return (await this.deps.groups.members(group.id, MEMBERS_SHOWN)).map((m: MemberRow) => ({ username: m.username, role: m.role, joinedAt: iso(m.joinedAt) }));
  }

  // ---- pool ----

  /** A member adds one of their own photos; a photo they may not see is not found. */
  async addToPool(ref: GroupRef, viewer: Viewer, photoId: number): Promise<{ added: boolean; group: GroupView }> {
    const { group } = await this.asMember(ref, viewer, wording("errors.group.joinToAdd"));
    if (!(await this.deps.photoVisible(photoId, viewer))) throw new NotFoundError(wording("errors.photoNotFound"));
    if (!(await this.deps.photoIsOwn(photoId, viewer))) throw new ForbiddenError(wording("errors.group.ownPhotosOnly"));
    const added = await this.deps.groups.addToPool(group.id, photoId, viewer.id, this.deps.clock.now());
    return { added, group: await this.view(group, viewer) };
  }

  /** The member who added the photo, or the group's moderators and admins. */
  async removeFromPool(ref: GroupRef, viewer: Viewer, photoId: number): Promise<GroupView> {
    const group = await this.find(ref);
    const entry = await this.deps.groups.poolEntry(group.id, photoId);
    const role = await this.roleOf(group, viewer);
    if (!entry || (group.privacy === "invitation" && role === null)) throw new NotFoundError(wording("errors.group.notInPool"));
    if (entry.addedBy !== viewer.id && !canModerate(role)) throw new ForbiddenError(wording("errors.group.removeFromPool"));
    await this.deps.groups.removeFromPool(group.id, photoId);
    return this.view(group, viewer);
  }

  async pool(ref: GroupRef, viewer: ViewerRef, cursor: string | undefined, limit: number): Promise<PoolPage> {
    const { group } = await this.readable(ref, viewer);
    const entries = await this.deps.groups.pool(group.id, audienceOf(viewer), parseCursor(cursor), limit + 1);
    const page = entries.slice(0, limit);
    const last = page[page.length - 1];
    return {
      photos: page.map((e) => presentPhoto(e.photo, viewer?.id ?? null, this.deps.baseUrl)),
      nextCursor: entries.length > limit && last ? `${last.addedAt}.${last.photo.id}` : null,
    };
  }

  /** For the photo page: the groups holding the photo that this viewer may see, and where its owner may add it. */
  /** `inAnyPool` false: the page's probe found the photo in no pool, so that is not asked again. */
  async photoGroups(
    photoId: number,
    viewer: ViewerRef,
    isOwner: boolean,
    inAnyPool = true,
  ): Promise<{ holding: Array<{ slug: string; name: string; canRemove: boolean }>; canAddTo: Array<{ slug: string; name: string }> }> {
    const rows = inAnyPool ? await this.deps.groups.groupsHolding(photoId, viewer?.id ?? null) : [];
    const holding = rows.map((g) => ({ slug: g.slug, name: g.name, canRemove: viewer !== null && g.viewerRole !== null && (g.addedBy === viewer.id || canModerate(g.viewerRole)) }));
    const canAddTo = isOwner && viewer ? await this.deps.groups.groupsToAddTo(photoId, viewer.id) : [];
    return { holding, canAddTo };
  }

  // ---- discussion ----

  private threadView(thread: ThreadRow, viewer: ViewerRef, role: GroupRole | null): ThreadView {
    return {
      id: thread.id,
      title: thread.title,
      text: thread.body,
      author: thread.author,
      createdAt: iso(thread.createdAt),
      lastReplyAt: iso(thread.lastReplyAt),
      replyCount: thread.replyCount,
      canDelete: viewer !== null && (thread.authorId === viewer.id || canModerate(role)),
    };
  }

  private replyView(reply: ReplyRow, viewer: ViewerRef, role: GroupRole | null): ReplyView {
    return { id: reply.id, text: reply.body, author: reply.author, createdAt: iso(reply.createdAt), canDelete: viewer !== null && (reply.authorId === viewer.id || canModerate(role)) };
  }

  async threads(ref: GroupRef, viewer: ViewerRef, page: number): Promise<ThreadView[]> {
    const { group, role } = await this.readable(ref, viewer);
    const rows = await this.deps.groups.threads(group.id, THREADS_PER_PAGE, Math.max(0, page - 1) * THREADS_PER_PAGE);
    return rows.map((t) => this.threadView(t, viewer, role));
  }

  async createThread(ref: GroupRef, viewer: Viewer, input: { title: string; text: string }): Promise<ThreadView> {
    const { group, role } = await this.asMember(ref, viewer, wording("errors.group.joinToStart"));
    const title = cleanText(input.title, MAX_TITLE_LENGTH);
    const text = cleanText(input.text, MAX_TEXT_LENGTH);
    if (!title) throw new InvalidError(wording("errors.group.threadTitle"), { field: "title" });
    if (!text) throw new InvalidError(wording("errors.group.threadText"), { field: "text" });
    const id = await this.deps.groups.createThread({ groupId: group.id, authorId: viewer.id, title, body: text }, this.deps.clock.now());
    const thread = await this.deps.groups.thread(group.id, id);
    if (!thread) throw new NotFoundError(wording("errors.group.threadRemoved"));
    return this.threadView(thread, viewer, role);
  }

  async thread(ref: GroupRef, viewer: ViewerRef, threadId: number): Promise<{ group: GroupView; thread: ThreadView; replies: ReplyView[] }> {
    const { group, role } = await this.readable(ref, viewer);
    const thread = await this.deps.groups.thread(group.id, threadId);
    if (!thread) throw new NotFoundError(wording("errors.group.noThread"));
    const replies = await this.deps.groups.replies(thread.id, REPLIES_SHOWN);
    return { group: await this.view(group, viewer), thread: this.threadView(thread, viewer, role), replies: replies.map((r) => this.replyView(r, viewer, role)) };
  }

  async reply(ref: GroupRef, viewer: Viewer, threadId: number, input: { text: string }): Promise<ReplyView> {
    const { group, role } = await this.asMember(ref, viewer, wording("errors.group.joinToReply"));
    const thread = await this.deps.groups.thread(group.id, threadId);
    if (!thread) throw new NotFoundError(wording("errors.group.noThread"));
    const text = cleanText(input.text, MAX_TEXT_LENGTH);
    if (!text) throw new InvalidError(wording("errors.group.replyText"), { field: "text" });
    const now = this.deps.clock.now();
    const id = await this.deps.groups.addReply({ threadId: thread.id, authorId: viewer.id, body: text }, now);
    return this.replyView({ id, threadId: thread.id, authorId: viewer.id, author: viewer.username, body: text, createdAt: now }, viewer, role);
  }

  async deleteThread(ref: GroupRef, viewer: Viewer, threadId: number): Promise<void> {
    const { group, role } = await this.readable(ref, viewer);
    const thread = await this.deps.groups.thread(group.id, threadId);
    if (!thread) throw new NotFoundError(wording("errors.group.noThread"));
    if (thread.authorId !== viewer.id && !canModerate(role)) throw new ForbiddenError(wording("errors.group.removeThread"));
    await this.deps.groups.deleteThread(thread.id);
  }

  async deleteReply(ref: GroupRef, viewer: Viewer, threadId: number, replyId: number): Promise<void> {
    const { group, role } = await this.readable(ref, viewer);
    const thread = await this.deps.groups.thread(group.id, threadId);
    const reply = thread ? await this.deps.groups.reply(thread.id, replyId) : undefined;
    if (!reply) throw new NotFoundError(wording("errors.group.noReply"));
    if (reply.authorId !== viewer.id && !canModerate(role)) throw new ForbiddenError(wording("errors.group.removeReply"));
    await this.deps.groups.deleteReply(replyId);
  }
}
