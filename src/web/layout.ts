import { html, raw, type Html } from "./html.ts";
import type { Viewer } from "../users/service.ts";
import { assetUrl } from "./assets.ts";

/**
 * Where a site-wide notice (read-only maintenance) goes on every page. Pages are rendered
 * without it; web/maintenance-guard.ts fills it in as the page leaves, so no view needs to
 * know. User text is escaped, so it can never contain this comment.
 */
const SITE_NOTICE_SLOT = "<!--site-notice-->";

export function withSiteNotice(pageHtml: string, message: string): string {
  const notice = html`<div class="site-notice" role="status">${message} <a href="/status">Status</a></div>`.value;
  return pageHtml.replace(SITE_NOTICE_SLOT, () => notice);
}

/**
 * Where a member's unread notification count goes in the nav; filled by
 * notifications/routes.ts as the page leaves (like the site notice), so no route's view model
 * has to carry it.
 */
const UNREAD_SLOT = "<!--unread-notifications-->";

export function withUnreadCount(pageHtml: string, unread: number): string {
  const badge = unread > 0 ? html` <span class="badge" id="unread-count" aria-label="${unread} unread">${unread}</span>`.value : "";
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
}

export function page(shell: PageShell): string {
  const { viewer } = shell;
  const nav = viewer
    ? html`<a href="/explore">Explore</a>
        <a href="/map">Map</a>
        <a href="/activity">Activity</a>
        <a href="/upload">Upload</a>
        <a href="/photos/${viewer.username}">Your photostream</a>
        <a href="/notifications" id="nav-notifications">Notifications${raw(UNREAD_SLOT)}</a>
        <a href="/settings">Settings</a>
        ${viewer.isAdmin ? html`<a href="/admin">Admin</a>` : null}
        <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${shell.csrfToken}"><button type="submit" class="link">Log out</button></form>`
    : html`<a href="/explore">Explore</a> <a href="/map">Map</a> <a href="/login">Log in</a> <a href="/signup" class="button">Sign up</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${shell.title} | Pinhole</title>
<link rel="stylesheet" href="${assetUrl("site.css")}">
<link rel="icon" href="${assetUrl("favicon.svg")}" type="image/svg+xml">
${shell.csrfToken ? html`<meta name="csrf-token" content="${shell.csrfToken}">` : null}
${shell.head}
</head>
<body>
<a class="skip-link" href="#main">Skip to the content</a>
<header class="site-header"><a href="/" class="brand">Pinhole</a><form method="get" action="/search" class="header-search" role="search"><input type="search" name="q" placeholder="Search photos" aria-label="Search photos" maxlength="500"> <a href="/search">Search</a></form><nav aria-label="Site">${nav}</nav></header>
${raw(SITE_NOTICE_SLOT)}<main id="main">${shell.body}</main>
<footer class="site-footer"><a href="/api/v1/openapi.json">API</a></footer>
${(shell.scripts ?? []).map((name) => html`<script src="${assetUrl(name)}" defer></script>`)}
</body>
</html>`.value;
}

export function errorPage(status: number, message: string, viewer: Viewer | null, csrfToken: string): string {
  const title = status === 404 ? "Not found" : status >= 500 ? "Something went wrong" : "That did not work";
  return page({
    title,
    viewer,
    csrfToken,
    body: html`<section class="message"><h1>${title}</h1><p>${message}</p><p><a href="/">Back to the home page</a></p></section>`,
  });
}
