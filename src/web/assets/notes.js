// Notes over a photo: places the rectangles (as fractions of the image, through CSS custom
// properties, which the CSP allows), lets members allowed to add notes draw one by dragging on
// the image, and lets authors (and the photo's owner) move theirs by dragging or with arrow keys.
(() => {
  "use strict";
  const overlay = document.getElementById("notes");
  const frame = overlay && overlay.closest(".photo-frame");
  const img = frame && frame.querySelector("img");
  if (!overlay || !img) return;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
  const status = document.getElementById("notes-status");
  const photoId = overlay.dataset.photoId;
  const canAdd = overlay.dataset.canAdd === "1";
  const MIN_SIZE = 0.01;
  const say = (message) => {
    if (status) status.textContent = message;
  };
  // The page's words (data-msg-* on the overlay, in its language), {name} filled in.
  const words = (name, values) => (overlay.getAttribute(`data-msg-${name}`) || "").replace(/\{(\w+)\}/g, (whole, key) => (values && key in values ? String(values[key]) : whole));
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const round = (v) => Math.round(v * 1e6) / 1e6;

  // The overlay covers exactly the image, which the frame centres.
  const fit = () => {
    const f = frame.getBoundingClientRect();
    const r = img.getBoundingClientRect();
    overlay.style.setProperty("--ox", `${r.left - f.left}px`);
    overlay.style.setProperty("--oy", `${r.top - f.top}px`);
    overlay.style.setProperty("--ow", `${r.width}px`);
    overlay.style.setProperty("--oh", `${r.height}px`);
  };
  fit();
  img.addEventListener("load", fit);
  window.addEventListener("resize", fit);
  if ("ResizeObserver" in window) new ResizeObserver(fit).observe(img);

  const rectOf = (el) => ({ x: Number(el.dataset.x), y: Number(el.dataset.y), width: Number(el.dataset.width), height: Number(el.dataset.height) });
  const place = (el, r) => {
    el.dataset.x = String(r.x);
    el.dataset.y = String(r.y);
    el.dataset.width = String(r.width);
    el.dataset.height = String(r.height);
    el.style.setProperty("--x", String(r.x));
    el.style.setProperty("--y", String(r.y));
    el.style.setProperty("--w", String(r.width));
    el.style.setProperty("--h", String(r.height));
  };
  const point = (event) => {
    const b = overlay.getBoundingClientRect();
    return { x: clamp((event.clientX - b.left) / b.width, 0, 1), y: clamp((event.clientY - b.top) / b.height, 0, 1) };
  };

  async function send(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      // A JSON content type with no body (DELETE) is refused by the server as invalid JSON.
      headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), "x-csrf-token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    // The API says why in the page's language (localizedMessage), as upload.js shows it.
    if (!response.ok) throw new Error(data?.error?.localizedMessage || data?.error?.message || words("failed-status", { status: response.status }));
    return data;
  }

  function addDeleteButton(note) {
    const text = note.querySelector(".note-text");
    if (!text || text.querySelector(".note-delete")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link note-delete";
    button.textContent = words("delete");
    button.addEventListener("click", async () => {
      try {
        await send("DELETE", `/api/v1/notes/${note.dataset.noteId}`);
        note.remove();
        say(words("deleted"));
      } catch (error) {
        say(error.message);
      }
    });
    text.append(" ", button);
  }

  function noteElement(json) {
    const note = document.createElement("div");
    note.className = "note";
    note.tabIndex = 0;
    note.dataset.noteId = json.id;
    if (json.canEdit) note.dataset.canEdit = "1";
    const text = document.createElement("span");
    text.className = "note-text";
    text.setAttribute("role", "tooltip");
    const by = document.createElement("small");
    by.textContent = `— ${json.author.username}`;
    text.append(`${json.text} `, by);
    note.append(text);
    place(note, json);
    return note;
  }

  for (const note of overlay.querySelectorAll(".note")) {
    place(note, rectOf(note));
    if (note.dataset.canEdit === "1") addDeleteButton(note);
  }
  overlay.classList.add("ready");
  if (canAdd) overlay.classList.add("can-add");

  let form = null;
  const closeForm = () => {
    form?.draft.remove();
    form?.element.remove();
    form = null;
  };

  function openForm(draft, rect) {
    const element = document.createElement("form");
    element.className = "note-form";
    element.id = "note-form";
    place(element, rect);
    const textarea = document.createElement("textarea");
    textarea.name = "text";
    textarea.rows = 3;
    textarea.maxLength = 500;
    textarea.required = true;
    textarea.setAttribute("aria-label", words("text-label"));
    const buttons = document.createElement("div");
    const save = document.createElement("button");
    save.type = "submit";
    save.textContent = words("save");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link";
    cancel.textContent = words("cancel");
    buttons.append(save, cancel);
    element.append(textarea, buttons);
    overlay.append(element);
    form = { element, draft };
    textarea.focus();
    cancel.addEventListener("click", closeForm);
    element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeForm();
    });
    element.addEventListener("submit", async (event) => {
      event.preventDefault();
      save.disabled = true;
      try {
        const json = await send("POST", `/api/v1/photos/${photoId}/notes`, { ...rect, text: textarea.value });
        closeForm();
        const note = noteElement(json);
        overlay.append(note);
        if (json.canEdit) addDeleteButton(note);
        say(words("saved"));
      } catch (error) {
        save.disabled = false;
        say(error.message);
      }
    });
  }

  async function saveMove(note, before) {
    const r = rectOf(note);
    try {
      await send("PATCH", `/api/v1/notes/${note.dataset.noteId}`, { x: r.x, y: r.y });
      say(words("moved"));
    } catch (error) {
      place(note, before);
      say(error.message);
    }
  }

  let drag = null;
  overlay.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.target.closest(".note-form, button, textarea, .note-text")) return;
    const note = event.target.closest(".note");
    if (note) {
      if (note.dataset.canEdit !== "1") return;
      event.preventDefault();
      overlay.setPointerCapture(event.pointerId);
      drag = { kind: "move", note, start: point(event), before: rectOf(note), moved: false };
      note.classList.add("moving");
      return;
    }
    if (!canAdd) return;
    event.preventDefault();
    closeForm();
    overlay.setPointerCapture(event.pointerId);
    const start = point(event);
    const draft = document.createElement("div");
    draft.className = "note note-draft";
    overlay.append(draft);
    drag = { kind: "draw", start, draft, rect: { x: start.x, y: start.y, width: 0, height: 0 } };
    place(draft, drag.rect);
  });
  overlay.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const p = point(event);
    if (drag.kind === "draw") {
      drag.rect = { x: round(Math.min(p.x, drag.start.x)), y: round(Math.min(p.y, drag.start.y)), width: round(Math.abs(p.x - drag.start.x)), height: round(Math.abs(p.y - drag.start.y)) };
      place(drag.draft, drag.rect);
    } else {
      const b = drag.before;
      const x = round(clamp(b.x + p.x - drag.start.x, 0, 1 - b.width));
      const y = round(clamp(b.y + p.y - drag.start.y, 0, 1 - b.height));
      drag.moved = drag.moved || x !== b.x || y !== b.y;
      place(drag.note, { ...b, x, y });
    }
  });
  const finish = () => {
    const done = drag;
    drag = null;
    if (!done) return;
    if (done.kind === "draw") {
      if (done.rect.width < MIN_SIZE || done.rect.height < MIN_SIZE) done.draft.remove();
      else openForm(done.draft, done.rect);
    } else {
      done.note.classList.remove("moving");
      if (done.moved) void saveMove(done.note, done.before);
    }
  };
  overlay.addEventListener("pointerup", finish);
  overlay.addEventListener("pointercancel", finish);

  // Keyboard: arrow keys move a focused note one hundredth of the image.
  overlay.addEventListener("keydown", (event) => {
    const note = event.target.closest?.(".note[data-can-edit]");
    const step = { ArrowLeft: [-0.01, 0], ArrowRight: [0.01, 0], ArrowUp: [0, -0.01], ArrowDown: [0, 0.01] }[event.key];
    if (!note || !step || event.target !== note) return;
    event.preventDefault();
    const before = rectOf(note);
    place(note, { ...before, x: round(clamp(before.x + step[0], 0, 1 - before.width)), y: round(clamp(before.y + step[1], 0, 1 - before.height)) });
    void saveMove(note, before);
  });
})();
