import { Type } from "@sinclair/typebox";

export const OEmbedQuery = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2000, description: "The address of a photo page" }),
  maxwidth: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  maxheight: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  format: Type.Optional(Type.String({ maxLength: 10, description: "json (default) or xml" })),
});

export const OEmbedJson = Type.Object({
  version: Type.Literal("1.0"),
  type: Type.Literal("photo"),
  title: Type.String(),
  author_name: Type.String(),
  author_url: Type.String(),
  provider_name: Type.String(),
  provider_url: Type.String(),
  cache_age: Type.Integer(),
  url: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  thumbnail_url: Type.String(),
  thumbnail_width: Type.Integer(),
  thumbnail_height: Type.Integer(),
  web_page: Type.String(),
  license: Type.String(),
  license_url: Type.Union([Type.String(), Type.Null()]),
  html: Type.String(),
});
