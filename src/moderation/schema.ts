import { Type } from "@sinclair/typebox";
import { ACTIONS, MAX_REASON_LENGTH, TARGET_KINDS } from "./service.ts";

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const TargetKindJson = Type.Union(TARGET_KINDS.map((k) => Type.Literal(k)));
const Id = Type.String({ pattern: "^[1-9][0-9]{0,17}$" });

export const ReportBody = Type.Object(
  {
    targetKind: TargetKindJson,
    targetId: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,17}$", description: "The photo's or comment's id (photo, comment)" })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The member's name (member)" })),
    reason: Type.String({ minLength: 1, maxLength: MAX_REASON_LENGTH * 4 }),
  },
  { additionalProperties: false },
);

export const ReportJson = Type.Object({
  id: Type.String(),
  targetKind: TargetKindJson,
  targetId: Type.String(),
  target: Type.Object({ label: Type.String(), url: Nullable(Type.String()), owner: Nullable(Type.String()), hidden: Type.Boolean(), suspended: Type.Boolean() }),
  reason: Type.String(),
  reporter: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  resolvedAt: Nullable(Type.String({ format: "date-time" })),
  resolvedBy: Nullable(Type.String()),
  resolution: Nullable(Type.String()),
});
/** What a member who reported gets back: not the queue's view of the target. */
export const ReportReceiptJson = Type.Object({ id: Type.String(), targetKind: TargetKindJson, targetId: Type.String(), reason: Type.String(), createdAt: Type.String({ format: "date-time" }) });
export const ReportListJson = Type.Object({ reports: Type.Array(ReportJson) });

export const ReportParams = Type.Object({ id: Id });
export const ResolutionBody = Type.Object(
  { action: Type.Union(ACTIONS.map((a) => Type.Literal(a)), { description: "hide: the photo or comment; suspend: the member, the photo's owner or the comment's author; dismiss" }) },
  { additionalProperties: false },
);

const CsrfField = Type.Optional(Type.String({ maxLength: 200 }));
export const ReportForm = Type.Object({
  targetKind: Type.String({ maxLength: 20 }),
  targetId: Type.Optional(Type.String({ maxLength: 20 })),
  username: Type.Optional(Type.String({ maxLength: 64 })),
  reason: Type.Optional(Type.String({ maxLength: MAX_REASON_LENGTH * 4 })),
  _csrf: CsrfField,
});
export const NewReportQuery = Type.Object({
  targetKind: Type.Optional(Type.String({ maxLength: 20 })),
  targetId: Type.Optional(Type.String({ maxLength: 20 })),
  username: Type.Optional(Type.String({ maxLength: 64 })),
});
export const ResolutionForm = Type.Object({ action: Type.String({ maxLength: 20 }), _csrf: CsrfField });
