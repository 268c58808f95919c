import { Type } from "@sinclair/typebox";

export const ReceiveBody = Type.Object({
  source: Type.String({ minLength: 1, maxLength: 2000, description: "The page that links to the photo" }),
  target: Type.String({ minLength: 1, maxLength: 2000, description: "The photo page it links to" }),
});
export const AcceptedJson = Type.Object({ status: Type.Literal("queued"), message: Type.String() });
export const PolicyJson = Type.Object({ policy: Type.Union([Type.Literal("show"), Type.Literal("approve"), Type.Literal("off")], { description: "show: at once; approve: after you approve each; off: not taken" }) });
export const PolicyForm = Type.Object({ policy: Type.String({ maxLength: 20 }), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
export const CsrfForm = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
export const MentionIdParams = Type.Object({ id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });
export const PhotoIdParams = Type.Object({ id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });
export const SavedQuery = Type.Object({ saved: Type.Optional(Type.String({ maxLength: 1 })) });
export const MentionJson = Type.Object({
  id: Type.String(),
  source: Type.String(),
  title: Type.String(),
  author: Type.Union([Type.Object({ name: Type.Union([Type.String(), Type.Null()]), url: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  status: Type.Union([Type.Literal("pending"), Type.Literal("approved")]),
  verifiedAt: Type.String(),
});
export const MentionListJson = Type.Object({ mentions: Type.Array(MentionJson) });
