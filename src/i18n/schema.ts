import { Type } from "@sinclair/typebox";
import { LOCALES } from "./locales.ts";

const LocaleCode = Type.Union(LOCALES.map((code) => Type.Literal(code)));

export const LocaleSettingJson = Type.Object(
  {
    locale: Type.Union([LocaleCode, Type.Null()], {
      description: `The interface language of your pages: one of ${LOCALES.join(", ")}; null follows your browser's Accept-Language. A language picked in a browser's footer (the lang cookie) still wins on that browser.`,
    }),
  },
  { additionalProperties: false },
);

export const LocaleSettingForm = Type.Object({
  locale: Type.Union([LocaleCode, Type.Literal("")]),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});

export const LanguagePickerQuery = Type.Object({
  lang: LocaleCode,
  return: Type.Optional(Type.String({ maxLength: 2000 })),
});

export const SavedQuery = Type.Object({ saved: Type.Optional(Type.String({ maxLength: 1 })) });
