import { Type } from "@sinclair/typebox";

export const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })) });

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

export const NotificationJson = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: "comment, fave, contact, group_invitation, note or group_add" }),
  actor: Type.Union([Type.Object({ username: Type.String() }), Type.Null()]),
  photo: Type.Union([Type.Object({ id: Type.String(), title: Type.String(), pageUrl: Type.String() }), Type.Null()]),
  groupId: Nullable(Type.String()),
  read: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
});

export const NotificationListJson = Type.Object({
  notifications: Type.Array(NotificationJson),
  unread: Type.Integer(),
  page: Type.Integer(),
  nextPage: Nullable(Type.Integer()),
});
