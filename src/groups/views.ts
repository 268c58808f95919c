import { html, type Html } from "../web/html.ts";
import { feedDiscovery } from "../web/feed-links.ts";
import { userText } from "../web/user-text.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { photoGrid } from "../photos/views.ts";
import { THREADS_PER_PAGE, type GroupView, type MemberView, type PoolPage, type ReplyView, type ThreadView } from "./service.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
}

function csrf(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

const ROLE_LABELS = { admin: "admin", moderator: "moderator", member: "member" } as const;

export function groupsPage(view: Shell & { groups: GroupView[]; invitations: GroupView[] }): string {
  const invitations = view.invitations.length
    ? html`<section id="invitations"><h2>You are invited to</h2><ul>${view.invitations.map(
        (g) => html`<li><a href="/groups/${g.slug}">${g.name}</a> <form method="post" action="/groups/${g.slug}/join" class="inline">${csrf(view.csrfToken)}<button type="submit">Join</button></form></li>`,
      )}</ul></section>`
    : null;
  const list = view.groups.length
    ? html`<ul class="groups" id="groups">${view.groups.map(
        (g) => html`<li><a href="/groups/${g.slug}">${g.name}</a> · ${g.memberCount} ${g.memberCount === 1 ? "member" : "members"}${g.privacy === "invitation" ? html` · <span class="badge">by invitation</span>` : null}${g.role ? html` · <span class="badge">${ROLE_LABELS[g.role]}</span>` : null}</li>`,
      )}</ul>`
    : html`<p class="empty">No groups yet.</p>`;
  const create = view.viewer
    ? html`<details class="create-group"><summary>Start a group</summary>
<form method="post" action="/groups" class="stack" id="create-group">${csrf(view.csrfToken)}
<label for="name">Name</label><input id="name" name="name" maxlength="100" required>
<label for="description">Description</label><textarea id="description" name="description" rows="3" maxlength="5000"></textarea>
<label for="privacy">Who can join</label><select id="privacy" name="privacy"><option value="public">Anyone</option><option value="invitation">Only members the admins invite</option></select>
<button type="submit">Start the group</button>
</form></details>`
    : null;
  return page({ ...view, title: "Groups", body: html`<section><h1>Groups</h1>${invitations}${create}${list}</section>` });
}

function membership(group: GroupView, csrfToken: string, viewer: Viewer | null): Html {
  const base = `/groups/${group.slug}`;
  if (!viewer) return html`<p><a href="/login?next=${encodeURIComponent(base)}">Log in</a> to join this group.</p>`;
  if (group.role) {
    return html`<form method="post" action="${base}/leave" class="inline" id="leave-form">${csrf(csrfToken)}<span class="badge">${ROLE_LABELS[group.role]}</span> <button type="submit" class="link">Leave this group</button></form>`;
  }
  if (group.privacy === "public" || group.invited) {
    return html`<form method="post" action="${base}/join" class="inline" id="join-form">${csrf(csrfToken)}${group.invited ? html`You are invited. ` : null}<button type="submit">Join this group</button></form>`;
  }
  return html`<p>This group is by invitation only.</p>`;
}

function poolSection(group: GroupView, pool: PoolPage, csrfToken: string): Html {
  const base = `/groups/${group.slug}`;
  const add = group.role
    ? html`<form method="post" action="${base}/pool" class="inline" id="pool-add">${csrf(csrfToken)}<label for="photoId">Add one of your photos by its number</label> <input id="photoId" name="photoId" inputmode="numeric" pattern="[0-9]+" required> <button type="submit">Add</button></form>`
    : null;
  const pager = pool.nextCursor ? html`<nav class="pager"><a href="${base}?before=${pool.nextCursor}" rel="next">Older photos →</a></nav>` : null;
  return html`<section id="pool"><h2>Pool</h2>${add}${photoGrid(pool.photos)}${pager}</section>`;
}

function threadList(group: GroupView, threads: ThreadView[]): Html {
  const base = `/groups/${group.slug}/discuss`;
  if (threads.length === 0) return html`<p class="empty">No discussions yet.</p>`;
  return html`<ul class="threads">${threads.map((t) => html`<li><a href="${base}/${t.id}">${t.title}</a> by ${t.author} · ${t.replyCount} ${t.replyCount === 1 ? "reply" : "replies"}</li>`)}</ul>`;
}

function membersSection(group: GroupView, members: MemberView[], csrfToken: string): Html {
  const base = `/groups/${group.slug}`;
  const isAdmin = group.role === "admin";
  const invite = isAdmin
    ? html`<form method="post" action="${base}/invitations" class="inline" id="invite-form">${csrf(csrfToken)}<label for="invite-username">Invite a member</label> <input id="invite-username" name="username" required maxlength="64"> <button type="submit">Invite</button></form>`
    : null;
  return html`<section id="members"><h2>Members</h2>${invite}<ul class="members">${members.map(
    (m) => html`<li><a href="/photos/${m.username}">${m.username}</a> <span class="badge">${ROLE_LABELS[m.role]}</span>${
      isAdmin
        ? html` <form method="post" action="${base}/members/${m.username}/role" class="inline">${csrf(csrfToken)}<select name="role" aria-label="Role of ${m.username}">${(["member", "moderator", "admin"] as const).map((r) => html`<option value="${r}"${r === m.role ? html` selected` : null}>${ROLE_LABELS[r]}</option>`)}</select> <button type="submit">Change</button></form>
<form method="post" action="${base}/members/${m.username}/remove" class="inline">${csrf(csrfToken)}<button type="submit" class="danger">Remove</button></form>`
        : null
    }</li>`,
  )}</ul></section>`;
}

export function groupPage(view: Shell & { group: GroupView; pool: PoolPage | null; threads: ThreadView[] | null; members: MemberView[] | null }): string {
  const { group } = view;
  const base = `/groups/${group.slug}`;
  const closed = html`<p class="message">This group is by invitation only: its pool and discussion are open to its members.</p>`;
  return page({
    ...view,
    title: group.name,
    head: group.privacy === "public" ? feedDiscovery([{ path: `${base}/pool/feed`, title: `${group.name}: pool` }]) : undefined,
    body: html`<section class="group-page">
<h1>${group.name}</h1>
<p class="byline">${group.memberCount} ${group.memberCount === 1 ? "member" : "members"}${group.privacy === "invitation" ? html` · <span class="badge">by invitation</span>` : null}</p>
${group.description ? html`<p class="description">${userText(group.description)}</p>` : null}
${membership(group, view.csrfToken, view.viewer)}
${view.pool ? poolSection(group, view.pool, view.csrfToken) : closed}
${view.threads ? html`<section id="discussion"><h2><a href="${base}/discuss">Discussion</a></h2>${threadList(group, view.threads.slice(0, 10))}</section>` : null}
${view.members ? membersSection(group, view.members, view.csrfToken) : null}
</section>`,
  });
}

export function threadsPage(view: Shell & { group: GroupView; threads: ThreadView[]; page: number }): string {
  const { group } = view;
  const base = `/groups/${group.slug}/discuss`;
  const pager =
    view.page > 1 || view.threads.length >= THREADS_PER_PAGE
      ? html`<nav class="pager">${view.page > 1 ? html`<a href="${base}?page=${view.page - 1}" rel="prev">← Newer</a> ` : null}${view.threads.length >= THREADS_PER_PAGE ? html`<a href="${base}?page=${view.page + 1}" rel="next">Older →</a>` : null}</nav>`
      : null;
  const form = group.role
    ? html`<form method="post" action="${base}" class="stack" id="thread-form">${csrf(view.csrfToken)}
<label for="title">Title</label><input id="title" name="title" maxlength="200" required>
<label for="text">Text</label><textarea id="text" name="text" rows="5" maxlength="10000" required></textarea>
<button type="submit">Start the discussion</button></form>`
    : null;
  return page({
    ...view,
    title: `${group.name}: discussion`,
    body: html`<section><p><a href="/groups/${group.slug}">${group.name}</a></p><h1>Discussion</h1>${threadList(group, view.threads)}${pager}${form}</section>`,
  });
}

export function threadPage(view: Shell & { group: GroupView; thread: ThreadView; replies: ReplyView[] }): string {
  const { group, thread } = view;
  const base = `/groups/${group.slug}/discuss/${thread.id}`;
  const remove = (action: string, label: string) => html`<form method="post" action="${action}" class="inline">${csrf(view.csrfToken)}<button type="submit" class="link danger">${label}</button></form>`;
  return page({
    ...view,
    title: `${thread.title} | ${group.name}`,
    body: html`<article class="thread">
<p><a href="/groups/${group.slug}">${group.name}</a> › <a href="/groups/${group.slug}/discuss">Discussion</a></p>
<h1>${thread.title}</h1>
<div class="post" id="thread-text"><p class="byline">${thread.author} · ${thread.createdAt.slice(0, 10)}${thread.canDelete ? remove(`${base}/delete`, "Remove discussion") : null}</p><p>${userText(thread.text)}</p></div>
<ol class="replies">${view.replies.map(
      (r) => html`<li class="post" id="reply-${r.id}"><p class="byline">${r.author} · ${r.createdAt.slice(0, 10)}${r.canDelete ? remove(`${base}/replies/${r.id}/delete`, "Remove") : null}</p><p>${userText(r.text)}</p></li>`,
    )}</ol>
${group.role ? html`<form method="post" action="${base}" class="stack" id="reply-form">${csrf(view.csrfToken)}<label for="text">Reply</label><textarea id="text" name="text" rows="4" maxlength="10000" required></textarea><button type="submit">Reply</button></form>` : null}
</article>`,
  });
}

/** The photo page's part: the groups holding the photo, and for its owner a form to add it to one. */
export function photoGroupsSection(view: {
  photoId: string;
  pagePath: string;
  csrfToken: string;
  holding: Array<{ slug: string; name: string; canRemove: boolean }>;
  canAddTo: Array<{ slug: string; name: string }>;
}): Html | null {
  if (view.holding.length === 0 && view.canAddTo.length === 0) return null;
  const removable = view.holding.filter((g) => g.canRemove);
  const holding = view.holding.length
    ? html`<p>In groups: ${view.holding.map((g, i) => html`${i > 0 ? ", " : ""}<a href="/groups/${g.slug}">${g.name}</a>`)}</p>${removable.map(
        (g) =>
          html`<form method="post" action="/groups/${g.slug}/pool/${view.photoId}/remove" class="inline remove-from-group">${csrf(view.csrfToken)}<input type="hidden" name="next" value="${view.pagePath}"><button type="submit" class="link danger">Remove from ${g.name}</button></form> `,
      )}`
    : null;
  const add = view.canAddTo.length
    ? html`<form method="post" action="/groups/pool" class="inline" id="add-to-group">${csrf(view.csrfToken)}<input type="hidden" name="photoId" value="${view.photoId}"><input type="hidden" name="next" value="${view.pagePath}">
<label for="group-slug">Add to group</label> <select id="group-slug" name="slug">${view.canAddTo.map((g) => html`<option value="${g.slug}">${g.name}</option>`)}</select> <button type="submit">Add</button></form>`
    : null;
  return html`<section class="photo-groups" id="photo-groups">${holding}${add}</section>`;
}
