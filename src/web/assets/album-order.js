// An album's order (albums/views.ts): the owner drags photos to a new place, or moves one a
// place with its ◀ and ▶ buttons (keyboard and screen readers); either way the new order is
// sent at once (PUT /api/v1/albums/{id}/order) and the grid keeps it. Without this script
// the buttons are plain forms that move the photo on the server.
(() => {
  "use strict";
  const section = document.getElementById("album");
  const grid = document.getElementById("album-photos");
  if (!section || !grid || section.dataset.partial === "1") return;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
  const status = document.getElementById("album-status");
  const albumId = section.dataset.albumId;
  // The page's words (data-msg-* on the section, in its language), {name} filled in.
  const words = (name, values) => (section.getAttribute("data-msg-" + name) || "").replace(/\{(\w+)\}/g, (whole, key) => (values && key in values ? String(values[key]) : whole));
  const say = (name, values) => {
    if (status) status.textContent = words(name, values);
  };
  const items = () => [...grid.querySelectorAll("li[data-photo-id]")];
  let saved = items().map((li) => li.dataset.photoId);

  async function save() {
    const order = items().map((li) => li.dataset.photoId);
    if (order.join() === saved.join()) return;
    say("saving");
    try {
      const response = await fetch(`/api/v1/albums/${albumId}/order`, {
        method: "PUT",
        credentials: "same-origin",
        headers: { accept: "application/json", "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ photoIds: order }),
      });
      if (!response.ok) {
        // The API says why in the page's language (localizedMessage), as upload.js shows it.
        const data = await response.json().catch(() => null);
        throw new Error(data?.error?.localizedMessage || data?.error?.message || words("server-answered", { status: response.status }));
      }
      saved = order;
      say("saved");
    } catch (error) {
      // Put the grid back as the server has it.
      const byId = new Map(items().map((li) => [li.dataset.photoId, li]));
      for (const id of saved) grid.appendChild(byId.get(id));
      say("not-saved", { reason: error.message });
    }
  }

  // ◀ and ▶: move one place, keep the focus on the moved photo's same button.
  grid.addEventListener("submit", (event) => {
    const form = event.target;
    const direction = form.querySelector('input[name="direction"]')?.value;
    if (!direction) return;
    event.preventDefault();
    const li = form.closest("li");
    const sibling = direction === "earlier" ? li.previousElementSibling : li.nextElementSibling;
    if (!sibling || !sibling.matches("li[data-photo-id]")) {
      say(direction === "earlier" ? "already-first" : "already-last");
      return;
    }
    if (direction === "earlier") grid.insertBefore(li, sibling);
    else grid.insertBefore(sibling, li);
    li.querySelector(direction === "earlier" ? ".move-earlier" : ".move-later")?.focus();
    void save();
  });

  // Drag and drop: the photo dragged goes before the one dropped on (after it, past its middle).
  let dragged = null;
  for (const li of items()) {
    li.draggable = true;
    for (const a of li.querySelectorAll("a, img")) a.draggable = false;
  }
  grid.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li[data-photo-id]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.photoId);
  });
  grid.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  });
  grid.addEventListener("drop", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const target = event.target.closest("li[data-photo-id]");
    if (target && target !== dragged) {
      const box = target.getBoundingClientRect();
      const after = event.clientX > box.left + box.width / 2;
      grid.insertBefore(dragged, after ? target.nextElementSibling : target);
    }
  });
  grid.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    void save();
  });
})();
