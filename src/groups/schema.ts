import { Type } from "@sinclair/typebox";

const Id = Type.String({ pattern: "^[1-9][0-9]{0,17}$" });
const Role = Type.Union([Type.Literal("admin"), Type.Literal("moderator"), Type.Literal("member")]);
const Privacy = Type.Union([Type.Literal("public"), Type.Literal("invitation")]);
const Username = Type.String({ minLength: 1, maxLength: 64 });
const Csrf = Type.Optional(Type.String({ maxLength: 200 }));

export const GroupIdParams = Type.Object({ id: Id });
export const MemberParams = Type.Object({ id: Id, username: Username });
export const PoolPhotoParams = Type.Object({ id: Id, photoId: Id });
export const ThreadParams = Type.Object({ id: Id, threadId: Id });
export const ReplyParams = Type.Object({ id: Id, threadId: Id, replyId: Id });

export const CreateGroupBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 1000 }), privacy: Privacy, description: Type.Optional(Type.String({ maxLength: 20_000 })) },
  { additionalProperties: false },
);
export const InviteBody = Type.Object({ username: Username }, { additionalProperties: false });
export const RoleBody = Type.Object({ role: Role }, { additionalProperties: false });
export const PoolBody = Type.Object({ photoId: Id }, { additionalProperties: false });
export const ThreadBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: 1000 }), text: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false });
export const ReplyBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false });
export const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })) });
export const PoolQuery = Type.Object({
  cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}\\.[0-9]{1,18}$" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});

export const GroupJson = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  privacy: Privacy,
  memberCount: Type.Integer(),
  createdAt: Type.String({ format: "date-time" }),
  role: Type.Union([Role, Type.Null()], { description: "the caller's role; null when not a member" }),
  invited: Type.Boolean(),
  pageUrl: Type.String(),
});
export const GroupListJson = Type.Object({ groups: Type.Array(GroupJson) });
export const MembershipJson = Type.Object({ group: GroupJson, role: Type.Union([Role, Type.Null()]) });
export const MemberJson = Type.Object({ username: Type.String(), role: Role, joinedAt: Type.String({ format: "date-time" }) });
export const MemberListJson = Type.Object({ members: Type.Array(MemberJson) });
export const InvitationJson = Type.Object({ username: Type.String() });
export const ThreadJson = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  text: Type.String(),
  author: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  lastReplyAt: Type.String({ format: "date-time" }),
  replyCount: Type.Integer(),
});
export const ThreadListJson = Type.Object({ threads: Type.Array(ThreadJson) });
export const ReplyJson = Type.Object({ id: Type.Integer(), text: Type.String(), author: Type.String(), createdAt: Type.String({ format: "date-time" }) });
export const ReplyListJson = Type.Object({ replies: Type.Array(ReplyJson) });
export const ThreadWithRepliesJson = Type.Object({ thread: ThreadJson, replies: Type.Array(ReplyJson) });

// ---- forms (pages) ----
export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 80 }) });
export const SlugMemberParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 80 }), username: Username });
export const SlugPhotoParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 80 }), photoId: Id });
export const SlugThreadParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 80 }), threadId: Id });
export const SlugReplyParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 80 }), threadId: Id, replyId: Id });
export const CreateGroupForm = Type.Object({ name: Type.String({ maxLength: 1000 }), privacy: Type.String({ maxLength: 20 }), description: Type.Optional(Type.String({ maxLength: 20_000 })), _csrf: Csrf });
export const CsrfForm = Type.Object({ _csrf: Csrf });
export const InviteForm = Type.Object({ username: Type.String({ maxLength: 64 }), _csrf: Csrf });
export const RoleForm = Type.Object({ role: Type.String({ maxLength: 20 }), _csrf: Csrf });
export const PoolForm = Type.Object({ photoId: Type.String({ maxLength: 20 }), next: Type.Optional(Type.String({ maxLength: 300 })), _csrf: Csrf });
export const NextForm = Type.Object({ next: Type.Optional(Type.String({ maxLength: 300 })), _csrf: Csrf });
export const ThreadForm = Type.Object({ title: Type.String({ maxLength: 1000 }), text: Type.String({ maxLength: 20_000 }), _csrf: Csrf });
export const ReplyForm = Type.Object({ text: Type.String({ maxLength: 20_000 }), _csrf: Csrf });
export const BeforeQuery = Type.Object({ before: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}\\.[0-9]{1,18}$" })) });
export const PhotoPageAddForm = Type.Object({ slug: Type.String({ maxLength: 80 }), photoId: Type.String({ maxLength: 20 }), next: Type.Optional(Type.String({ maxLength: 300 })), _csrf: Csrf });
