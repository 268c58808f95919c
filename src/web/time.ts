import { html, type Html } from "./html.ts";
import type { Messages } from "../i18n/messages.ts";

/** To the minute, in UTC, said so: members have no time zone of their own on the site. */
const TO_THE_MINUTE: Intl.DateTimeFormatOptions = { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" };

/** When something happened (a comment, a notification, a report), written the page's language's way. */
export function momentOf(at: number | string, m: Messages): Html {
  const when = new Date(at);
  return html`<time datetime="${when.toISOString()}">${m.date(when, TO_THE_MINUTE)}</time>`;
}
