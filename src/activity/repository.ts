import { sql, type Kysely } from "kysely";
import { unplanned } from "../db/database.ts";
import type { Database, PhotoRow } from "../db/schema.ts";
import { ownerActive, visibleTo, withTags, type PhotoRecord } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";

export interface ActivityRow {
  kind: "fave" | "comment" | "note" | "group_add";
  actor_username: string;
  photo_id: number;
  photo_title: string;
  group_name: string | null;
  group_slug: string | null;
  text: string | null;
  at: number;
}

/** Every query of the activity page. */
export class ActivityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Photos of the members the viewer added as contacts, that the viewer may see, newest first;
   * none from a member either side blocked, nor from a suspended one.
   */
  async contactPhotos(audience: Audience & { viewerId: number }, limit: number, offset: number): Promise<PhotoRecord[]> {
    const viewer = unplanned(audience.viewerId);
    // The page is chosen by sorting only ids and upload times, read from the covering index (a
    // member following 500 others has thousands of candidates; sorting whole rows, descriptions
    // and size lists with them, made the page several times slower than a photo page); only
    // then are its rows read. Suspension and blocks are properties of the contact, so they are
    // checked once per contact, not once per photo. One SQL text rather than the query builder,
    // as for the photo page: building this query node by node cost a third of running it.
    const { rows } = await sql<PhotoRow & { owner_username: string }>`
      with page as (
        select candidate.id, candidate.uploaded_at from photos candidate
        where candidate.owner_id in (
            select contacts.contact_id from contacts inner join users contact on contact.id = contacts.contact_id
            where contacts.owner_id = ${viewer} and contact.suspended_at is null
              and not exists (select 1 from blocks b where (b.blocker_id = ${viewer} and b.blocked_id = contacts.contact_id) or (b.blocker_id = contacts.contact_id and b.blocked_id = ${viewer})))
          and ${visibleTo(audience, "candidate")}
        order by candidate.uploaded_at desc, candidate.id desc
        limit ${unplanned(limit)} offset ${unplanned(offset)})
      select photos.*, users.username as owner_username
      from page inner join photos on photos.id = page.id inner join users on users.id = photos.owner_id
      order by page.uploaded_at desc, page.id desc`.execute(this.db);
    return rows.map(withTags);
  }

  /**
   * What others did on the viewer's photos, newest first: faves, comments (not hidden), notes
   * and additions to group pools. Nothing by members the viewer blocked or who blocked the
   * viewer, nor by suspended members.
   */
  async onPhotosOf(audience: Audience & { viewerId: number }, limit: number, offset: number): Promise<ActivityRow[]> {
    const viewer = unplanned(audience.viewerId);
    // Each source is read newest first from its (photo_owner_id, time) index and stops after the
    // rows this page can need, with the per-row rules applied on the way so none is cut later;
    // the page is then taken from at most four times that many rows. (A member with thousands
    // of photos and a million faves on them reads a page from a few dozen index entries.)
    const take = unplanned(limit + offset);
    const actorAllowed = (actor: string) =>
      sql`${sql.raw(actor)} <> ${viewer}
        and exists (select 1 from users au where au.id = ${sql.raw(actor)} and au.suspended_at is null)
        and not exists (select 1 from blocks b where (b.blocker_id = ${viewer} and b.blocked_id = ${sql.raw(actor)}) or (b.blocker_id = ${sql.raw(actor)} and b.blocked_id = ${viewer}))`;
    // The nulls are typed: PostgreSQL resolves a UNION's column types branch by branch.
    const { rows } = await sql<ActivityRow>`
      select a.kind, u.username as actor_username, a.photo_id, p.title as photo_title, g.name as group_name, g.slug as group_slug, a.text, a.at
      from (
        select * from (select 'fave' as kind, f.user_id as actor_id, f.photo_id, cast(null as bigint) as group_id, cast(null as text) as text, f.created_at as at
          from faves f where f.photo_owner_id = ${viewer} and ${actorAllowed("f.user_id")} order by f.created_at desc limit ${take}) fa
        union all
        select * from (select 'comment' as kind, c.author_id as actor_id, c.photo_id, cast(null as bigint) as group_id, c.body as text, c.created_at as at
          from comments c where c.photo_owner_id = ${viewer} and c.hidden_at is null and ${actorAllowed("c.author_id")} order by c.created_at desc limit ${take}) co
        union all
        select * from (select 'note' as kind, n.author_id as actor_id, n.photo_id, cast(null as bigint) as group_id, n.body as text, n.created_at as at
          from notes n where n.photo_owner_id = ${viewer} and ${actorAllowed("n.author_id")} order by n.created_at desc limit ${take}) no
        union all
        select * from (select 'group_add' as kind, gp.added_by as actor_id, gp.photo_id, gp.group_id, cast(null as text) as text, gp.added_at as at
          from group_pool gp where gp.photo_owner_id = ${viewer} and ${actorAllowed("gp.added_by")} order by gp.added_at desc limit ${take}) ga
      ) a
      inner join photos p on p.id = a.photo_id
      inner join users u on u.id = a.actor_id
      left join groups g on g.id = a.group_id
      where ${visibleTo(audience, "p")}
        and ${ownerActive("p")}
      order by a.at desc, a.kind, a.photo_id desc
      limit ${unplanned(limit)} offset ${unplanned(offset)}`.execute(this.db);
    return rows.map((r) => ({ ...r, photo_id: Number(r.photo_id), at: Number(r.at) }));
  }

  /**
   * Copies the photo's owner onto rows inserted without it: those a server of the release before
   * migration 0005 wrote during a rolling upgrade. Reads only the index entries that lack it.
   */
  async fillPhotoOwners(): Promise<number> {
    let filled = 0;
    for (const table of ["faves", "comments", "notes", "group_pool"] as const) {
      const result = await sql`update ${sql.table(table)} set photo_owner_id = (select owner_id from photos where photos.id = ${sql.ref(`${table}.photo_id`)}) where photo_owner_id is null`.execute(this.db);
      filled += Number(result.numAffectedRows ?? 0);
    }
    return filled;
  }
}
