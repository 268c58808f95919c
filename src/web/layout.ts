import { html, raw, type Html } from "./html.ts";
import type { Viewer } from "../users/service.ts";
import { assetUrl } from "./assets.ts";
import { english, type Messages } from "../i18n/messages.ts";
import { LOCALE_INFO, LOCALES } from "../i18n/locales.ts";

/**
 * Where a site-wide notice (read-only maintenance) goes on every page. Pages are rendered
 * without it; web/maintenance-guard.ts fills it in as the page leaves, so no view needs to
 * know. User text is escaped, so it can never contain this comment.
 */
const SITE_NOTICE_SLOT = "<!--site-notice-->";

export function withSiteNotice(pageHtml: string, message: string, statusLabel = "Status"): string {
  const notice = html`<div class="site-notice" role="status">${message} <a href="/status">${statusLabel}</a></div>`.value;
  return pageHtml.replace(SITE_NOTICE_SLOT, () => notice);
}

/**
 * Where a member's unread notification count goes in the nav; filled by
 * notifications/routes.ts as the page leaves (like the site notice), so no route's view model
 * has to carry it.
 */
const UNREAD_SLOT = "<!--unread-notifications-->";

export function withUnreadCount(pageHtml: string, unread: number, messages: Messages = english()): string {
  const badge = unread > 0 ? html` <span class="badge" id="unread-count" aria-label="${messages.t("nav.unread", { count: unread })}">${messages.number(unread)}</span>`.value : "";
  return pageHtml.replace(UNREAD_SLOT, () => badge);
}

export interface PageShell {
  title: string;
  viewer: Viewer | null;
  csrfToken: string;
  body: Html;
  scripts?: string[];
  /** Extra <head> elements: canonical links, feeds, meta. */
  head?: Html;
  /**
   * The request's language (request.messages()). A page whose view does not take it yet is
   * still English throughout, shell included, and says so (lang="en"); see ARCHITECTURE.md
   * for the views left to convert.
   */
  messages?: Messages;
}

/** The footer's language picker: a GET form (no JavaScript, no CSRF token: it only sets the `lang` cookie). */
function languagePicker(m: Messages): Html {
  return html`<form method="get" action="/language" class="language-picker" id="language-picker">
<label for="language-select">${m.t("layout.language")}</label>
<select id="language-select" name="lang">${LOCALES.map((code) => html`<option value="${code}" lang="${code}" dir="${LOCALE_INFO[code].dir}"${code === m.locale ? html` selected` : null}>${LOCALE_INFO[code].name}</option>`)}</select>
${m.path ? html`<input type="hidden" name="return" value="${m.path}">` : null}
<button type="submit" class="secondary">${m.t("layout.languageChange")}</button>
</form>`;
}

export function page(shell: PageShell): string {
  const { viewer } = shell;
  const m = shell.messages ?? english();
  const nav = viewer
    ? html`<a href="/explore">${m.t("nav.explore")}</a>
        <a href="/map">${m.t("nav.map")}</a>
        <a href="/activity">${m.t("nav.activity")}</a>
        <a href="/upload">${m.t("nav.upload")}</a>
        <a href="/photos/${viewer.username}">${m.t("nav.yourPhotostream")}</a>
        <a href="/notifications" id="nav-notifications">${m.t("nav.notifications")}${raw(UNREAD_SLOT)}</a>
        <a href="/settings">${m.t("nav.settings")}</a>
        ${viewer.isAdmin ? html`<a href="/admin">${m.t("nav.admin")}</a>` : null}
        <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${shell.csrfToken}"><button type="submit" class="link">${m.t("nav.logOut")}</button></form>`
    : html`<a href="/explore">${m.t("nav.explore")}</a> <a href="/map">${m.t("nav.map")}</a> <a href="/login">${m.t("nav.logIn")}</a> <a href="/signup" class="button">${m.t("nav.signUp")}</a>`;
  return html`<!doctype html>
<html lang="${m.locale}" dir="${m.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${m.t("layout.title", { page: shell.title })}</title>
<link rel="stylesheet" href="${assetUrl("site.css")}">
<link rel="icon" href="${assetUrl("favicon.svg")}" type="image/svg+xml">
${shell.csrfToken ? html`<meta name="csrf-token" content="${shell.csrfToken}">` : null}
${shell.head}
</head>
<body>
<a class="skip-link" href="#main">${m.t("layout.skipLink")}</a>
<header class="site-header"><a href="/" class="brand">Pinhole</a><form method="get" action="/search" class="header-search" role="search"><input type="search" name="q" placeholder="${m.t("layout.searchPlaceholder")}" aria-label="${m.t("layout.searchPlaceholder")}" maxlength="500"> <a href="/search">${m.t("layout.search")}</a></form><nav aria-label="${m.t("layout.siteNav")}">${nav}</nav></header>
${raw(SITE_NOTICE_SLOT)}<main id="main">${shell.body}</main>
<footer class="site-footer"><a href="/api/v1/openapi.json">${m.t("layout.api")}</a>${languagePicker(m)}</footer>
${(shell.scripts ?? []).map((name) => html`<script src="${assetUrl(name)}" defer></script>`)}
</body>
</html>`.value;
}

/** A page that says what went wrong; `message` comes from the error (services' English for now). */
export function errorPage(status: number, message: string, viewer: Viewer | null, csrfToken: string, messages?: Messages): string {
  const m = messages ?? english();
  const title = status === 404 ? m.t("error.notFound") : status >= 500 ? m.t("error.server") : m.t("error.other");
  return page({
    title,
    viewer,
    csrfToken,
    messages: m,
    body: html`<section class="message"><h1>${title}</h1><p>${message}</p><p><a href="/">${m.t("error.backHome")}</a></p></section>`,
  });
}
