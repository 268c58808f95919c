import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "./service.ts";
import { english, type Messages } from "../i18n/messages.ts";
import { LOCALE_INFO, LOCALES } from "../i18n/locales.ts";

interface FormPage {
  viewer: Viewer | null;
  csrfToken: string;
  /** The request's language; pages that take it are translated (see i18n/). */
  messages?: Messages;
  error?: string | null;
  notice?: string | null;
}

function alerts(error?: string | null, notice?: string | null): Html {
  return html`${error ? html`<p class="alert error" role="alert">${error}</p>` : null}${notice ? html`<p class="alert notice" role="status">${notice}</p>` : null}`;
}

function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export function signUpPage(view: FormPage & { values: { username?: string; email?: string } }): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("signup.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("signup.heading")}</h1>${alerts(view.error)}
<form method="post" action="/signup" class="stack">${csrfField(view.csrfToken)}
<label for="username">${m.t("form.username")}</label>
<input id="username" name="username" required minlength="3" maxlength="32" pattern="[A-Za-z0-9_\\-]{3,32}" autocomplete="username" value="${view.values.username ?? ""}">
<small>${m.t("signup.usernameHint")}</small>
<label for="email">${m.t("form.email")}</label>
<input id="email" name="email" type="email" required maxlength="254" autocomplete="email" value="${view.values.email ?? ""}">
<label for="password">${m.t("form.password")}</label>
<input id="password" name="password" type="password" required minlength="10" autocomplete="new-password">
<small>${m.t("signup.passwordHint")}</small>
<button type="submit">${m.t("signup.submit")}</button>
</form><p>${m.rich("signup.haveAccount", { link: (inner) => html`<a href="/login">${inner}</a>` })}</p></section>`,
  });
}

export function logInPage(view: FormPage & { values: { username?: string }; next: string }): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("login.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("login.title")}</h1>${alerts(view.error, view.notice)}
<form method="post" action="/login" class="stack">${csrfField(view.csrfToken)}
<input type="hidden" name="next" value="${view.next}">
<label for="username">${m.t("form.username")}</label>
<input id="username" name="username" required maxlength="32" autocomplete="username" value="${view.values.username ?? ""}">
<label for="password">${m.t("form.password")}</label>
<input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit">${m.t("login.submit")}</button>
</form><p><a href="/reset-password">${m.t("login.forgot")}</a> · <a href="/signup">${m.t("nav.signUp")}</a></p></section>`,
  });
}

/**
 * The member's interface language, saved with their account: it follows them to every device
 * where they have not picked one in the footer. "Browser" (no choice) follows Accept-Language.
 */
