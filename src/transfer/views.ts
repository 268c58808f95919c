import { html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { english, type MessageKey, type Messages } from "../i18n/messages.ts";
import type { ImportNotice, ImportView } from "./import.ts";
import { sayImportText } from "./import-text.ts";

const STATUS_KEYS: Record<ImportView["status"], MessageKey> = {
  queued: "transfer.statusQueued",
  running: "transfer.statusRunning",
  done: "transfer.statusDone",
  failed: "transfer.statusFailed",
};

const KIND_KEYS: Record<ImportView["entries"][number]["kind"], MessageKey> = {
  photo: "transfer.kindPhoto",
  metadata: "transfer.kindMetadata",
  album: "transfer.kindAlbum",
  contact: "transfer.kindContact",
  fave: "transfer.kindFave",
  account: "transfer.kindAccount",
};

const OUTCOME_KEYS: Record<ImportView["entries"][number]["outcome"], MessageKey> = {
  done: "transfer.outcomeDone",
  skipped: "transfer.outcomeSkipped",
  failed: "transfer.outcomeFailed",
};

const NOTICE_KEYS: Record<ImportNotice, MessageKey> = {
  flickrLicences: "transfer.noticeFlickrLicences",
  flickrLocations: "transfer.noticeFlickrLocations",
  albumsKept: "transfer.noticeAlbumsKept",
};

/** What a notice says, in the given language (the JSON API asks for English). */
export function noticeText(notice: ImportNotice, m: Messages): string {
  return m.t(NOTICE_KEYS[notice]);
}

function megabytes(bytes: number, m: Messages): string {
  return m.t("transfer.megabytes", { mb: m.number(bytes / 1024 / 1024, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
}

/** Export your account, import a zip, and the imports so far. */
export function importsPage(view: { viewer: Viewer; csrfToken: string; messages?: Messages; maxImportMb: number; imports: ImportView[] }): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("transfer.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("transfer.heading")}</h1>
<h2>${m.t("transfer.export")}</h2>
<p>${m.t("transfer.exportIntro")}</p>
<p><a class="button" href="/api/v1/me/export" id="export-link" download>${m.t("transfer.exportLink")}</a></p>
<h2>${m.t("transfer.import")}</h2>
<p>${m.t("transfer.importIntro")}</p>
<form method="post" action="/imports?_csrf=${view.csrfToken}" enctype="multipart/form-data" class="stack" id="import-form">
<label>${m.t("transfer.zipFile")} <input type="file" name="file" accept=".zip,application/zip" required></label>
<small>${m.t("transfer.maxSize", { mb: m.number(view.maxImportMb) })}</small>
<button type="submit">${m.t("transfer.importSubmit")}</button>
</form>
${view.imports.length > 0
  ? html`<h2>${m.t("transfer.yourImports")}</h2><ul id="imports">${view.imports.map(
      (i) =>
        html`<li><a href="/imports/${i.id}">${i.fileName}</a> — ${i.status === "done" ? m.t("transfer.doneWithCounts", { done: i.done, skipped: i.skipped, failed: i.failed }) : m.t(STATUS_KEYS[i.status])}</li>`,
    )}</ul>`
  : null}
<p><a href="/settings">${m.t("transfer.backToSettings")}</a></p></section>`,
  });
}

/** One import's progress; reloads itself every few seconds until it ends. */
export function importPage(view: { viewer: Viewer; csrfToken: string; messages?: Messages; item: ImportView }): string {
  const m = view.messages ?? english();
  const { item } = view;
  const running = item.status === "queued" || item.status === "running";
  const handled = item.done + item.skipped + item.failed;
  const status = m.t(STATUS_KEYS[item.status]);
  const size = megabytes(item.fileBytes, m);
  const format = item.format === null ? null : m.t(item.format === "flickr" ? "transfer.formatFlickr" : "transfer.formatPinhole");
  const progress = { handled, total: item.total };
  return page({
    title: m.t("transfer.importOf", { file: item.fileName }),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    head: running ? html`<meta http-equiv="refresh" content="3">` : undefined,
    body: html`<section class="form-page"><h1>${m.t("transfer.importOf", { file: item.fileName })}</h1>
<p id="import-status" role="status">${format === null ? m.t("transfer.statusLine", { status, size }) : m.t("transfer.statusLineWithFormat", { status, format, size })}</p>
${item.total > 0 ? html`<p><progress max="${item.total}" value="${handled}">${m.t("transfer.progressShort", progress)}</progress> ${m.t("transfer.progress", progress)}</p>` : null}
<dl id="import-counts"><dt>${m.t("transfer.imported")}</dt><dd>${m.number(item.done)}</dd><dt>${m.t("transfer.alreadyHere")}</dt><dd>${m.number(item.skipped)}</dd><dt>${m.t("transfer.failed")}</dt><dd>${m.number(item.failed)}</dd></dl>
${item.error ? html`<p class="alert error" role="alert">${sayImportText(item.error, m)}</p>` : null}
${item.notices.map((n) => html`<p class="alert notice">${noticeText(n, m)}</p>`)}
${item.entries.length > 0
  ? html`<h2>${m.t("transfer.details")}</h2><table id="import-entries"><thead><tr><th>${m.t("transfer.entry")}</th><th>${m.t("transfer.what")}</th><th>${m.t("transfer.outcome")}</th><th>${m.t("transfer.why")}</th></tr></thead><tbody>${item.entries.map(
      (e) => html`<tr><td>${e.entry}</td><td>${m.t(KIND_KEYS[e.kind])}</td><td>${m.t(OUTCOME_KEYS[e.outcome])}</td><td>${e.reason === null ? "" : sayImportText(e.reason, m)}</td></tr>`,
    )}</tbody></table>`
  : null}
<p><a href="/photos/${view.viewer.username}">${m.t("nav.yourPhotostream")}</a> · <a href="/imports">${m.t("transfer.title")}</a></p></section>`,
  });
}
