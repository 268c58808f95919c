// Leaflet is most of a photo page's script, and most visitors never look at its map: on a photo
// page, Leaflet and map.js are fetched only when the small map scrolls near the window, or when
// the owner opens the edit form (its location map). The map pages load them at once.
(() => {
  "use strict";
  const settings = document.getElementById("map-settings");
  if (!settings?.dataset.scripts) return;
  let loaded = false;
  const load = () => {
    if (loaded) return;
    loaded = true;
    for (const src of settings.dataset.scripts.split(" ")) {
      const script = document.createElement("script");
      script.src = src;
      script.async = false; // in order: Leaflet before map.js
      document.body.append(script);
    }
  };
  const map = document.getElementById("photo-map");
  if (map && "IntersectionObserver" in window) {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        load();
      }
    }, { rootMargin: "400px" });
    observer.observe(map);
  } else if (map) {
    load();
  }
  const form = document.getElementById("location-form");
  const details = form?.closest("details");
  if (details) {
    if (details.open) load();
    else details.addEventListener("toggle", () => details.open && load(), { once: true });
  }
})();
