import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { english, type MessageKey, type Messages } from "../i18n/messages.ts";
import type { ApiKeyView, AuthorizeView, Perm } from "./service.ts";

/**
 * A Flickr answer as a tree, rendered as Flickr renders it: `format=rest` as XML, `format=json`
 * as JSON where attributes become properties, text becomes `_content`, and the children named
 * in `lists` are always arrays (even of one or none), as clients index them.
 */
export interface FlickrNode {
  name: string;
  attrs?: Record<string, string | number | null | undefined>;
  text?: string;
  children?: FlickrNode[];
  /** Names of children that form a list: arrays in JSON whatever their number. */
  lists?: string[];
}

export function node(name: string, attrs: FlickrNode["attrs"] = {}, children: FlickrNode[] = [], lists: string[] = []): FlickrNode {
  return { name, attrs, children, lists };
}

export function textNode(name: string, text: string, attrs: FlickrNode["attrs"] = {}): FlickrNode {
  return { name, attrs, text };
}

/** One of Flickr's error answers: HTTP 200, `stat="fail"`, a code and message clients switch on. */
export interface FlickrFailure {
  code: number;
  message: string;
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry are dropped.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "").replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

function xmlOf(n: FlickrNode, indent: string): string {
  const attrs = Object.entries(n.attrs ?? {})
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");
  const children = n.children ?? [];
  if (n.text !== undefined) return `${indent}<${n.name}${attrs}>${escapeXml(n.text)}</${n.name}>`;
  if (children.length === 0) return `${indent}<${n.name}${attrs} />`;
  return `${indent}<${n.name}${attrs}>\n${children.map((c) => xmlOf(c, indent + "\t")).join("\n")}\n${indent}</${n.name}>`;
}

function jsonOf(n: FlickrNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n.attrs ?? {})) if (v !== null && v !== undefined) out[k] = v;
  if (n.text !== undefined) out._content = n.text;
  for (const list of n.lists ?? []) out[list] = [];
  for (const child of n.children ?? []) {
    const value = jsonOf(child);
    if ((n.lists ?? []).includes(child.name)) (out[child.name] as unknown[]).push(value);
    else if (child.name in out) out[child.name] = Array.isArray(out[child.name]) ? [...(out[child.name] as unknown[]), value] : [out[child.name], value];
    else out[child.name] = value;
  }
  return out;
}

export function restOk(nodes: FlickrNode[]): string {
  return `<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">\n${nodes.map((n) => xmlOf(n, "")).join("\n")}\n</rsp>\n`;
}

export function restFail(failure: FlickrFailure): string {
  return `<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="fail">\n\t<err code="${failure.code}" msg="${escapeXml(failure.message)}" />\n</rsp>\n`;
}

export function jsonOk(nodes: FlickrNode[]): Record<string, unknown> {
  const root = jsonOf({ name: "rsp", children: nodes });
  return { ...root, stat: "ok" };
}

export function jsonFail(failure: FlickrFailure): Record<string, unknown> {
  return { stat: "fail", code: failure.code, message: failure.message };
}

/** JSON as Flickr sends it: bare with nojsoncallback=1, else wrapped in the callback (jsonFlickrApi by default). */
export function jsonBody(value: Record<string, unknown>, callback: string | null): string {
  const text = JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return callback === null ? text : `${callback}(${text})`;
}

// ---- pages ----

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
  /** The request's language (request.messages()); English when absent. */
  messages?: Messages;
}

export function appsPage(view: Shell & { keys: ApiKeyView[]; error?: string }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("flickr.appsTitle"),
    body: html`<section class="settings"><h1>${m.t("flickr.appsTitle")}</h1>
<p>${m.rich("flickr.appsIntro", { code: (inner) => html`<code>${inner}</code>` }, { rest: "/services/rest/", upload: "/services/upload/", oauth: "/services/oauth/…" })}</p>
${view.error ? html`<p class="alert error" role="alert">${view.error}</p>` : null}
<form method="post" action="/settings/apps" class="stack" id="new-api-key">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<label for="name">${m.t("flickr.appName")}</label><input id="name" name="name" required maxlength="100">
<button type="submit">${m.t("flickr.createKey")}</button>
</form>
${view.keys.length === 0
  ? html`<p>${m.t("flickr.noKeys")}</p>`
  : html`<table class="api-keys"><thead><tr><th>${m.t("flickr.app")}</th><th>${m.t("flickr.key")}</th><th>${m.t("flickr.secret")}</th><th>${m.t("flickr.created")}</th><th></th></tr></thead><tbody>
${view.keys.map(
  (k) => html`<tr class="api-key"><td>${k.name}</td><td><code class="key">${k.key}</code></td><td><code class="secret">${k.secret}</code></td><td><time datetime="${k.createdAt}">${m.date(k.createdAt)}</time></td>
<td><form method="post" action="/settings/apps/${k.id}/revoke" class="inline"><input type="hidden" name="_csrf" value="${view.csrfToken}"><button type="submit">${m.t("flickr.revoke")}</button></form></td></tr>`,
)}
</tbody></table>`}
</section>`,
  });
}

const PERM_NAME_KEYS: Record<Perm, MessageKey> = { read: "flickr.permRead", write: "flickr.permWrite", delete: "flickr.permDelete" };
const PERM_TEXT_KEYS: Record<Perm, MessageKey> = { read: "flickr.permReadText", write: "flickr.permWriteText", delete: "flickr.permDeleteText" };

export function authorizePage(view: Shell & { request: AuthorizeView; error?: string }): string {
  const m = view.messages ?? english();
  const { request } = view;
  const app = { app: request.appName };
  return page({
    ...view,
    messages: m,
    title: m.t("flickr.allowTitle", app),
    body: html`<section class="settings oauth-authorize"><h1>${m.t("flickr.allowHeading", app)}</h1>
${view.error ? html`<p class="alert error" role="alert">${view.error}</p>` : null}
<p>${m.t("flickr.asks", { app: request.appName, owner: request.appOwner, what: m.t(PERM_TEXT_KEYS[request.perms]) })}</p>
<form method="post" action="/services/oauth/authorize" class="stack" id="oauth-grant">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<input type="hidden" name="oauth_token" value="${request.token}">
<fieldset><legend>${m.t("flickr.whatItMay")}</legend>
${(["read", "write", "delete"] as const).map((p) => html`<label><input type="radio" name="perms" value="${p}" ${p === request.perms ? "checked" : ""}> ${m.t("flickr.permLabel", { name: m.t(PERM_NAME_KEYS[p]), what: m.t(PERM_TEXT_KEYS[p]) })}</label>`)}
</fieldset>
<button type="submit" name="decision" value="grant">${m.t("flickr.allow")}</button>
<button type="submit" name="decision" value="deny" class="secondary">${m.t("flickr.deny")}</button>
</form></section>`,
  });
}

export function verifierPage(view: Shell & { appName: string; verifier: string }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("flickr.allowed"),
    body: html`<section class="settings"><h1>${m.t("flickr.youAllowed", { app: view.appName })}</h1>
<p>${m.rich("flickr.giveCode", { code: (inner) => html`<code id="oauth-verifier">${inner}</code>` }, { verifier: view.verifier })}</p></section>`,
  });
}

export function deniedPage(view: Shell & { appName: string }): Html | string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("flickr.denied"),
    body: html`<section class="settings"><h1>${m.t("flickr.youDenied", { app: view.appName })}</h1><p>${m.t("flickr.getsNothing")}</p></section>`,
  });
}
