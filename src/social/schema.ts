import { Type } from "@sinclair/typebox";

export const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
export const ContactBody = Type.Object({ friend: Type.Optional(Type.Boolean()), family: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const ContactJson = Type.Object({ username: Type.String(), friend: Type.Boolean(), family: Type.Boolean() });
export const ContactListJson = Type.Object({ contacts: Type.Array(ContactJson) });
