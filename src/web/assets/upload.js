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

  function batchFields() {
    const data = {};
    for (const name of ["title", "description", "tags", "visibility"]) {
      const value = form.elements[name].value;
      if (value !== "") data[name] = value;
    }
    if (form.elements.restricted && form.elements.restricted.checked) data.restricted = "true";
    return data;
  }

  function enqueue(files) {
    for (const file of Array.from(files || [])) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Upload progress of " + file.name);
      const status = document.createElement("span");
      status.className = "status";
      status.textContent = "Waiting…";
      item.append(name, bar, status);
      list.append(item);
      queue.push({ file, item, bar, status });
    }
    pump();
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

  function send(job) {
    return new Promise((resolve) => {
      const body = new FormData();
      const fields = batchFields();
      for (const [k, v] of Object.entries(fields)) body.append(k, v);
      body.append("file", job.file, job.file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/photos");
      xhr.setRequestHeader("x-csrf-token", csrf);
      xhr.setRequestHeader("accept", "application/json");
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) job.bar.value = Math.round((e.loaded / e.total) * 95);
        job.status.textContent = "Uploading…";
      };
      xhr.upload.onload = () => { job.status.textContent = "Making the sizes…"; };
      xhr.onload = () => {
        let json = null;
        try { json = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
        if (xhr.status === 200 || xhr.status === 201) {
          job.bar.value = 100;
          job.item.classList.add("done");
          const link = document.createElement("a");
          link.href = new URL(json.pageUrl).pathname;
          link.textContent = xhr.status === 201 ? "Uploaded: " + (json.title || "Untitled") : "Already in your photostream";
          job.status.replaceChildren(link);
          uploaded.push(json);
        } else {
          const error = json && json.error;
          // Over quota, trying the same file again cannot help: say why, offer no retry.
          fail(job, (error && error.message) || "The upload failed (" + xhr.status + ").", !(error && error.code === "quota_exceeded"));
        }
        resolve();
      };
      xhr.onerror = () => { fail(job, "The connection failed. Check your network and try again."); resolve(); };
      xhr.send(body);
    });
  }

  function fail(job, message, retryable = true) {
    job.item.classList.add("failed");
    job.status.textContent = "Not uploaded: " + message;
    if (!retryable) return;
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "link";
    retry.textContent = "Retry";
    retry.addEventListener("click", () => {
      job.item.classList.remove("failed");
      job.status.textContent = "Waiting…";
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
      await fetch("/api/v1/photos/" + photo.id, {
        method: "PATCH",
        headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
        body: JSON.stringify(fields),
      });
    }
    button.textContent = "Applied to " + uploaded.length + " photos";
  });
})();
