import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { NOTE_PERMISSIONS, type NotePermission } from "./rules.ts";
import type { NoteView } from "./service.ts";

/** Formats a fraction for a data attribute; notes.js turns it into a CSS custom property. */
const fraction = (value: number) => String(Math.round(value * 1e6) / 1e6);

/**
 * The notes over a photo: each a focusable rectangle whose text shows on hover or focus.
 * The CSP forbids inline styles, so the rectangles carry their place as data attributes and
 * notes.js sets them as CSS custom properties (percentages of the image, so they fit every size).
 */
export function notesOverlay(view: { photoId: string; notes: NoteView[]; canAdd: boolean }): Html | null {
  if (view.notes.length === 0 && !view.canAdd) return null;
  return html`<div class="notes" id="notes" role="group" data-photo-id="${view.photoId}"${view.canAdd ? html` data-can-add="1"` : null} aria-label="Notes on this photo">
${view.notes.map(
  (note) => html`<div class="note" tabindex="0" data-note-id="${note.id}" data-x="${fraction(note.x)}" data-y="${fraction(note.y)}" data-width="${fraction(note.width)}" data-height="${fraction(note.height)}"${note.canEdit ? html` data-can-edit="1"` : null}><span class="note-text" role="tooltip">${note.text} <small>— ${note.importedAuthor ?? note.author.username}</small></span></div>`,
)}
</div>`;
}

/** Below the photo, for those adding notes: how to do it, and where answers go. */
export function notesHelp(canAdd: boolean, isOwner: boolean): Html | null {
  if (!canAdd) return null;
  return html`<p class="notes-help" id="notes-help">Add a note: drag a rectangle on the photo, then type the text. Drag your notes to move them.${isOwner ? html` <a href="/settings/notes">Choose who may add notes to your photos</a>.` : null}</p><p class="notes-status" id="notes-status" role="status" aria-live="polite"></p>`;
}

const PERMISSION_LABELS: Record<NotePermission, string> = {
  owner: "Only you",
  contacts: "Your contacts (members you added)",
  friends: "Your friends and family (contacts you marked so)",
  everyone: "Every member",
};

/** The member's choice of who may add notes to their photos, as a plain form. */
export function noteSettingsPage(view: { viewer: Viewer; csrfToken: string; permission: NotePermission; saved: boolean }): string {
  return page({
    title: "Notes on your photos",
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    body: html`<section class="form-page"><h1>Notes on your photos</h1>
${view.saved ? html`<p class="alert notice" role="status">Saved.</p>` : null}
<form method="post" action="/settings/notes" class="stack" id="note-settings">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<fieldset><legend>Who may add notes to your photos</legend>
${NOTE_PERMISSIONS.map((p) => html`<label><input type="radio" name="permission" value="${p}"${p === view.permission ? html` checked` : null}> ${PERMISSION_LABELS[p]}</label>`)}
</fieldset>
<small>Whoever adds a note can also move, change and delete it; you can change or delete every note on your photos. Blocked members never can.</small>
<button type="submit">Save</button>
</form>
<p><a href="/settings">Back to settings</a></p></section>`,
  });
}
