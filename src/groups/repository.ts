import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { Database, GroupMembersTable, GroupsTable, PhotoRow } from "../db/schema.ts";
import { ownerActive, visibleTo, withTags, type PhotoRecord } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";

export type GroupRole = GroupMembersTable["role"];
export type GroupPrivacy = GroupsTable["privacy"];

export interface GroupRow {
  id: number;
  slug: string;
  name: string;
  description: string;
  privacy: GroupPrivacy;
  createdAt: number;
  memberCount: number;
  /** The viewer's role, when the query asked for it (lists, to save a query per group). */
  viewerRole?: GroupRole | null;
}

export interface MemberRow {
  userId: number;
  username: string;
  role: GroupRole;
  joinedAt: number;
}

export interface PoolEntry {
  photo: PhotoRecord;
  addedBy: number;
  addedAt: number;
}

export interface ThreadRow {
  id: number;
  groupId: number;
  authorId: number;
  author: string;
  title: string;
  body: string;
  createdAt: number;
  lastReplyAt: number;
  replyCount: number;
}

export interface ReplyRow {
  id: number;
  threadId: number;
  authorId: number;
  author: string;
  body: string;
  createdAt: number;
}

/** For the photo page: is the photo in any group's pool? */
export const photoInAnyPool: PhotoProbe = sql<boolean>`exists (select 1 from group_pool where group_pool.photo_id = photos.id)`;

