// The uploader: many files by picker or drag and drop, two at a time, a progress bar and a
// clear message per file; the batch fields go with every file and can be applied afterwards.
(() => {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("file");
  const list = document.getElementById("upload-list");
  const dropZone = document.getElementById("drop-zone");
  const after = document.getElementById("after-upload");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const CONCURRENCY = 2;
  const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "en");
  // The page's words (data-msg-* on the form, in its language): {name} filled in; a plural
  // message is JSON, one text per plural category of the language.
  function say(name, values) {
    let text = form.getAttribute("data-msg-" + name) || "";
    if (values && "count" in values && text.startsWith("{\"")) {
      const forms = JSON.parse(text);
      text = forms[plurals.select(values.count)] || forms.other || "";
    }
    return text.replace(/\{(\w+)\}/g, (whole, key) => (values && key in values ? (typeof values[key] === "number" ? numbers.format(values[key]) : String(values[key])) : whole));
  }
  const queue = [];
  const uploaded = [];
  let running = 0;

  input.required = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    enqueue(input.files);
    input.value = "";
  });
  input.addEventListener("change", () => {
    enqueue(input.files);
    input.value = "";
  });

  // Dropping anywhere on the page works; the zone only shows where.
  let depth = 0;
  document.addEventListener("dragenter", (e) => { if (hasFiles(e)) { depth++; document.body.classList.add("dragging"); } });
  document.addEventListener("dragleave", () => { if (--depth <= 0) { depth = 0; document.body.classList.remove("dragging"); } });
  document.addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
  document.addEventListener("drop", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    document.body.classList.remove("dragging");
    enqueue(e.dataTransfer.files);
  });
  dropZone.addEventListener("keydown", (e) => { if (e.key === "Enter") input.click(); });

  function hasFiles(e) {
    return e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
  }

  function batchFields(job) {
    const data = {};
    for (const name of ["title", "description", "tags", "visibility"]) {
      const value = form.elements[name].value;
      if (value !== "") data[name] = value;
    }
    if (form.elements.restricted && form.elements.restricted.checked) data.restricted = "true";
    if (job && job.title.value.trim() !== "") data.title = job.title.value.trim();
    if (job) job.sentTitle = data.title ?? null;
    return data;
  }

  // Each file's row comes from the page's <template> (its words are the page's): a thumbnail
  // read from the file itself, its own title (editable while it uploads, saved once it is up),
  // its progress bar and status; one bar for the whole batch.
  const template = document.getElementById("upload-item");
  const total = document.getElementById("upload-total");
  const totalBar = document.getElementById("upload-total-bar");
  const totalCount = document.getElementById("upload-total-count");
  const jobs = [];
  let nextId = 0;

  function enqueue(files) {
    for (const file of Array.from(files || [])) {
      const item = template.content.firstElementChild.cloneNode(true);
      const id = "upload-" + nextId++;
      const name = item.querySelector(".name");
      name.textContent = file.name;
      name.id = id + "-name";
      const bar = item.querySelector("progress");
      bar.setAttribute("aria-labelledby", name.id);
      const title = item.querySelector(".item-title input");
      title.id = id + "-title";
      item.querySelector(".item-title label").htmlFor = title.id;
      const thumb = item.querySelector(".thumb");
      if (/^image\/(jpeg|png|gif|webp|avif)$/.test(file.type)) {
        const url = URL.createObjectURL(file);
        thumb.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
        thumb.addEventListener("error", () => { URL.revokeObjectURL(url); thumb.hidden = true; }, { once: true });
        thumb.src = url;
      } else {
        thumb.hidden = true;
      }
      const status = item.querySelector(".status");
      list.append(item);
      const job = { file, item, bar, status, title, sentTitle: null, photo: null };
      title.addEventListener("change", () => saveTitle(job));
      jobs.push(job);
      queue.push(job);
    }
    total.hidden = jobs.length === 0;
    updateTotal();
    pump();
  }

  function updateTotal() {
    const bytes = jobs.reduce((sum, j) => sum + j.file.size, 0) || 1;
    const sent = jobs.reduce((sum, j) => sum + (j.bar.value / 100) * j.file.size, 0);
    totalBar.value = Math.round((sent / bytes) * 100);
    totalCount.textContent = jobs.filter((j) => j.item.classList.contains("done")).length + " / " + jobs.length;
  }

  /** A title typed after the file went up is saved on its own. */
  function saveTitle(job) {
    const title = job.title.value.trim();
    if (!job.photo || title === "" || title === job.sentTitle) return;
    fetch("/api/v1/photos/" + job.photo.id, {
      method: "PATCH",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
      body: JSON.stringify({ title }),
    }).then((response) => {
      if (response.ok) job.sentTitle = title;
    });
  }

  function pump() {
    while (running < CONCURRENCY && queue.length > 0) {
      running++;
      send(queue.shift()).finally(() => {
        running--;
        pump();
        if (running === 0 && queue.length === 0 && uploaded.length > 0) showAfter();
      });
    }
  }

  // Large files go by tus (resumable): a dropped connection resumes where it stopped, and a
  // reload of the page picks the upload up again, found by the file's name, size and date.
  const RESUMABLE_FROM = 5 * 1024 * 1024;
  const CHUNK_BYTES = 2 * 1024 * 1024;
  const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000];

  function send(job) {
    const sending = job.file.size >= RESUMABLE_FROM ? sendResumable(job) : sendMultipart(job);
    return sending.then(
      ({ status, json }) => finish(job, status, json),
      (message) => fail(job, message),
    );
  }

  function finish(job, status, json) {
    if (status === 200 || status === 201) {
      job.bar.value = 100;
      job.item.classList.add("done");
      job.photo = json;
      if (job.sentTitle === null) job.sentTitle = json.title;
      saveTitle(job);
      updateTotal();
      const link = document.createElement("a");
      link.href = new URL(json.pageUrl).pathname;
      link.textContent = status === 201 ? say("uploaded", { title: json.title || say("untitled") }) : say("duplicate");
      job.status.replaceChildren(link);
      uploaded.push(json);
      return;
    }
    const error = json && json.error;
    // The API says why in the page's language (localizedMessage: the request carries the page's
    // cookie and Accept-Language), with the refusal's own details: which format, which limit.
    // Over quota, trying the same file again cannot help: say why, offer no retry.
    const reason = error && (error.localizedMessage || error.message);
    fail(job, reason || say("failed-status", { status: String(status) }), !(error && error.code === "quota_exceeded"));
  }

  function parse(text) {
    try { return JSON.parse(text); } catch { return null; }
  }

  function request(method, url, headers, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      for (const [k, v] of Object.entries({ "x-csrf-token": csrf, accept: "application/json", ...headers })) xhr.setRequestHeader(k, v);
      if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new Error("network"));
      xhr.send(body === undefined ? null : body);
    });
  }

  function sendMultipart(job) {
    const body = new FormData();
    for (const [k, v] of Object.entries(batchFields(job))) body.append(k, v);
    body.append("file", job.file, job.file.name);
    job.status.textContent = say("uploading");
    return request("POST", "/api/v1/photos", {}, body, (loaded) => { job.bar.value = Math.round((loaded / job.file.size) * 95); updateTotal(); }).then(
      (xhr) => ({ status: xhr.status, json: parse(xhr.responseText) }),
      () => Promise.reject(say("connection-failed")),
    );
  }

  function metadataHeader(fields) {
    const utf8 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
    return Object.entries(fields).map(([k, v]) => k + " " + utf8(v)).join(",");
  }

  async function sendResumable(job) {
    const { file } = job;
    const TUS = { "tus-resumable": "1.0.0" };
    const key = "pinhole-upload:" + [file.name, file.size, file.lastModified].join(":");
    let url = localStorage.getItem(key);
    let offset = 0;
    let failures = 0;
    job.status.textContent = say("uploading-resumable");
    for (;;) {
      try {
        if (url) {
          const head = await request("HEAD", url, TUS);
          // 423: another request (the one whose connection dropped, on this server or another) still holds it.
          if (head.status === 423) throw new Error("busy");
          if (head.status === 200) offset = Number(head.getResponseHeader("upload-offset"));
          else { url = null; offset = 0; localStorage.removeItem(key); }
          // Every byte is in and a request is making the photo: ask again in a moment rather than at once.
          if (url && offset >= file.size) throw new Error("finishing");
        }
        if (!url) {
          const created = await request("POST", "/api/v1/uploads", { ...TUS, "upload-length": String(file.size), "upload-metadata": metadataHeader({ filename: file.name, ...batchFields(job) }) });
          if (created.status !== 201) return { status: created.status, json: parse(created.responseText) };
          url = new URL(created.getResponseHeader("location"), window.location.href).pathname;
          localStorage.setItem(key, url);
        }
        while (offset < file.size) {
          const chunk = file.slice(offset, offset + CHUNK_BYTES);
          const start = offset;
          const patched = await request("PATCH", url, { ...TUS, "upload-offset": String(offset), "content-type": "application/offset+octet-stream" }, chunk, (loaded) => {
            job.bar.value = Math.round(((start + loaded) / file.size) * 95);
            updateTotal();
          });
          if (patched.status === 200 || patched.status === 201) {
            localStorage.removeItem(key);
            return { status: patched.status, json: parse(patched.responseText) };
          }
          // The offset moved (a dropped request's bytes arrived after all) or the upload is busy: ask again where it stands.
          if (patched.status === 409 || patched.status === 423) throw new Error("resume");
          if (patched.status !== 204) {
            if (patched.status >= 400 && patched.status < 500) localStorage.removeItem(key);
            return { status: patched.status, json: parse(patched.responseText) };
          }
          offset = Number(patched.getResponseHeader("upload-offset"));
          failures = 0;
          if (offset >= file.size) job.status.textContent = say("making-sizes");
        }
      } catch {
        // The connection dropped (or the upload was busy): wait, ask the server how far it got, and go on from there.
        if (failures >= RETRY_DELAYS_MS.length) throw say("keeps-failing");
        job.status.textContent = say("resuming");
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[failures++]));
      }
    }
  }

  function fail(job, message, retryable = true) {
    job.item.classList.add("failed");
    job.status.textContent = say("not-uploaded", { reason: message });
    if (!retryable) return;
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "link";
    retry.textContent = say("retry");
    retry.addEventListener("click", () => {
      job.item.classList.remove("failed");
      job.status.textContent = say("waiting");
      job.bar.value = 0;
      queue.push(job);
      pump();
    });
    job.status.append(" ", retry);
  }

  function showAfter() {
    after.hidden = false;
    const first = uploaded[0];
    document.getElementById("see-photostream").href = "/photos/" + first.owner.username;
  }

  document.getElementById("apply-batch").addEventListener("click", async (e) => {
    const button = e.currentTarget;
    button.disabled = true;
    const fields = { ...batchFields(), restricted: Boolean(form.elements.restricted && form.elements.restricted.checked) };
    for (const photo of uploaded) {
      // A title given to one file stays its own.
      const own = jobs.find((j) => j.photo && j.photo.id === photo.id && j.title.value.trim() !== "");
      await fetch("/api/v1/photos/" + photo.id, {
        method: "PATCH",
        headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
        body: JSON.stringify(own ? { ...fields, title: own.title.value.trim() } : fields),
      });
    }
    button.textContent = say("applied", { count: uploaded.length });
  });
})();
