import { Type } from "@sinclair/typebox";

export const ImportParams = Type.Object({ id: Type.String({ pattern: "^[0-9]{1,15}$" }) });
export const MemberParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
export const CsrfQuery = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) });

export const ImportJson = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal("queued"), Type.Literal("running"), Type.Literal("done"), Type.Literal("failed")]),
  format: Type.Union([Type.Literal("flickr"), Type.Literal("pinhole"), Type.Null()], { description: "what the zip turned out to be; null until looked at" }),
  fileName: Type.String(),
  fileBytes: Type.Integer(),
  total: Type.Integer({ description: "photo files in the zip" }),
  done: Type.Integer({ description: "photos imported" }),
  skipped: Type.Integer({ description: "photo files already here (the same bytes, imported or uploaded before)" }),
  failed: Type.Integer({ description: "photo files that could not be imported; see entries for why" }),
  error: Type.Union([Type.String(), Type.Null()], { description: "why the whole import failed" }),
  createdAt: Type.String({ format: "date-time" }),
  finishedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  pageUrl: Type.String(),
  entries: Type.Array(
    Type.Object({
      entry: Type.String({ description: "the file in the zip (with #id for an album, contact or fave)" }),
      kind: Type.String(),
      outcome: Type.Union([Type.Literal("done"), Type.Literal("skipped"), Type.Literal("failed")]),
      reason: Type.Union([Type.String(), Type.Null()]),
    }),
    { description: "failures and skips with their reasons, and what was imported besides photos" },
  ),
  notices: Type.Array(Type.String(), { description: "what the member should know about how the source's data was mapped" }),
});

export const ImportListJson = Type.Object({ imports: Type.Array(ImportJson) });

export const ZipResponse = Type.String({ format: "binary", description: "a zip: README.txt, account.json, photos/<id>.json, originals/<id>.<ext>, contacts.json, faves.json, albums.json" });
