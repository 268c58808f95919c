import { Type } from "@sinclair/typebox";
import { MAX_NOTE_LENGTH, NOTE_PERMISSIONS } from "./rules.ts";

const Fraction = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

export const NoteIdParams = Type.Object({ id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });

export const NoteBody = Type.Object(
  {
    x: Fraction("Left edge, as a fraction of the image's width"),
    y: Fraction("Top edge, as a fraction of the image's height"),
    width: Fraction("Width, a fraction of the image's width; x + width ≤ 1"),
    height: Fraction("Height, a fraction of the image's height; y + height ≤ 1"),
    text: Type.String({ minLength: 1, maxLength: MAX_NOTE_LENGTH * 4 }),
  },
  { additionalProperties: false },
);

export const NotePatchBody = Type.Partial(NoteBody, { additionalProperties: false });

export const NoteJson = Type.Object({
  id: Type.String(),
  photoId: Type.String(),
  x: Type.Number(),
  y: Type.Number(),
  width: Type.Number(),
  height: Type.Number(),
  text: Type.String(),
  author: Type.Object({ username: Type.String() }),
  importedAuthor: Type.Union([Type.String(), Type.Null()], { description: "for a note imported from another site (stored under the photo's owner): its author's name there" }),
  createdAt: Type.String({ format: "date-time" }),
  canEdit: Type.Boolean(),
});

export const NoteListJson = Type.Object({ notes: Type.Array(NoteJson), canAdd: Type.Boolean() });

export const NotePermissionJson = Type.Object({ permission: Type.Union(NOTE_PERMISSIONS.map((p) => Type.Literal(p))) }, { additionalProperties: false });

export const NoteSettingsForm = Type.Object({
  permission: Type.Union(NOTE_PERMISSIONS.map((p) => Type.Literal(p))),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});
export const SavedQuery = Type.Object({ saved: Type.Optional(Type.String({ maxLength: 1 })) });