export function languageSettingsPage(view: FormPage & { viewer: Viewer; saved: boolean }): string {
  const m = view.messages ?? english();
  const current = view.viewer.locale ?? "";
  return page({
    title: m.t("languageSettings.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("languageSettings.title")}</h1>
${view.saved ? html`<p class="alert notice" role="status" id="language-saved">${m.t("languageSettings.saved")}</p>` : null}
<p>${m.t("languageSettings.intro")}</p>
<form method="post" action="/settings/language" class="stack" id="language-form">${csrfField(view.csrfToken)}
<label for="locale">${m.t("languageSettings.label")}</label>
<select id="locale" name="locale"><option value=""${current === "" ? html` selected` : null}>${m.t("languageSettings.browser")}</option>${LOCALES.map((code) => html`<option value="${code}" lang="${code}"${code === current ? html` selected` : null}>${LOCALE_INFO[code].name}</option>`)}</select>
<button type="submit">${m.t("form.save")}</button>
</form></section>`,
  });
}

export function settingsPage(view: FormPage & { viewer: Viewer }): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("nav.settings"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("nav.settings")}</h1>${alerts(view.error, view.notice)}
${view.viewer.emailConfirmed
  ? html`<p>${m.t("settings.emailConfirmed")}</p>`
  : html`<form method="post" action="/settings/confirmation" class="inline">${csrfField(view.csrfToken)}<p>${m.t("settings.emailNotConfirmed")} <button type="submit" class="link">${m.t("settings.resendConfirmation")}</button></p></form>`}
<h2>${m.t("settings.restrictedHeading")}</h2>
<form method="post" action="/settings/restricted" class="stack" id="restricted-form">${csrfField(view.csrfToken)}
<label><input type="checkbox" name="show" value="1" id="show-restricted"${view.viewer.showsRestricted ? html` checked` : null}> ${m.t("settings.showRestricted")}</label>
<button type="submit">${m.t("form.save")}</button>
</form>
<h2>${m.t("settings.passwordHeading")}</h2>
<form method="post" action="/settings/password" class="stack">${csrfField(view.csrfToken)}
<label for="currentPassword">${m.t("settings.currentPassword")}</label>
<input id="currentPassword" name="currentPassword" type="password" required autocomplete="current-password">
<label for="newPassword">${m.t("settings.newPassword")}</label>
<input id="newPassword" name="newPassword" type="password" required minlength="10" autocomplete="new-password">
<button type="submit">${m.t("settings.changePassword")}</button>
</form>
<h2>${m.t("settings.photosHeading")}</h2>
<p><a href="/settings/photos">${m.t("settings.photoDefaultsLink")}</a></p>
<h2>${m.t("languageSettings.title")}</h2>
<p><a href="/settings/language" id="language-settings-link">${m.t("settings.languageLink")}</a></p>
<h2>${m.t("settings.notesHeading")}</h2>
<p><a href="/settings/notes">${m.t("settings.notesLink")}</a></p>
<p><a href="/settings/webmentions">${m.t("settings.webmentionsLink")}</a></p>
<h2>${m.t("settings.appsHeading")}</h2>
<p><a href="/settings/apps">${m.t("settings.appsLink")}</a></p>
<h2>${m.t("settings.dataHeading")}</h2>
<p><a href="/api/v1/me/export" id="export-account" download>${m.t("settings.export")}</a> · <a href="/imports" id="import-photos">${m.t("settings.import")}</a></p></section>`,
  });
}

export function requestResetPage(view: FormPage): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("reset.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("reset.title")}</h1>${alerts(view.error, view.notice)}
<form method="post" action="/reset-password" class="stack">${csrfField(view.csrfToken)}
<label for="account">${m.t("reset.account")}</label>
<input id="account" name="account" required maxlength="254" autocomplete="username">
<button type="submit">${m.t("reset.submit")}</button>
</form></section>`,
  });
}

export function chooseNewPasswordPage(view: FormPage & { token: string }): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("reset.chooseTitle"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("reset.chooseTitle")}</h1>${alerts(view.error)}
<form method="post" action="/reset-password/${view.token}" class="stack">${csrfField(view.csrfToken)}
<label for="password">${m.t("settings.newPassword")}</label>
<input id="password" name="password" type="password" required minlength="10" autocomplete="new-password">
<small>${m.t("signup.passwordHint")}</small>
<button type="submit">${m.t("reset.save")}</button>
</form></section>`,
  });
}

/** A page that only says something: a title and a message. */
function messagePage(view: FormPage & { messages: Messages; title: string; message: string | Html }): string {
  return page({
    title: view.title,
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: view.messages,
    body: html`<section class="message"><h1>${view.title}</h1>${alerts(view.error, view.notice)}<p>${view.message}</p></section>`,
  });
}

export function emailConfirmedPage(view: FormPage): string {
  const m = view.messages ?? english();
  return messagePage({ ...view, messages: m, title: m.t("confirm.doneTitle"), message: m.t("confirm.done") });
}

/** A confirmation link that is unknown, used or expired: a member asks for a new one in their settings. */
export function confirmationFailedPage(view: FormPage): string {
  const m = view.messages ?? english();
  const message = m.rich("confirm.failed", { link: (inner) => html`<a href="/login?next=%2Fsettings">${inner}</a>` });
  return messagePage({ ...view, messages: m, title: m.t("confirm.failedTitle"), message });
}

export function resetLinkExpiredPage(view: FormPage): string {
  const m = view.messages ?? english();
  const message = m.rich("reset.expired", { link: (inner) => html`<a href="/reset-password">${inner}</a>` });
  return messagePage({ ...view, messages: m, title: m.t("reset.expiredTitle"), message });
}
