import { html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import type { ImportView } from "./import.ts";

const STATUS: Record<ImportView["status"], string> = { queued: "Waiting to start", running: "Importing", done: "Finished", failed: "Failed" };
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Export your account, import a zip, and the imports so far. */
export function importsPage(view: { viewer: Viewer; csrfToken: string; maxImportMb: number; imports: ImportView[] }): string {
  return page({
    title: "Your data",
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    body: html`<section class="form-page"><h1>Your data is yours</h1>
<h2>Export</h2>
<p>One zip of everything: every photo's original, a JSON file per photo (title, description, tags, who may see it, licence, date taken, location, comments, notes), your contacts, faves and albums.</p>
<p><a class="button" href="/api/v1/me/export" id="export-link" download>Download your account as a zip</a></p>
<h2>Import</h2>
<p>Bring your photos here from Flickr (upload each zip of your Flickr data export, in any order) or from another Pinhole (its export zip). Photos you already have here are not duplicated, and running an import again is safe.</p>
<form method="post" action="/imports?_csrf=${view.csrfToken}" enctype="multipart/form-data" class="stack" id="import-form">
<label>Zip file <input type="file" name="file" accept=".zip,application/zip" required></label>
<small>Up to ${view.maxImportMb.toLocaleString("en-US")} MB a zip.</small>
<button type="submit">Import</button>
</form>
${view.imports.length > 0
  ? html`<h2>Your imports</h2><ul id="imports">${view.imports.map(
      (i) => html`<li><a href="/imports/${i.id}">${i.fileName}</a> — ${STATUS[i.status]}${i.status === "done" ? html`: ${i.done} imported, ${i.skipped} already here, ${i.failed} failed` : null}</li>`,
    )}</ul>`
  : null}
<p><a href="/settings">Back to settings</a></p></section>`,
  });
}

/** One import's progress; reloads itself every few seconds until it ends. */
export function importPage(view: { viewer: Viewer; csrfToken: string; item: ImportView }): string {
  const { item } = view;
  const running = item.status === "queued" || item.status === "running";
  const handled = item.done + item.skipped + item.failed;
  return page({
    title: `Import of ${item.fileName}`,
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    head: running ? html`<meta http-equiv="refresh" content="3">` : undefined,
    body: html`<section class="form-page"><h1>Import of ${item.fileName}</h1>
<p id="import-status" role="status">${STATUS[item.status]}${item.format ? html` (${item.format === "flickr" ? "Flickr data export" : "Pinhole export"})` : null}, ${mb(item.fileBytes)}</p>
${item.total > 0 ? html`<p><progress max="${item.total}" value="${handled}">${handled} of ${item.total}</progress> ${handled} of ${item.total} photo files</p>` : null}
<dl id="import-counts"><dt>Imported</dt><dd>${item.done}</dd><dt>Already here</dt><dd>${item.skipped}</dd><dt>Failed</dt><dd>${item.failed}</dd></dl>
${item.error ? html`<p class="alert error" role="alert">${item.error}</p>` : null}
${item.notices.map((n) => html`<p class="alert notice">${n}</p>`)}
${item.entries.length > 0
  ? html`<h2>Details</h2><table id="import-entries"><thead><tr><th>Entry</th><th>What</th><th>Outcome</th><th>Why</th></tr></thead><tbody>${item.entries.map(
      (e) => html`<tr><td>${e.entry}</td><td>${e.kind}</td><td>${e.outcome}</td><td>${e.reason ?? ""}</td></tr>`,
    )}</tbody></table>`
  : null}
<p><a href="/photos/${view.viewer.username}">Your photostream</a> · <a href="/imports">Your data</a></p></section>`,
  });
}
