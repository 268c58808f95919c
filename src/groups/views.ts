import { html, type Html } from "../web/html.ts";
import { feedDiscovery } from "../web/feed-links.ts";
import { userText } from "../web/user-text.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { photoGrid } from "../photos/views.ts";
import { english, type MessageKey, type Messages } from "../i18n/messages.ts";
import { THREADS_PER_PAGE, type GroupView, type MemberView, type PoolPage, type ReplyView, type ThreadView } from "./service.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
  /** The request's language (request.messages()); English when absent. */
  messages?: Messages;
}

function csrf(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

const ROLE_KEYS: Record<NonNullable<GroupView["role"]>, MessageKey> = { admin: "groups.roleAdmin", moderator: "groups.roleModerator", member: "groups.roleMember" };

/** When a post was written, as a date in the page's language. */
function postedAt(iso: string, m: Messages): Html {
  return html`<time datetime="${iso}">${m.date(iso)}</time>`;
}

export function groupsPage(view: Shell & { groups: GroupView[]; invitations: GroupView[] }): string {
  const m = view.messages ?? english();
  const invitations = view.invitations.length
    ? html`<section id="invitations"><h2>${m.t("groups.invitedTo")}</h2><ul>${view.invitations.map(
        (g) => html`<li><a href="/groups/${g.slug}">${g.name}</a> <form method="post" action="/groups/${g.slug}/join" class="inline">${csrf(view.csrfToken)}<button type="submit">${m.t("groups.join")}</button></form></li>`,
      )}</ul></section>`
    : null;
  const list = view.groups.length
    ? html`<ul class="groups" id="groups">${view.groups.map(
        (g) =>
          html`<li><a href="/groups/${g.slug}">${g.name}</a> · ${m.t("groups.memberCount", { count: g.memberCount })}${g.privacy === "invitation" ? html` · <span class="badge">${m.t("groups.byInvitation")}</span>` : null}${g.role ? html` · <span class="badge">${m.t(ROLE_KEYS[g.role])}</span>` : null}</li>`,
      )}</ul>`
    : html`<p class="empty">${m.t("groups.none")}</p>`;
  const create = view.viewer
    ? html`<details class="create-group"><summary>${m.t("groups.start")}</summary>
<form method="post" action="/groups" class="stack" id="create-group">${csrf(view.csrfToken)}
<label for="name">${m.t("groups.name")}</label><input id="name" name="name" maxlength="100" required>
<label for="description">${m.t("form.description")}</label><textarea id="description" name="description" rows="3" maxlength="5000"></textarea>
<label for="privacy">${m.t("groups.whoCanJoin")}</label><select id="privacy" name="privacy"><option value="public">${m.t("groups.privacyPublic")}</option><option value="invitation">${m.t("groups.privacyInvitation")}</option></select>
<button type="submit">${m.t("groups.startSubmit")}</button>
</form></details>`
    : null;
  return page({ ...view, messages: m, title: m.t("groups.title"), body: html`<section><h1>${m.t("groups.title")}</h1>${invitations}${create}${list}</section>` });
}

function membership(group: GroupView, csrfToken: string, viewer: Viewer | null, m: Messages): Html {
  const base = `/groups/${group.slug}`;
  if (!viewer) return html`<p>${m.rich("groups.logInToJoin", { link: (inner) => html`<a href="/login?next=${encodeURIComponent(base)}">${inner}</a>` })}</p>`;
  if (group.role) {
    return html`<form method="post" action="${base}/leave" class="inline" id="leave-form">${csrf(csrfToken)}<span class="badge">${m.t(ROLE_KEYS[group.role])}</span> <button type="submit" class="link">${m.t("groups.leave")}</button></form>`;
  }
  if (group.privacy === "public" || group.invited) {
    return html`<form method="post" action="${base}/join" class="inline" id="join-form">${csrf(csrfToken)}${group.invited ? html`${m.t("groups.youAreInvited")} ` : null}<button type="submit">${m.t("groups.joinThis")}</button></form>`;
  }
  return html`<p>${m.t("groups.invitationOnly")}</p>`;
}

function poolSection(group: GroupView, pool: PoolPage, csrfToken: string, m: Messages): Html {
  const base = `/groups/${group.slug}`;
  const add = group.role
    ? html`<form method="post" action="${base}/pool" class="inline" id="pool-add">${csrf(csrfToken)}<label for="photoId">${m.t("groups.addByNumber")}</label> <input id="photoId" name="photoId" inputmode="numeric" pattern="[0-9]+" required> <button type="submit">${m.t("groups.add")}</button></form>`
    : null;
  const pager = pool.nextCursor ? html`<nav class="pager" aria-label="${m.t("pager.label")}"><a href="${base}?before=${pool.nextCursor}" rel="next">${m.t("pager.older")}</a></nav>` : null;
  return html`<section id="pool"><h2>${m.t("groups.pool")}</h2>${add}${photoGrid(pool.photos, { messages: m })}${pager}</section>`;
}

function threadList(group: GroupView, threads: ThreadView[], m: Messages): Html {
  const base = `/groups/${group.slug}/discuss`;
  if (threads.length === 0) return html`<p class="empty">${m.t("groups.noDiscussions")}</p>`;
  return html`<ul class="threads">${threads.map(
    (t) => html`<li>${m.rich("groups.threadLine", { link: (inner) => html`<a href="${base}/${t.id}">${inner}</a>` }, { title: t.title, author: t.author, count: t.replyCount })}</li>`,
  )}</ul>`;
}

function membersSection(group: GroupView, members: MemberView[], csrfToken: string, m: Messages): Html {
  const base = `/groups/${group.slug}`;
  const isAdmin = group.role === "admin";
  const invite = isAdmin
    ? html`<form method="post" action="${base}/invitations" class="inline" id="invite-form">${csrf(csrfToken)}<label for="invite-username">${m.t("groups.inviteMember")}</label> <input id="invite-username" name="username" required maxlength="64"> <button type="submit">${m.t("groups.invite")}</button></form>`
    : null;
  return html`<section id="members"><h2>${m.t("groups.members")}</h2>${invite}<ul class="members">${members.map(
    (member) => html`<li><a href="/photos/${member.username}">${member.username}</a> <span class="badge">${m.t(ROLE_KEYS[member.role])}</span>${
      isAdmin
        ? html` <form method="post" action="${base}/members/${member.username}/role" class="inline">${csrf(csrfToken)}<select name="role" aria-label="${m.t("groups.roleOf", { username: member.username })}">${(["member", "moderator", "admin"] as const).map((r) => html`<option value="${r}"${r === member.role ? html` selected` : null}>${m.t(ROLE_KEYS[r])}</option>`)}</select> <button type="submit">${m.t("groups.changeRole")}</button></form>
<form method="post" action="${base}/members/${member.username}/remove" class="inline">${csrf(csrfToken)}<button type="submit" class="danger">${m.t("groups.remove")}</button></form>`
        : null
    }</li>`,
  )}</ul></section>`;
}

export function groupPage(view: Shell & { group: GroupView; pool: PoolPage | null; threads: ThreadView[] | null; members: MemberView[] | null }): string {
  const m = view.messages ?? english();
  const { group } = view;
  const base = `/groups/${group.slug}`;
  const closed = html`<p class="message">${m.t("groups.closed")}</p>`;
  return page({
    ...view,
    messages: m,
    title: group.name,
    head: group.privacy === "public" ? feedDiscovery([{ path: `${base}/pool/feed`, title: m.t("groups.poolFeed", { name: group.name }) }]) : undefined,
    body: html`<section class="group-page">
<h1>${group.name}</h1>
<p class="byline">${m.t("groups.memberCount", { count: group.memberCount })}${group.privacy === "invitation" ? html` · <span class="badge">${m.t("groups.byInvitation")}</span>` : null}</p>
${group.description ? html`<p class="description">${userText(group.description)}</p>` : null}
${membership(group, view.csrfToken, view.viewer, m)}
${view.pool ? poolSection(group, view.pool, view.csrfToken, m) : closed}
${view.threads ? html`<section id="discussion"><h2><a href="${base}/discuss">${m.t("groups.discussion")}</a></h2>${threadList(group, view.threads.slice(0, 10), m)}</section>` : null}
${view.members ? membersSection(group, view.members, view.csrfToken, m) : null}
</section>`,
  });
}

export function threadsPage(view: Shell & { group: GroupView; threads: ThreadView[]; page: number }): string {
  const m = view.messages ?? english();
  const { group } = view;
  const base = `/groups/${group.slug}/discuss`;
  const pager =
    view.page > 1 || view.threads.length >= THREADS_PER_PAGE
      ? html`<nav class="pager">${view.page > 1 ? html`<a href="${base}?page=${view.page - 1}" rel="prev">${m.t("groups.newer")}</a> ` : null}${view.threads.length >= THREADS_PER_PAGE ? html`<a href="${base}?page=${view.page + 1}" rel="next">${m.t("groups.older")}</a>` : null}</nav>`
      : null;
  const form = group.role
    ? html`<form method="post" action="${base}" class="stack" id="thread-form">${csrf(view.csrfToken)}
<label for="title">${m.t("form.title")}</label><input id="title" name="title" maxlength="200" required>
<label for="text">${m.t("groups.text")}</label><textarea id="text" name="text" rows="5" maxlength="10000" required></textarea>
<button type="submit">${m.t("groups.startDiscussion")}</button></form>`
    : null;
  return page({
    ...view,
    messages: m,
    title: m.t("groups.discussionTitle", { name: group.name }),
    body: html`<section><p><a href="/groups/${group.slug}">${group.name}</a></p><h1>${m.t("groups.discussion")}</h1>${threadList(group, view.threads, m)}${pager}${form}</section>`,
  });
}

export function threadPage(view: Shell & { group: GroupView; thread: ThreadView; replies: ReplyView[] }): string {
  const m = view.messages ?? english();
  const { group, thread } = view;
  const base = `/groups/${group.slug}/discuss/${thread.id}`;
  const remove = (action: string, label: string) => html`<form method="post" action="${action}" class="inline">${csrf(view.csrfToken)}<button type="submit" class="link danger">${label}</button></form>`;
  return page({
    ...view,
    messages: m,
    title: `${thread.title} | ${group.name}`,
    body: html`<article class="thread">
<p><a href="/groups/${group.slug}">${group.name}</a> › <a href="/groups/${group.slug}/discuss">${m.t("groups.discussion")}</a></p>
<h1>${thread.title}</h1>
<div class="post" id="thread-text"><p class="byline">${thread.author} · ${postedAt(thread.createdAt, m)}${thread.canDelete ? remove(`${base}/delete`, m.t("groups.removeDiscussion")) : null}</p><p>${userText(thread.text)}</p></div>
<ol class="replies">${view.replies.map(
      (r) => html`<li class="post" id="reply-${r.id}"><p class="byline">${r.author} · ${postedAt(r.createdAt, m)}${r.canDelete ? remove(`${base}/replies/${r.id}/delete`, m.t("groups.remove")) : null}</p><p>${userText(r.text)}</p></li>`,
    )}</ol>
${group.role ? html`<form method="post" action="${base}" class="stack" id="reply-form">${csrf(view.csrfToken)}<label for="text">${m.t("groups.reply")}</label><textarea id="text" name="text" rows="4" maxlength="10000" required></textarea><button type="submit">${m.t("groups.reply")}</button></form>` : null}
</article>`,
  });
}

/** The photo page's part: the groups holding the photo, and for its owner a form to add it to one. */
export function photoGroupsSection(view: {
  photoId: string;
  pagePath: string;
  csrfToken: string;
  messages?: Messages;
  holding: Array<{ slug: string; name: string; canRemove: boolean }>;
  canAddTo: Array<{ slug: string; name: string }>;
}): Html | null {
  if (view.holding.length === 0 && view.canAddTo.length === 0) return null;
  const m = view.messages ?? english();
  const removable = view.holding.filter((g) => g.canRemove);
  const links = html`${view.holding.map((g, i) => html`${i > 0 ? m.t("groups.listSeparator") : ""}<a href="/groups/${g.slug}">${g.name}</a>`)}`;
  const holding = view.holding.length
    ? html`<p>${m.rich("groups.inGroups", { list: () => links })}</p>${removable.map(
        (g) =>
          html`<form method="post" action="/groups/${g.slug}/pool/${view.photoId}/remove" class="inline remove-from-group">${csrf(view.csrfToken)}<input type="hidden" name="next" value="${view.pagePath}"><button type="submit" class="link danger">${m.t("groups.removeFrom", { name: g.name })}</button></form> `,
      )}`
    : null;
  const add = view.canAddTo.length
    ? html`<form method="post" action="/groups/pool" class="inline" id="add-to-group">${csrf(view.csrfToken)}<input type="hidden" name="photoId" value="${view.photoId}"><input type="hidden" name="next" value="${view.pagePath}">
<label for="group-slug">${m.t("groups.addTo")}</label> <select id="group-slug" name="slug">${view.canAddTo.map((g) => html`<option value="${g.slug}">${g.name}</option>`)}</select> <button type="submit">${m.t("groups.add")}</button></form>`
    : null;
  return html`<section class="photo-groups" id="photo-groups">${holding}${add}</section>`;
}
