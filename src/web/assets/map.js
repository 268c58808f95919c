// Maps, drawn with Leaflet (served by Pinhole itself): the site's map and a member's, fetched
// from /api/v1/map whenever the view moves; a photo's place on its page; and for the owner, the
// location form turned into a map to click on or a marker to drag. Without this script the
// pages keep their lists and the form its latitude and longitude fields. It carries no words of
// its own: the page gives them, in its language (maps/views.ts, mapScriptMessages).
(() => {
  "use strict";
  const settings = document.getElementById("map-settings");
  if (!settings || typeof window.L === "undefined") return;
  const L = window.L;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

  // Leaflet finds its marker images by their file names; ours carry content hashes.
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({ iconUrl: settings.dataset.icon, iconRetinaUrl: settings.dataset.icon2x, shadowUrl: settings.dataset.shadow });

  // The page's words (data-msg-* on #map-settings, in its language): {name} filled in; a plural
  // message is JSON, one text per plural category of the language (as upload.js reads them).
  const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "en");
  function say(name, values) {
    let text = settings.getAttribute("data-msg-" + name) || "";
    if (values && "count" in values && text.startsWith("{\"")) {
      const forms = JSON.parse(text);
      text = forms[plurals.select(values.count)] || forms.other || "";
    }
    return text.replace(/\{(\w+)\}/g, (whole, key) => (values && key in values ? (typeof values[key] === "number" ? numbers.format(values[key]) : String(values[key])) : whole));
  }
  const untitled = say("untitled");
  // Why the API refused, in the page's language (localizedMessage), as upload.js shows it.
  const refusal = (answer, status) => answer?.error?.localizedMessage || answer?.error?.message || say("failed-status", { status });

  const escapeText = (text) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  /**
   * A map on `element`, with the configured tiles if there are any; the container's own
   * background shows without them. Leaflet's own words (zoom buttons, the popup's close
   * button, its credit's title) are replaced by the page's.
   */
  function baseMap(element, options) {
    const map = L.map(element, { minZoom: 0, maxZoom: 19, worldCopyJump: true, zoomControl: false, ...options });
    L.control.zoom({ zoomInTitle: say("zoom-in"), zoomOutTitle: say("zoom-out") }).addTo(map);
    map.attributionControl?.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.on("popupopen", (event) => event.popup.getElement()?.querySelector(".leaflet-popup-close-button")?.setAttribute("aria-label", say("close-popup")));
    if (settings.dataset.tiles) {
      L.tileLayer(settings.dataset.tiles, { maxZoom: 19, attribution: escapeText(settings.dataset.attribution ?? "") }).addTo(map);
    }
    return map;
  }

  /** A popup's content, built as elements: titles are members' text. */
  function photoCard(photo, title) {
    const link = document.createElement("a");
    link.href = photo.pageUrl;
    link.className = "map-photo";
    const img = document.createElement("img");
    img.src = photo.thumbnailUrl;
    img.width = 75;
    img.height = 75;
    img.alt = "";
    link.append(img, document.createTextNode(title));
    return link;
  }

  const wrap = (lon) => ((((lon + 180) % 360) + 360) % 360) - 180;

  /** The view as the API's bbox: longitudes within ±180 (west above east across the antimeridian), latitudes within ±90. */
  function bboxOf(map) {
    const bounds = map.getBounds();
    let west = bounds.getWest();
    let east = bounds.getEast();
    if (east - west >= 360) {
      west = -180;
      east = 180;
    } else {
      west = wrap(west);
      east = wrap(east);
      if (east === -180) east = 180;
      if (west === east) {
        west = -180;
        east = 180;
      }
    }
    const south = Math.max(-90, bounds.getSouth());
    const north = Math.min(90, bounds.getNorth());
    return [west, south, east, north].map((n) => n.toFixed(6)).join(",");
  }

  function browse(element) {
    const status = document.getElementById("map-status");
    const fallback = element.querySelector(".map-fallback");
    if (fallback) fallback.remove();
    const map = baseMap(element, {});
    map.setView([20, 0], 2);
    // The server clusters (GET /api/v1/map): at low zoom it sends counted cells, drawn here as
    // plain markers, and single photos only when the view holds few of them.
    const points = L.layerGroup();
    const clusters = L.layerGroup();
    points.addTo(map);
    clusters.addTo(map);
    let pending = null;
    let fitted = false;

    const clusterIcon = (count) => {
      const size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
      const tier = count < 10 ? "small" : count < 100 ? "medium" : "large";
      return L.divIcon({ className: `map-cluster map-cluster-${tier}`, html: `<span>${Number(count)}</span>`, iconSize: [size, size] });
    };

    async function load() {
      pending?.abort();
      const controller = new AbortController();
      pending = controller;
      const params = new URLSearchParams({ bbox: bboxOf(map), zoom: String(Math.max(0, Math.min(20, Math.round(map.getZoom())))) });
      if (element.dataset.user) params.set("user", element.dataset.user);
      let answer;
      try {
        const response = await fetch(`${element.dataset.api}?${params}`, { headers: { accept: "application/json" }, signal: controller.signal });
        answer = await response.json();
        if (!response.ok) throw new Error(refusal(answer, response.status));
      } catch (error) {
        if (error.name === "AbortError") return;
        if (status) status.textContent = say("load-failed", { reason: error.message });
        return;
      }
      points.clearLayers();
      clusters.clearLayers();
      if (answer.kind === "points") {
        for (const place of samePlaces(answer.points)) points.addLayer(placeMarker(place));
      } else {
        for (const c of answer.clusters) {
          if (c.count === 1 && c.photo) {
            points.addLayer(L.marker([c.latitude, c.longitude], { title: say("one-photo"), alt: say("one-photo") }).bindPopup(photoCard(c.photo, say("one-photo"))));
            continue;
          }
          const marker = L.marker([c.latitude, c.longitude], { icon: clusterIcon(c.count), title: say("cluster", { count: c.count }), keyboard: true });
          marker.on("click", () => map.setView([c.latitude, c.longitude], Math.min(map.getZoom() + 2, 19)));
          clusters.addLayer(marker);
        }
      }
      if (status) status.textContent = say(answer.truncated ? "in-view-truncated" : "in-view", { count: answer.total });
      element.dataset.loaded = String(Number(element.dataset.loaded ?? 0) + 1);
      // A member's map opens on their photos.
      if (!fitted && element.dataset.user && answer.total > 0) {
        fitted = true;
        const places = answer.kind === "points" ? answer.points : answer.clusters;
        const bounds = L.latLngBounds(places.map((p) => [p.latitude, p.longitude]));
        if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 12 });
      }
    }
    map.on("moveend", load);
    void load();
  }

  /** Photos at the very same spot, together: one marker each would hide all but the top one. */
  function samePlaces(photos) {
    const places = new Map();
    for (const photo of photos) {
      const key = `${photo.latitude.toFixed(6)},${photo.longitude.toFixed(6)}`;
      const place = places.get(key);
      if (place) place.push(photo);
      else places.set(key, [photo]);
    }
    return places.values();
  }

  /** One photo's marker, or one for several photos at the same spot whose popup lists them all. */
  function placeMarker(photos) {
    const [first] = photos;
    if (photos.length === 1) {
      const title = first.title || untitled;
      return L.marker([first.latitude, first.longitude], { title, alt: title }).bindPopup(photoCard(first, title));
    }
    const list = document.createElement("ul");
    list.className = "map-photos";
    for (const photo of photos) {
      const item = document.createElement("li");
      item.append(photoCard(photo, photo.title || untitled));
      list.append(item);
    }
    const title = say("cluster", { count: photos.length });
    return L.marker([first.latitude, first.longitude], { title, alt: title }).bindPopup(list);
  }

  function show(element) {
    const at = [Number(element.dataset.latitude), Number(element.dataset.longitude)];
    const map = baseMap(element, { scrollWheelZoom: false });
    map.setView(at, 13);
    L.marker(at, { title: say("where-taken"), alt: say("where-taken") }).addTo(map);
  }

  /** The owner's location form: click on the map to place the photo, drag the marker to move it, save through the API. */
  function pick(form) {
    const latitude = form.querySelector('input[name="latitude"]');
    const longitude = form.querySelector('input[name="longitude"]');
    const visibility = form.querySelector('select[name="visibility"]');
    const id = /\/photos\/[^/]+\/(\d+)\/location$/.exec(form.getAttribute("action") ?? "")?.[1];
    if (!latitude || !longitude || !id) return;
    const element = document.createElement("div");
    element.className = "map location-map";
    element.id = "location-map";
    const help = document.createElement("p");
    help.className = "hint";
    help.textContent = say("place-hint");
    const status = document.createElement("p");
    status.id = "location-status";
    status.setAttribute("role", "status");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.id = "remove-location";
    remove.textContent = say("location-remove");
    const fieldset = form.querySelector("fieldset") ?? form;
    fieldset.prepend(help);
    help.after(element);
    form.append(remove, status);

    // Made when first shown: the form sits in a closed <details> until the owner opens it, and
    // an owner who never does should not load tiles for it.
    let map = null;
    const details = form.closest("details");
    const whenShown = (make) => {
      if (!details || details.open) make();
      else details.addEventListener("toggle", () => details.open && !map && make());
    };
    let marker = null;
    const current = () => {
      const lat = Number(latitude.value);
      const lon = Number(longitude.value);
      return latitude.value.trim() !== "" && longitude.value.trim() !== "" && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
    };
    const place = (at) => {
      if (!map) return;
      if (!marker) {
        marker = L.marker(at, { draggable: true, title: say("photo-place"), alt: say("photo-place") }).addTo(map);
        marker.on("dragend", () => fill(marker.getLatLng()));
      } else marker.setLatLng(at);
    };
    const fill = (latlng) => {
      latitude.value = latlng.lat.toFixed(6);
      longitude.value = L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(6);
      status.textContent = say("location-not-saved");
    };
    whenShown(() => {
      map = baseMap(element, {});
      const start = current();
      if (start) {
        map.setView(start, 13);
        place(start);
      } else map.setView([20, 0], 1);
      map.on("click", (event) => {
        place(event.latlng);
        fill(event.latlng);
      });
    });
    for (const input of [latitude, longitude]) {
      input.addEventListener("change", () => {
        const at = current();
        if (at && map) {
          place(at);
          map.panTo(at);
        }
      });
    }

    const send = async (method, body) => {
      const response = await fetch(`/api/v1/photos/${id}/location`, {
        method,
        credentials: "same-origin",
        headers: { accept: "application/json", "x-csrf-token": csrf, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!response.ok) throw new Error(refusal(await response.json().catch(() => null), response.status));
    };
    const removeLocation = async () => {
      await send("DELETE");
      latitude.value = "";
      longitude.value = "";
      if (marker) {
        marker.remove();
        marker = null;
      }
      status.textContent = say("location-removed");
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const at = current();
        if (!at && latitude.value.trim() === "" && longitude.value.trim() === "") await removeLocation();
        else if (!at) status.textContent = say("location-out-of-range");
        else {
          await send("PUT", { latitude: at[0], longitude: at[1], ...(visibility ? { visibility: visibility.value } : {}) });
          place(at);
          status.textContent = say("location-saved");
        }
      } catch (error) {
        status.textContent = say("location-save-failed", { reason: error.message });
      }
    });
    remove.addEventListener("click", async () => {
      try {
        await removeLocation();
      } catch (error) {
        status.textContent = say("location-remove-failed", { reason: error.message });
      }
    });
  }

  const site = document.getElementById("site-map");
  if (site) browse(site);
  const photo = document.getElementById("photo-map");
  if (photo) show(photo);
  const form = document.getElementById("location-form");
  if (form) pick(form);
})();
