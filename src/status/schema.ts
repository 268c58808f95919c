import { Type } from "@sinclair/typebox";
import { INCIDENT_IMPACTS, INCIDENT_STATUSES } from "./presenter.ts";

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const IncidentStatusJson = Type.Union(INCIDENT_STATUSES.map((s) => Type.Literal(s)));
export const IncidentImpactJson = Type.Union(INCIDENT_IMPACTS.map((s) => Type.Literal(s)));

export const IncidentUpdateJson = Type.Object({
  id: Type.Integer(),
  status: IncidentStatusJson,
  body: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
});

export const IncidentJson = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  impact: IncidentImpactJson,
  status: IncidentStatusJson,
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time", description: "The time of the latest update" }),
  resolvedAt: Nullable(Type.String({ format: "date-time" })),
  url: Type.String({ description: "The incident on the status page" }),
  updates: Type.Array(IncidentUpdateJson, { description: "Newest first" }),
});

export const IncidentListJson = Type.Object({
  incidents: Type.Array(IncidentJson, { description: "Open incidents and the most recent ones, newest first" }),
  source: Type.Union([Type.Literal("database"), Type.Literal("copy")], {
    description: "copy: the database did not answer and this is the server's copy on disk, taken at copiedAt",
  }),
  copiedAt: Nullable(Type.String({ format: "date-time" })),
});

export const IncidentListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) });

const Title = Type.String({ minLength: 1, maxLength: 200 });
const Body = Type.String({ minLength: 1, maxLength: 10_000, description: "Plain text shown as written" });

export const CreateIncidentBody = Type.Object({ title: Title, impact: IncidentImpactJson, status: IncidentStatusJson, body: Body }, { additionalProperties: false });
export const IncidentUpdateBody = Type.Object({ status: IncidentStatusJson, body: Body }, { additionalProperties: false });
export const IncidentIdParams = Type.Object({ id: Type.String({ pattern: "^[1-9][0-9]{0,15}$" }) });

export const MaintenanceJson = Type.Object({
  enabled: Type.Boolean(),
  message: Type.String({ description: "Shown on every page and in every refused write while enabled" }),
  since: Nullable(Type.String({ format: "date-time" })),
});
export const MaintenanceBody = Type.Object(
  { enabled: Type.Boolean(), message: Type.Optional(Type.String({ maxLength: 500, description: "Omitted or empty: a standard message" })) },
  { additionalProperties: false },
);

// Forms: every field a string, checked by the service so the form can be shown again with the message.
const CsrfField = Type.Optional(Type.String({ maxLength: 200 }));
export const IncidentForm = Type.Object({
  title: Type.String({ maxLength: 1000 }),
  impact: Type.String({ maxLength: 40 }),
  status: Type.String({ maxLength: 40 }),
  body: Type.String({ maxLength: 20_000 }),
  _csrf: CsrfField,
});
export const IncidentUpdateForm = Type.Object({ status: Type.String({ maxLength: 40 }), body: Type.String({ maxLength: 20_000 }), _csrf: CsrfField });
export const MaintenanceForm = Type.Object({ enabled: Type.Optional(Type.String({ maxLength: 10 })), message: Type.Optional(Type.String({ maxLength: 2000 })), _csrf: CsrfField });
