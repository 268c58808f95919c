import { Type } from "@sinclair/typebox";

export const ErrorJson = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

/** The error answers every API route may give, for the OpenAPI description. */
export function withErrors<T extends Record<number, unknown>>(responses: T, ...statuses: number[]): T & Record<number, typeof ErrorJson> {
  const out: Record<number, unknown> = { ...responses };
  for (const status of statuses) out[status] = ErrorJson;
  return out as T & Record<number, typeof ErrorJson>;
}
