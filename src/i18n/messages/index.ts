import { LOCALES, type Locale } from "../locales.ts";
import { accountsMessages } from "./accounts.ts";
import { adminMessages } from "./admin.ts";
import { albumsMessages } from "./albums.ts";
import { ar } from "./ar.ts";
import { de } from "./de.ts";
import type { KeysOf } from "./domain.ts";
import { embedsMessages } from "./embeds.ts";
import { en, type CoreKey } from "./en.ts";
import { errorMessages } from "./errors.ts";
import { es } from "./es.ts";
import { exploreMessages } from "./explore.ts";
import { feedsMessages } from "./feeds.ts";
import { flickrMessages } from "./flickr.ts";
import { fr } from "./fr.ts";
import { groupsMessages } from "./groups.ts";
import { ja } from "./ja.ts";
import { mapsMessages } from "./maps.ts";
import { statusMessages } from "./status.ts";
import { activityMessages } from "./activity.ts";
import { moderationMessages } from "./moderation.ts";
import { notesMessages } from "./notes.ts";
import { notificationsMessages } from "./notifications.ts";
import { socialMessages } from "./social.ts";
import { transferMessages } from "./transfer.ts";
import { webmentionsMessages } from "./webmentions.ts";
import { photosMessages } from "./photos.ts";
import { searchMessages } from "./search.ts";

/**
 * The messages of the layout and the first pages converted live in one file per language
 * (`en.ts`, `ja.ts`…); every other domain's in one file of its own with all languages
 * (`defineMessages` in `domain.ts`), listed here.
 */
const DOMAINS = [
  exploreMessages,
  feedsMessages,
  socialMessages,
  notificationsMessages,
  activityMessages,
  notesMessages,
  moderationMessages,
  groupsMessages,
  albumsMessages,
  transferMessages,
  webmentionsMessages,
  embedsMessages,
  flickrMessages,
  accountsMessages,
  mapsMessages,
  adminMessages,
  statusMessages,
  photosMessages,
  searchMessages,
  errorMessages,
] as const;

export type MessageKey = CoreKey | KeysOf<(typeof DOMAINS)[number]>;

/** A language's whole catalog: every key of English, its own words. */
export type Catalog = Record<MessageKey, string>;

const CORE: Record<Locale, Record<CoreKey, string>> = { en, ar, de, es, fr, ja };

function catalogOf(locale: Locale): Catalog {
  const catalog: Record<string, string> = { ...CORE[locale] };
  for (const domain of DOMAINS as readonly Record<Locale, Record<string, string>>[]) {
    for (const [key, text] of Object.entries(domain[locale])) {
      if (key in catalog) throw new Error(`message "${key}" is defined twice`);
      catalog[key] = text;
    }
  }
  return catalog as Catalog;
}

export const CATALOGS: Record<Locale, Catalog> = Object.fromEntries(LOCALES.map((locale) => [locale, catalogOf(locale)])) as Record<Locale, Catalog>;