/** Every query about groups: members, invitations, the pool and the discussion. */
export class GroupsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private selectGroups() {
    return this.db
      .selectFrom("groups")
      .select(["groups.id", "groups.slug", "groups.name", "groups.description", "groups.privacy", "groups.created_at"])
      .select((eb) => eb.selectFrom("group_members as gm").select((e) => e.fn.countAll<number>().as("n")).whereRef("gm.group_id", "=", "groups.id").as("member_count"));
  }

  private static group(row: { id: number; slug: string; name: string; description: string; privacy: GroupPrivacy; created_at: number; member_count: number | null }): GroupRow {
    return { id: Number(row.id), slug: row.slug, name: row.name, description: row.description, privacy: row.privacy, createdAt: Number(row.created_at), memberCount: Number(row.member_count ?? 0) };
  }

  async slugExists(slug: string): Promise<boolean> {
    return (await this.db.selectFrom("groups").select("id").where("slug", "=", slug).executeTakeFirst()) !== undefined;
  }

  /** The group and its first admin, together. */
  async create(group: { slug: string; name: string; description: string; privacy: GroupPrivacy; createdBy: number }, now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("groups")
        .values({ slug: group.slug, name: group.name, description: group.description, privacy: group.privacy, created_by: group.createdBy, created_at: now })
        .returning("id")
        .executeTakeFirstOrThrow();
      const id = Number(row.id);
      await trx.insertInto("group_members").values({ group_id: id, user_id: group.createdBy, role: "admin", joined_at: now }).execute();
      return id;
    });
  }

  async findById(id: number): Promise<GroupRow | undefined> {
    const row = await this.selectGroups().where("groups.id", "=", id).executeTakeFirst();
    return row ? GroupsRepository.group(row) : undefined;
  }

  async findBySlug(slug: string): Promise<GroupRow | undefined> {
    const row = await this.selectGroups().where("groups.slug", "=", slug).executeTakeFirst();
    return row ? GroupsRepository.group(row) : undefined;
  }

  /** Public groups, and the invitation-only ones the viewer belongs to; biggest first. */
  async listFor(viewerId: number | null, limit: number, offset: number): Promise<GroupRow[]> {
    let query = this.selectGroups();
    query =
      viewerId === null
        ? query.where("groups.privacy", "=", "public")
        : query.where((eb) =>
            eb.or([
              eb("groups.privacy", "=", "public"),
              eb.exists(eb.selectFrom("group_members as me").select("me.user_id").whereRef("me.group_id", "=", "groups.id").where("me.user_id", "=", viewerId)),
            ]),
          );
    const rows = await query
      .select((eb) =>
        eb
          .selectFrom("group_members as vr")
          .select("vr.role")
          .whereRef("vr.group_id", "=", "groups.id")
          .where("vr.user_id", "=", viewerId ?? 0)
          .as("viewer_role"),
      )
      .orderBy("member_count", "desc")
      .orderBy("groups.id", "desc")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((row) => ({ ...GroupsRepository.group(row), viewerRole: row.viewer_role ?? null }));
  }

  async findMemberId(username: string): Promise<number | undefined> {
    const row = await this.db.selectFrom("users").select("id").where("username_key", "=", username.toLowerCase()).where("suspended_at", "is", null).executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  async role(groupId: number, userId: number): Promise<GroupRole | undefined> {
    const row = await this.db.selectFrom("group_members").select("role").where("group_id", "=", groupId).where("user_id", "=", userId).executeTakeFirst();
    return row?.role;
  }

  /** Adds the member (consuming any invitation); answers false when they already were one. */
  async addMember(groupId: number, userId: number, role: GroupRole, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("group_invitations").where("group_id", "=", groupId).where("user_id", "=", userId).execute();
      const result = await trx
        .insertInto("group_members")
        .values({ group_id: groupId, user_id: userId, role, joined_at: now })
        .onConflict((oc) => oc.columns(["group_id", "user_id"]).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    });
  }

  /**
   * Serialises changes to a group's admins: on PostgreSQL (read committed) two admins leaving
   * at once would each count the other and both go; a no-op update takes the group row's lock,
   * so the second waits, and its next statement counts again. SQLite has one writer anyway.
   */
  private static async lockGroup(trx: Kysely<Database>, groupId: number): Promise<void> {
    await trx
      .updateTable("groups")
      .set((eb) => ({ slug: eb.ref("slug") }))
      .where("id", "=", groupId)
      .execute();
  }

  private static moreThanOneAdmin(groupId: number) {
    return (eb: ExpressionBuilder<Database, "group_members">) =>
      eb.or([
        eb("role", "<>", "admin"),
        eb(eb.selectFrom("group_members as a").select((e) => e.fn.countAll<number>().as("n")).where("a.group_id", "=", groupId).where("a.role", "=", "admin"), ">", 1),
      ]);
  }

  /** Removes a member unless they are the group's last admin; answers whether they went. */
  async removeMemberKeepingAnAdmin(groupId: number, userId: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await GroupsRepository.lockGroup(trx, groupId);
      const result = await trx
        .deleteFrom("group_members")
        .where("group_id", "=", groupId)
        .where("user_id", "=", userId)
        .where(GroupsRepository.moreThanOneAdmin(groupId))
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Changes a member's role unless that demotes the group's last admin; answers whether it changed. */
  async setRoleKeepingAnAdmin(groupId: number, userId: number, role: GroupRole): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await GroupsRepository.lockGroup(trx, groupId);
      let query = trx.updateTable("group_members").set({ role }).where("group_id", "=", groupId).where("user_id", "=", userId);
      if (role !== "admin") query = query.where(GroupsRepository.moreThanOneAdmin(groupId));
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async members(groupId: number, limit: number): Promise<MemberRow[]> {
    const rows = await this.db
      .selectFrom("group_members")
      .innerJoin("users", "users.id", "group_members.user_id")
      .select(["group_members.user_id", "users.username", "group_members.role", "group_members.joined_at"])
      .where("group_members.group_id", "=", groupId)
      .where("users.suspended_at", "is", null)
      .orderBy("group_members.joined_at")
      .orderBy("group_members.user_id")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ userId: Number(r.user_id), username: r.username, role: r.role, joinedAt: Number(r.joined_at) }));
  }

  async invite(groupId: number, userId: number, invitedBy: number, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto("group_invitations")
      .values({ group_id: groupId, user_id: userId, invited_by: invitedBy, created_at: now })
      .onConflict((oc) => oc.columns(["group_id", "user_id"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async isInvited(groupId: number, userId: number): Promise<boolean> {
    const row = await this.db.selectFrom("group_invitations").select("user_id").where("group_id", "=", groupId).where("user_id", "=", userId).executeTakeFirst();
    return row !== undefined;
  }

  // ---- pool ----

  async addToPool(groupId: number, photoId: number, addedBy: number, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto("group_pool")
      .values((eb) => ({ group_id: groupId, photo_id: photoId, photo_owner_id: eb.selectFrom("photos").select("owner_id").where("id", "=", photoId), added_by: addedBy, added_at: now }))
      .onConflict((oc) => oc.columns(["group_id", "photo_id"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async poolEntry(groupId: number, photoId: number): Promise<{ addedBy: number } | undefined> {
    const row = await this.db.selectFrom("group_pool").select("added_by").where("group_id", "=", groupId).where("photo_id", "=", photoId).executeTakeFirst();
    return row ? { addedBy: Number(row.added_by) } : undefined;
  }

  async removeFromPool(groupId: number, photoId: number): Promise<void> {
    await this.db.deleteFrom("group_pool").where("group_id", "=", groupId).where("photo_id", "=", photoId).execute();
  }

  /**
   * The pool newest first, only the photos this audience may see (each photo keeps its own
   * visibility inside a group), after the (addedAt, photoId) cursor.
   */
  async pool(groupId: number, audience: Audience, after: { addedAt: number; photoId: number } | null, limit: number): Promise<PoolEntry[]> {
    let query = this.db
      .selectFrom("group_pool")
      .innerJoin("photos", "photos.id", "group_pool.photo_id")
      .innerJoin("users", "users.id", "photos.owner_id")
      .selectAll("photos")
      .select(["users.username as owner_username", "group_pool.added_by", "group_pool.added_at"])
      .where("group_pool.group_id", "=", groupId)
      .where(visibleTo(audience, "photos"))
      .where(ownerActive("photos"));
    if (after) {
      const { addedAt, photoId } = after;
      query = query.where((eb) => eb.or([eb("group_pool.added_at", "<", addedAt), eb.and([eb("group_pool.added_at", "=", addedAt), eb("group_pool.photo_id", "<", photoId)])]));
    }
    const rows = await query.orderBy("group_pool.added_at", "desc").orderBy("group_pool.photo_id", "desc").limit(limit).execute();
    return rows.map(({ added_by, added_at, ...photo }) => ({
      photo: withTags(photo as PhotoRow & { owner_username: string }),
      addedBy: Number(added_by),
      addedAt: Number(added_at),
    }));
  }

  /**
   * The groups whose pool holds the photo, among those the viewer may see (public, or theirs),
   * with who added it there and the viewer's role, which say whether the viewer may remove it.
   */
  async groupsHolding(photoId: number, viewerId: number | null): Promise<Array<{ slug: string; name: string; addedBy: number; viewerRole: GroupRole | null }>> {
    const base = this.db.selectFrom("group_pool").innerJoin("groups", "groups.id", "group_pool.group_id").select(["groups.slug", "groups.name", "group_pool.added_by"]).where("group_pool.photo_id", "=", photoId);
    if (viewerId === null) {
      const rows = await base.where("groups.privacy", "=", "public").orderBy("groups.name").limit(50).execute();
      return rows.map((r) => ({ slug: r.slug, name: r.name, addedBy: Number(r.added_by), viewerRole: null }));
    }
    const rows = await base
      .leftJoin("group_members as me", (join) => join.onRef("me.group_id", "=", "groups.id").on("me.user_id", "=", viewerId))
      .select("me.role")
      .where((eb) => eb.or([eb("groups.privacy", "=", "public"), eb("me.user_id", "is not", null)]))
      .orderBy("groups.name")
      .limit(50)
      .execute();
    return rows.map((r) => ({ slug: r.slug, name: r.name, addedBy: Number(r.added_by), viewerRole: r.role ?? null }));
  }

  /** Invitation-only groups the member was invited to and has not joined yet. */
  async invitationsFor(userId: number): Promise<GroupRow[]> {
    const rows = await this.selectGroups()
      .where("groups.id", "in", (eb) => eb.selectFrom("group_invitations as gi").select("gi.group_id").where("gi.user_id", "=", userId))
      .orderBy("groups.name")
      .limit(100)
      .execute();
    return rows.map(GroupsRepository.group);
  }

  /** The member's groups whose pool does not hold the photo yet (for the "Add to group" form). */
  async groupsToAddTo(photoId: number, userId: number): Promise<Array<{ slug: string; name: string }>> {
    return this.db
      .selectFrom("group_members")
      .innerJoin("groups", "groups.id", "group_members.group_id")
      .select(["groups.slug", "groups.name"])
      .where("group_members.user_id", "=", userId)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("group_pool as gp").select("gp.photo_id").whereRef("gp.group_id", "=", "groups.id").where("gp.photo_id", "=", photoId))))
      .orderBy("groups.name")
      .limit(200)
      .execute();
  }

  // ---- discussion ----

  async createThread(thread: { groupId: number; authorId: number; title: string; body: string }, now: number): Promise<number> {
    const row = await this.db
      .insertInto("group_threads")
      .values({ group_id: thread.groupId, author_id: thread.authorId, title: thread.title, body: thread.body, created_at: now, last_reply_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  private selectThreads() {
    return this.db
      .selectFrom("group_threads")
      .innerJoin("users", "users.id", "group_threads.author_id")
      .selectAll("group_threads")
      .select("users.username as author")
      .select((eb) => eb.selectFrom("group_replies as r").select((e) => e.fn.countAll<number>().as("n")).whereRef("r.thread_id", "=", "group_threads.id").as("reply_count"));
  }

  private static thread(r: { id: number; group_id: number; author_id: number; author: string; title: string; body: string; created_at: number; last_reply_at: number; reply_count: number | null }): ThreadRow {
    return {
      id: Number(r.id),
      groupId: Number(r.group_id),
      authorId: Number(r.author_id),
      author: r.author,
      title: r.title,
      body: r.body,
      createdAt: Number(r.created_at),
      lastReplyAt: Number(r.last_reply_at),
      replyCount: Number(r.reply_count ?? 0),
    };
  }

  async threads(groupId: number, limit: number, offset: number): Promise<ThreadRow[]> {
    const rows = await this.selectThreads().where("group_threads.group_id", "=", groupId).orderBy("group_threads.last_reply_at", "desc").orderBy("group_threads.id", "desc").limit(limit).offset(offset).execute();
    return rows.map(GroupsRepository.thread);
  }

  async thread(groupId: number, threadId: number): Promise<ThreadRow | undefined> {
    const row = await this.selectThreads().where("group_threads.group_id", "=", groupId).where("group_threads.id", "=", threadId).executeTakeFirst();
    return row ? GroupsRepository.thread(row) : undefined;
  }

  async deleteThread(threadId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("group_replies").where("thread_id", "=", threadId).execute();
      await trx.deleteFrom("group_threads").where("id", "=", threadId).execute();
    });
  }

  async addReply(reply: { threadId: number; authorId: number; body: string }, now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto("group_replies").values({ thread_id: reply.threadId, author_id: reply.authorId, body: reply.body, created_at: now }).returning("id").executeTakeFirstOrThrow();
      await trx.updateTable("group_threads").set({ last_reply_at: now }).where("id", "=", reply.threadId).execute();
      return Number(row.id);
    });
  }

  async replies(threadId: number, limit: number): Promise<ReplyRow[]> {
    const rows = await this.db
      .selectFrom("group_replies")
      .innerJoin("users", "users.id", "group_replies.author_id")
      .select(["group_replies.id", "group_replies.thread_id", "group_replies.author_id", "users.username as author", "group_replies.body", "group_replies.created_at"])
      .where("group_replies.thread_id", "=", threadId)
      .orderBy("group_replies.id")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), threadId: Number(r.thread_id), authorId: Number(r.author_id), author: r.author, body: r.body, createdAt: Number(r.created_at) }));
  }

  async reply(threadId: number, replyId: number): Promise<{ authorId: number } | undefined> {
    const row = await this.db.selectFrom("group_replies").select("author_id").where("thread_id", "=", threadId).where("id", "=", replyId).executeTakeFirst();
    return row ? { authorId: Number(row.author_id) } : undefined;
  }

  async deleteReply(replyId: number): Promise<void> {
    await this.db.deleteFrom("group_replies").where("id", "=", replyId).execute();
  }
}
