import { Type } from "@sinclair/typebox";

const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);
const Limits = Type.Object({
  photos: Nullable(Type.Integer({ description: "null: no limit" })),
  bytes: Nullable(Type.Integer({ description: "null: no limit" })),
});

export const MemberJson = Type.Object({
  username: Type.String(),
  joinedAt: Type.String({ format: "date-time" }),
  isAdmin: Type.Boolean(),
  isPro: Type.Boolean(),
  suspended: Type.Boolean(),
  suspendedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  photos: Type.Integer(),
  bytesStored: Type.Integer(),
  quota: Type.Object(Limits.properties, { description: "The limits in force: the member's own, else the site's default for Pro or other members" }),
  override: Type.Object(Limits.properties, { description: "The member's own limits; null where the site's default applies" }),
});

export const MemberListJson = Type.Object({
  members: Type.Array(MemberJson),
  page: Type.Integer(),
  pages: Type.Integer(),
  total: Type.Integer(),
});

export const MemberListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 64, description: "Part of a username, any case" })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
});

export const MemberParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });

export const SuspensionBody = Type.Object({ suspended: Type.Boolean() }, { additionalProperties: false });

/**
 * One schema with two types rather than anyOf: with type coercion on, Ajv would turn null
 * into 0 for an anyOf whose first branch is a number, and 0 is a real (and strict) quota.
 */
const NullableLimit = (type: "integer" | "number", description: string) =>
  Type.Unsafe<number | null>({ type: [type, "null"], minimum: 0, maximum: 1_000_000_000, description });

export const AllowanceBody = Type.Object(
  {
    isPro: Type.Optional(Type.Boolean()),
    quotaPhotos: Type.Optional(NullableLimit("integer", "Photos the member may keep; null: the site's default")),
    quotaMb: Type.Optional(NullableLimit("number", "Megabytes of originals the member may keep; null: the site's default")),
  },
  { additionalProperties: false },
);

const CsrfField = Type.Optional(Type.String({ maxLength: 200 }));
/** Where a form sends the admin back to: the same search and page. */
const ReturnFields = { q: Type.Optional(Type.String({ maxLength: 64 })), page: Type.Optional(Type.String({ maxLength: 8 })) };
export const SuspensionForm = Type.Object({ suspended: Type.Union([Type.Literal("true"), Type.Literal("false")]), _csrf: CsrfField, ...ReturnFields });
export const AllowanceForm = Type.Object({
  isPro: Type.Optional(Type.String({ maxLength: 10 })),
  quotaPhotos: Type.Optional(Type.String({ maxLength: 20 })),
  quotaMb: Type.Optional(Type.String({ maxLength: 20 })),
  _csrf: CsrfField,
  ...ReturnFields,
});
