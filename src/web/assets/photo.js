// The photo page without the mouse: Left/Right go to the newer/older photo of the photostream,
// Esc back to the photostream (or out of the lightbox), F full screen; swipes on touch screens;
// a lightbox that fills the window. Every text shown is in the page (photos/views.ts).
(() => {
  "use strict";
  const frame = document.getElementById("photo-frame");
  const img = document.getElementById("photo-image");
  if (!frame || !img) return;
  const openButton = document.getElementById("lightbox-open");
  const closeButton = document.getElementById("lightbox-close");
  const hint = document.getElementById("keys-hint");
  const KEY = "pinhole-lightbox";
  const ratio = img.naturalWidth && img.naturalHeight ? img.naturalWidth / img.naturalHeight : Number(img.getAttribute("width")) / Number(img.getAttribute("height")) || 1;
  const pageSizes = img.sizes;
  const sources = [img, ...frame.querySelectorAll("source")];

  const go = (id) => {
    const link = document.getElementById(id);
    if (!link) return false;
    // The lightbox stays open from photo to photo.
    window.location.href = link.href;
    return true;
  };

  let opener = null;
  // While the lightbox is open, everything behind it is inert: Tab stays on the photo's controls.
  let inerted = [];
  const setInert = (on) => {
    for (const el of inerted) el.inert = false;
    inerted = [];
    if (!on) return;
    for (let node = frame; node.parentElement && node !== document.body; node = node.parentElement) {
      for (const sibling of node.parentElement.children) {
        if (sibling !== node && !sibling.inert && sibling.tagName !== "SCRIPT") {
          sibling.inert = true;
          inerted.push(sibling);
        }
      }
    }
  };
  const setLightbox = (on) => {
    setInert(on);
    frame.classList.toggle("lightbox", on);
    document.body.classList.toggle("has-lightbox", on);
    if (closeButton) closeButton.hidden = !on;
    // Larger files for the larger view: the whole window, not the column under the header.
    const sizes = on ? `min(100vw, calc(100vh * ${ratio.toFixed(3)}))` : pageSizes;
    for (const el of sources) el.sizes = sizes;
    // Whatever is drawn over the photo (notes) follows its new size.
    window.dispatchEvent(new Event("resize"));
    try {
      if (on) sessionStorage.setItem(KEY, "1");
      else sessionStorage.removeItem(KEY);
    } catch {
      /* storage refused: the lightbox just does not follow to the next photo */
    }
    if (on) {
      opener = document.activeElement;
      closeButton?.focus();
    } else if (opener instanceof HTMLElement) {
      opener.focus();
      opener = null;
    }
  };
  const inLightbox = () => frame.classList.contains("lightbox");

  if (openButton) {
    openButton.hidden = false;
    openButton.addEventListener("click", () => setLightbox(true));
  }
  closeButton?.addEventListener("click", () => setLightbox(false));
  if (hint) hint.hidden = false;
  img.addEventListener("click", () => {
    if (!frame.querySelector(".notes.can-add")) setLightbox(!inLightbox());
  });
  try {
    if (sessionStorage.getItem(KEY) === "1") setLightbox(true);
  } catch {
    /* no storage: start outside the lightbox */
  }

  const toggleFullScreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else if (frame.requestFullscreen) frame.requestFullscreen().catch(() => setLightbox(true));
    else setLightbox(true);
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable], .note, .note-form, .leaflet-container")) return;
    let handled = false;
    if (event.key === "ArrowLeft") handled = go("newer");
    else if (event.key === "ArrowRight") handled = go("older");
    else if (event.key === "Escape") {
      if (inLightbox()) setLightbox(false);
      else if (!document.fullscreenElement) go("stream-link");
      handled = true;
    } else if (event.key === "f" || event.key === "F") {
      toggleFullScreen();
      handled = true;
    }
    if (handled) event.preventDefault();
  });

  // A horizontal swipe on the photo moves through the photostream, as the arrow keys do.
  let start = null;
  frame.addEventListener("touchstart", (event) => {
    if (event.touches.length !== 1 || (event.target instanceof Element && event.target.closest(".notes.can-add, .note-form"))) {
      start = null;
      return;
    }
    start = { x: event.touches[0].clientX, y: event.touches[0].clientY };
  }, { passive: true });
  frame.addEventListener("touchend", (event) => {
    if (!start || event.changedTouches.length !== 1) return;
    const dx = event.changedTouches[0].clientX - start.x;
    const dy = event.changedTouches[0].clientY - start.y;
    start = null;
    if (Math.abs(dx) < 50 || Math.abs(dy) > Math.abs(dx) / 2) return;
    go(dx > 0 ? "newer" : "older");
  }, { passive: true });
})();
