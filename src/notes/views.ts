import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages, type MessageKey } from "../i18n/messages.ts";
import { NOTE_PERMISSIONS, type NotePermission } from "./rules.ts";
import type { NoteView } from "./service.ts";

/** Formats a fraction for a data attribute; notes.js turns it into a CSS custom property. */
const fraction = (value: number) => String(Math.round(value * 1e6) / 1e6);

/** The words notes.js shows, in the page's language (scripts carry no text of their own). */
function notesScriptMessages(m: Messages): Html {
  const keys: Array<[string, MessageKey]> = [
    ["delete", "notes.deleteButton"],
    ["deleted", "notes.deleted"],
    ["text-label", "notes.textLabel"],
    ["save", "notes.saveNote"],
    ["cancel", "notes.cancel"],
    ["saved", "notes.noteSaved"],
    ["moved", "notes.noteMoved"],
    ["failed-status", "notes.serverAnswered"],
  ];
  return html`${keys.map(([name, key]) => html` data-msg-${name}="${m.forScript(key)}"`)}`;
}

/**
 * The notes over a photo: each a focusable rectangle whose text shows on hover or focus.
 * The CSP forbids inline styles, so the rectangles carry their place as data attributes and
 * notes.js sets them as CSS custom properties (percentages of the image, so they fit every size).
 * The script's words come only to those who may add or change a note.
 */
export function notesOverlay(view: { photoId: string; notes: NoteView[]; canAdd: boolean; messages?: Messages }): Html | null {
  if (view.notes.length === 0 && !view.canAdd) return null;
  const m = view.messages ?? english();
  const mayWrite = view.canAdd || view.notes.some((note) => note.canEdit);
  return html`<div class="notes" id="notes" role="group" data-photo-id="${view.photoId}"${view.canAdd ? html` data-can-add="1"` : null} aria-label="${m.t("notes.overlayLabel")}"${mayWrite ? notesScriptMessages(m) : null}>
${view.notes.map(
  (note) => html`<div class="note" tabindex="0" data-note-id="${note.id}" data-x="${fraction(note.x)}" data-y="${fraction(note.y)}" data-width="${fraction(note.width)}" data-height="${fraction(note.height)}"${note.canEdit ? html` data-can-edit="1"` : null}><span class="note-text" role="tooltip">${note.text} <small>— ${note.importedAuthor ?? note.author.username}</small></span></div>`,
)}
</div>`;
}

/** Below the photo, for those adding notes: how to do it, and where answers go. */
export function notesHelp(canAdd: boolean, isOwner: boolean, m: Messages = english()): Html | null {
  if (!canAdd) return null;
  return html`<p class="notes-help" id="notes-help">${m.t("notes.help")}${isOwner ? html` ${m.rich("notes.settingsLink", { link: (inner) => html`<a href="/settings/notes">${inner}</a>` })}` : null}</p><p class="notes-status" id="notes-status" role="status" aria-live="polite"></p>`;
}

const PERMISSION_LABELS: Record<NotePermission, MessageKey> = {
  owner: "notes.permissionOwner",
  contacts: "notes.permissionContacts",
  friends: "notes.permissionFriends",
  everyone: "notes.permissionEveryone",
};

/** The member's choice of who may add notes to their photos, as a plain form. */
export function noteSettingsPage(view: { viewer: Viewer; csrfToken: string; messages?: Messages; permission: NotePermission; saved: boolean }): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("notes.settingsTitle"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("notes.settingsTitle")}</h1>
${view.saved ? html`<p class="alert notice" role="status">${m.t("notes.saved")}</p>` : null}
<form method="post" action="/settings/notes" class="stack" id="note-settings">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<fieldset><legend>${m.t("notes.whoMayAdd")}</legend>
${NOTE_PERMISSIONS.map((p) => html`<label><input type="radio" name="permission" value="${p}"${p === view.permission ? html` checked` : null}> ${m.t(PERMISSION_LABELS[p])}</label>`)}
</fieldset>
<small>${m.t("notes.whoMayChange")}</small>
<button type="submit">${m.t("form.save")}</button>
</form>
<p><a href="/settings">${m.t("notes.backToSettings")}</a></p></section>`,
  });
}
