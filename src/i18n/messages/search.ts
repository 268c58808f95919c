import { defineMessages } from "./domain.ts";

/**
 * Full-text search's refusals (the search page and `GET /api/v1/search`); the page's own words are
 * in the core catalogs (`search.*` in en.ts…). Parameter names and their values (sort, takenFrom,
 * cc-by-4.0…) stay as written: they are what goes in the address.
 */
export const searchMessages = defineMessages({
  en: {
    "search.errors.sort": "sort must be one of {sorts}.",
    "search.errors.tagMode": "tagMode must be all or any.",
    "search.errors.media": "media must be photos, videos or all.",
    "search.errors.license": "license must be a licence id: all-rights-reserved, cc-by-4.0, cc-by-sa-4.0, cc-by-nd-4.0, cc-by-nc-4.0, cc-by-nc-sa-4.0, cc-by-nc-nd-4.0, cc0-1.0 or pdm-1.0.",
    "search.errors.perPage": "perPage must be a whole number from 1 to 100.",
    "search.errors.day": "{field} must be a day, YYYY-MM-DD (such as 2024-05-17).",
    "search.errors.dayOrTime": "{field} must be a day (YYYY-MM-DD) or an ISO 8601 time with its zone (2024-05-17T10:00:00Z).",
    "search.errors.hasLocation": "hasLocation must be true or false.",
  },
  ar: {
    "search.errors.sort": "يجب أن تكون قيمة sort إحدى: {sorts}.",
    "search.errors.tagMode": "يجب أن تكون قيمة tagMode إما all أو any.",
    "search.errors.media": "يجب أن تكون قيمة media إحدى: photos أو videos أو all.",
    "search.errors.license": "يجب أن تكون قيمة license معرّف رخصة: all-rights-reserved أو cc-by-4.0 أو cc-by-sa-4.0 أو cc-by-nd-4.0 أو cc-by-nc-4.0 أو cc-by-nc-sa-4.0 أو cc-by-nc-nd-4.0 أو cc0-1.0 أو pdm-1.0.",
    "search.errors.perPage": "يجب أن تكون قيمة perPage عددًا صحيحًا من 1 إلى 100.",
    "search.errors.day": "يجب أن تكون قيمة {field} يومًا بالصيغة YYYY-MM-DD (مثل 2024-05-17).",
    "search.errors.dayOrTime": "يجب أن تكون قيمة {field} يومًا (YYYY-MM-DD) أو وقتًا بصيغة ISO 8601 مع منطقته الزمنية (2024-05-17T10:00:00Z).",
    "search.errors.hasLocation": "يجب أن تكون قيمة hasLocation إما true أو false.",
  },
  de: {
    "search.errors.sort": "sort muss einer dieser Werte sein: {sorts}.",
    "search.errors.tagMode": "tagMode muss all oder any sein.",
    "search.errors.media": "media muss photos, videos oder all sein.",
    "search.errors.license": "license muss eine Lizenz-ID sein: all-rights-reserved, cc-by-4.0, cc-by-sa-4.0, cc-by-nd-4.0, cc-by-nc-4.0, cc-by-nc-sa-4.0, cc-by-nc-nd-4.0, cc0-1.0 oder pdm-1.0.",
    "search.errors.perPage": "perPage muss eine ganze Zahl von 1 bis 100 sein.",
    "search.errors.day": "{field} muss ein Tag im Format JJJJ-MM-TT sein (etwa 2024-05-17).",
    "search.errors.dayOrTime": "{field} muss ein Tag (JJJJ-MM-TT) oder eine ISO-8601-Zeit mit Zeitzone sein (2024-05-17T10:00:00Z).",
    "search.errors.hasLocation": "hasLocation muss true oder false sein.",
  },
  es: {
    "search.errors.sort": "sort debe ser uno de estos valores: {sorts}.",
    "search.errors.tagMode": "tagMode debe ser all o any.",
    "search.errors.media": "media debe ser photos, videos o all.",
    "search.errors.license": "license debe ser un id de licencia: all-rights-reserved, cc-by-4.0, cc-by-sa-4.0, cc-by-nd-4.0, cc-by-nc-4.0, cc-by-nc-sa-4.0, cc-by-nc-nd-4.0, cc0-1.0 o pdm-1.0.",
    "search.errors.perPage": "perPage debe ser un número entero del 1 al 100.",
    "search.errors.day": "{field} debe ser un día con el formato AAAA-MM-DD (por ejemplo 2024-05-17).",
    "search.errors.dayOrTime": "{field} debe ser un día (AAAA-MM-DD) o una hora ISO 8601 con su zona horaria (2024-05-17T10:00:00Z).",
    "search.errors.hasLocation": "hasLocation debe ser true o false.",
  },
  fr: {
    "search.errors.sort": "sort doit valoir l’une de ces valeurs : {sorts}.",
    "search.errors.tagMode": "tagMode doit valoir all ou any.",
    "search.errors.media": "media doit valoir photos, videos ou all.",
    "search.errors.license": "license doit être un identifiant de licence : all-rights-reserved, cc-by-4.0, cc-by-sa-4.0, cc-by-nd-4.0, cc-by-nc-4.0, cc-by-nc-sa-4.0, cc-by-nc-nd-4.0, cc0-1.0 ou pdm-1.0.",
    "search.errors.perPage": "perPage doit être un nombre entier de 1 à 100.",
    "search.errors.day": "{field} doit être un jour au format AAAA-MM-JJ (par exemple 2024-05-17).",
    "search.errors.dayOrTime": "{field} doit être un jour (AAAA-MM-JJ) ou une heure ISO 8601 avec son fuseau horaire (2024-05-17T10:00:00Z).",
    "search.errors.hasLocation": "hasLocation doit valoir true ou false.",
  },
  ja: {
    "search.errors.sort": "sort には次のいずれかを指定してください: {sorts}。",
    "search.errors.tagMode": "tagMode には all または any を指定してください。",
    "search.errors.media": "media には photos、videos、all のいずれかを指定してください。",
    "search.errors.license": "license にはライセンス ID（all-rights-reserved、cc-by-4.0、cc-by-sa-4.0、cc-by-nd-4.0、cc-by-nc-4.0、cc-by-nc-sa-4.0、cc-by-nc-nd-4.0、cc0-1.0、pdm-1.0 のいずれか）を指定してください。",
    "search.errors.perPage": "perPage には 1 から 100 までの整数を指定してください。",
    "search.errors.day": "{field} には YYYY-MM-DD 形式の日付（例: 2024-05-17）を指定してください。",
    "search.errors.dayOrTime": "{field} には日付（YYYY-MM-DD）か、タイムゾーン付きの ISO 8601 形式の日時（例: 2024-05-17T10:00:00Z）を指定してください。",
    "search.errors.hasLocation": "hasLocation には true または false を指定してください。",
  },
});
