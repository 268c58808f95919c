import { Type } from "@sinclair/typebox";
import { PhotoJson } from "../photos/schema.ts";

export const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
export const ContactBody = Type.Object({ friend: Type.Optional(Type.Boolean()), family: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const ContactJson = Type.Object({ username: Type.String(), friend: Type.Boolean(), family: Type.Boolean() });
export const ContactListJson = Type.Object({ contacts: Type.Array(ContactJson) });

// ---- Faves and comments ----
export const PhotoIdParams = Type.Object({ id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });
export const CommentIdParams = Type.Object({ id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });
export const PhotoPageParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });
export const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })) });

export const FaveStateJson = Type.Object({ faved: Type.Boolean(), faveCount: Type.Integer() });
export const FaverListJson = Type.Object({
  faveCount: Type.Integer(),
  faves: Type.Array(Type.Object({ username: Type.String(), favedAt: Type.String({ format: "date-time" }) })),
  page: Type.Integer(),
  nextPage: Type.Union([Type.Integer(), Type.Null()]),
});

export const CommentBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 20_000, description: "Plain text, 1–5000 characters, at most 5 links" }) }, { additionalProperties: false });
export const CommentJson = Type.Object({
  id: Type.String(),
  photoId: Type.String(),
  author: Type.Object({ username: Type.String() }),
  importedAuthor: Type.Union([Type.String(), Type.Null()], { description: "for a comment imported from another site (stored under the photo's owner): its author's name there" }),
  text: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});
export const CommentListJson = Type.Object({ comments: Type.Array(CommentJson), page: Type.Integer(), nextPage: Type.Union([Type.Integer(), Type.Null()]) });

// ---- Pages (forms) ----
export const CommentForm = Type.Object({ text: Type.String({ maxLength: 20_000 }), _csrf: Type.Optional(Type.String()) });
export const ContactForm = Type.Object({ friend: Type.Optional(Type.String()), family: Type.Optional(Type.String()), _csrf: Type.Optional(Type.String()) });
export const FavedPhotosJson = Type.Object({ photos: Type.Array(PhotoJson), page: Type.Integer(), nextPage: Type.Union([Type.Integer(), Type.Null()]) });
