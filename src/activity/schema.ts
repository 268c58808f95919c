import { Type } from "@sinclair/typebox";
import { PhotoJson } from "../photos/schema.ts";

export const ActivityQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })),
});

export const ActivityPageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })) });

export const ActivityEventJson = Type.Object({
  kind: Type.Union([Type.Literal("fave"), Type.Literal("comment"), Type.Literal("note"), Type.Literal("group_add")]),
  actor: Type.Object({ username: Type.String() }),
  photo: Type.Object({ id: Type.String(), title: Type.String(), pageUrl: Type.String() }),
  group: Type.Union([Type.Object({ name: Type.String(), slug: Type.String() }), Type.Null()]),
  text: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: "date-time" }),
});

export const ActivityJson = Type.Object({
  contactPhotos: Type.Array(PhotoJson),
  onYourPhotos: Type.Array(ActivityEventJson),
  nextPage: Type.Union([Type.Integer(), Type.Null()]),
});
