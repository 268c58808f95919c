import { AppError } from "../errors.ts";
import { english, type MessageKey, type Messages, type MessageValues } from "../i18n/messages.ts";
import { CATALOGS } from "../i18n/messages/index.ts";

/**
 * What an import says of an entry (its reason) or of itself (why it failed), stored for the member
 * to read later in whatever language they read it in: a catalog message, kept as its key and
 * values. A value may itself be a message: "imported, but its details were not: {reason}" holds
 * the photo service's refusal. Plain text is for what no catalog says (a username, a zip
 * library's own error), and is what rows written before reasons were messages hold.
 */
export type ImportText = string | ImportMessage;

export interface ImportMessage {
  key: MessageKey;
  values?: Record<string, string | number | ImportMessage>;
}

export function importMessage(key: MessageKey, values?: ImportMessage["values"]): ImportMessage {
  return values ? { key, values } : { key };
}

/** Why an entry failed: the error's own message when it has one, else its English text. */
export function importTextOf(error: unknown): ImportText {
  if (error instanceof AppError) {
    const { wording } = error;
    if (!wording) return error.message;
    if (!wording.values) return importMessage(wording.key);
    const values: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(wording.values)) values[name] = value instanceof Date ? value.getTime() : value;
    return importMessage(wording.key, values);
  }
  if ((error as { code?: string }).code === "ENOSPC") return importMessage("transfer.reason.diskFull");
  return error instanceof Error ? error.message : String(error);
}

/**
 * For the text column (import_entries.reason, imports.error): a message as JSON, with its English
 * beside it for a later version that no longer has its key; plain text as it is.
 */
export function storeImportText(text: ImportText | null): string | null {
  if (text === null || typeof text === "string") return text;
  return JSON.stringify({ ...text, en: sayImportText(text, english()) });
}

/** A stored text back: a message whose keys this version knows, else its English, else the plain text. */
export function readImportText(stored: string | null): ImportText | null {
  if (stored === null || !stored.startsWith("{")) return stored;
  let parsed: ImportMessage & { en?: unknown };
  try {
    parsed = JSON.parse(stored) as ImportMessage & { en?: unknown };
  } catch {
    return stored;
  }
  const { en, ...message } = parsed;
  if (isKnown(message)) return message;
  return typeof en === "string" ? en : stored;
}

/** The text in a reader's language. */
export function sayImportText(text: ImportText, m: Messages): string {
  if (typeof text === "string") return text;
  const values: MessageValues = {};
  for (const [name, value] of Object.entries(text.values ?? {})) values[name] = typeof value === "object" ? sayImportText(value, m) : value;
  return m.t(text.key, values);
}

function isKnown(message: unknown): message is ImportMessage {
  if (typeof message !== "object" || message === null) return false;
  const { key, values } = message as { key?: unknown; values?: unknown };
  if (typeof key !== "string" || !(key in CATALOGS.en)) return false;
  if (values === undefined) return true;
  if (typeof values !== "object" || values === null) return false;
  return Object.values(values).every((value) => typeof value === "string" || typeof value === "number" || isKnown(value));
}
