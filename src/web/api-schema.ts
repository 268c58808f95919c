import { Type } from "@sinclair/typebox";

export const ErrorJson = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String({ description: "What went wrong, in English whatever the request's language: stable text for logs and bug reports (match on code, not on it)." }),
    localizedMessage: Type.Optional(Type.String({ description: "The same for a person, in the request's language (lang cookie, the member's saved language, then Accept-Language); English where it has no translation." })),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

/** The error answers every API route may give, for the OpenAPI description. */
export function withErrors<T extends Record<number, unknown>>(responses: T, ...statuses: number[]): T & Record<number, typeof ErrorJson> {
  const out: Record<number, unknown> = { ...responses };
  for (const status of statuses) out[status] = ErrorJson;
  return out as T & Record<number, typeof ErrorJson>;
}
