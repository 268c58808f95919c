import { Type } from "@sinclair/typebox";

const Username = Type.String({ minLength: 1, maxLength: 64 });
const Password = Type.String({ minLength: 1, maxLength: 1000 });

export const PublicUserJson = Type.Object({ id: Type.Number(), username: Type.String(), isAdmin: Type.Boolean() });

export const CreateUserBody = Type.Object(
  { username: Username, email: Type.String({ minLength: 1, maxLength: 254 }), password: Password },
  { additionalProperties: false },
);
export const CreateSessionBody = Type.Object({ username: Username, password: Password }, { additionalProperties: false });
export const SessionJson = Type.Object({ token: Type.String(), user: PublicUserJson });
export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });

export const MeJson = Type.Object({
  id: Type.Number(),
  username: Type.String(),
  isAdmin: Type.Boolean(),
  emailConfirmed: Type.Boolean(),
  showsRestricted: Type.Boolean(),
});
export const RestrictedSettingBody = Type.Object({ show: Type.Boolean({ description: "Show photos marked restricted (not for all audiences)" }) }, { additionalProperties: false });
export const RestrictedSettingJson = Type.Object({ show: Type.Boolean() });

const CsrfField = Type.Optional(Type.String({ maxLength: 200 }));
export const SignUpForm = Type.Object({ username: Type.String({ maxLength: 64 }), email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1000 }), _csrf: CsrfField });
export const LogInForm = Type.Object({ username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 1000 }), next: Type.Optional(Type.String({ maxLength: 2000 })), _csrf: CsrfField });
export const ChangePasswordForm = Type.Object({ currentPassword: Type.String({ maxLength: 1000 }), newPassword: Type.String({ maxLength: 1000 }), _csrf: CsrfField });
export const RequestResetForm = Type.Object({ account: Type.String({ maxLength: 254 }), _csrf: CsrfField });
export const ResetForm = Type.Object({ password: Type.String({ maxLength: 1000 }), _csrf: CsrfField });
export const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100, pattern: "^[A-Za-z0-9_-]+$" }) });
export const RestrictedSettingForm = Type.Object({ show: Type.Optional(Type.String({ maxLength: 10 })), _csrf: CsrfField });
export const CsrfOnlyForm = Type.Object({ _csrf: CsrfField });
