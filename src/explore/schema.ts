import { Type } from "@sinclair/typebox";
import { PhotoJson } from "../photos/schema.ts";

export const ExploreQuery = Type.Object({
  after: Type.Optional(Type.String({ pattern: "^[0-9]{1,6}$", description: "The nextCursor of the previous page" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});

export const ExploreJson = Type.Object({
  day: Type.Union([Type.String({ description: "The UTC day of the ranking, YYYY-MM-DD" }), Type.Null()]),
  photos: Type.Array(PhotoJson),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ExplorePageQuery = Type.Object({ after: Type.Optional(Type.String({ pattern: "^[0-9]{1,6}$" })) });
