import { html, type Html } from "../web/html.ts";
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
  return html`<div class="notes" id="notes" data-photo-id="${view.photoId}"${view.canAdd ? html` data-can-add="1"` : null} aria-label="Notes on this photo">
${view.notes.map(
  (note) => html`<div class="note" tabindex="0" data-note-id="${note.id}" data-x="${fraction(note.x)}" data-y="${fraction(note.y)}" data-width="${fraction(note.width)}" data-height="${fraction(note.height)}"${note.canEdit ? html` data-can-edit="1"` : null}><span class="note-text" role="tooltip">${note.text} <small>— ${note.author.username}</small></span></div>`,
)}
</div>`;
}

/** Below the photo, for those adding notes: how to do it, and where answers go. */
export function notesHelp(canAdd: boolean): Html | null {
  if (!canAdd) return null;
  return html`<p class="notes-help" id="notes-help">Add a note: drag a rectangle on the photo, then type the text. Drag your notes to move them.</p><p class="notes-status" id="notes-status" role="status" aria-live="polite"></p>`;
}
