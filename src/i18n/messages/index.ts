import type { Locale } from "../locales.ts";
import { ar } from "./ar.ts";
import { de } from "./de.ts";
import { en, type Catalog } from "./en.ts";
import { es } from "./es.ts";
import { fr } from "./fr.ts";
import { ja } from "./ja.ts";

export type { Catalog, MessageKey } from "./en.ts";

export const CATALOGS: Record<Locale, Catalog> = { en, ar, de, es, fr, ja };
