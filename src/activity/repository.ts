import { sql, type Kysely } from "kysely";
import type { Database, PhotoRow } from "../db/schema.ts";
import { ownerActive, visibleTo } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";

export type ContactPhotoRow = PhotoRow & { owner_username: string };

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
  async contactPhotos(audience: Audience & { viewerId: number }, limit: number, offset: number): Promise<ContactPhotoRow[]> {
    const viewer = audience.viewerId;
    // Two steps: the page is chosen by sorting only ids and upload times (a member following 500
    // others has thousands of candidates; sorting whole rows, descriptions and size lists with
    // them, made the page several times slower than a photo page), then only its rows are read.
    // Suspension and blocks are properties of the contact, so they are checked once per contact, not once per photo.
    const page = await this.db
      .selectFrom("photos")
      .select(["photos.id", "photos.uploaded_at"])
      .where("photos.owner_id", "in", (eb) =>
        eb
          .selectFrom("contacts")
          .innerJoin("users", "users.id", "contacts.contact_id")
          .select("contacts.contact_id")
          .where("contacts.owner_id", "=", viewer)
          .where("users.suspended_at", "is", null)
          .where(sql<boolean>`not exists (select 1 from blocks b where (b.blocker_id = ${viewer} and b.blocked_id = contacts.contact_id) or (b.blocker_id = contacts.contact_id and b.blocked_id = ${viewer}))`),
      )
      .where(visibleTo(audience))
      .orderBy("photos.uploaded_at", "desc")
      .orderBy("photos.id", "desc")
      .limit(limit)
      .offset(offset)
      .execute();
    if (page.length === 0) return [];
    const rows = await this.db
      .selectFrom("photos")
      .innerJoin("users", "users.id", "photos.owner_id")
      .selectAll("photos")
      .select("users.username as owner_username")
      .where(
        "photos.id",
        "in",
        page.map((r) => r.id),
      )
      .execute();
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    return page.map((r) => byId.get(String(r.id))).filter((r): r is ContactPhotoRow => r !== undefined);
  }

  /**
   * What others did on the viewer's photos, newest first: faves, comments (not hidden), notes
   * and additions to group pools. Nothing by members the viewer blocked or who blocked the
   * viewer, by suspended members, or on photos the viewer may not see (a moderator hid them).
   */
  async onPhotosOf(audience: Audience & { viewerId: number }, limit: number, offset: number): Promise<ActivityRow[]> {
    const viewer = audience.viewerId;
    // Each branch starts from the viewer's photos (their indexes by photo), so no table is read whole.
    // The nulls are typed: PostgreSQL resolves a UNION's column types branch by branch.
    const { rows } = await sql<ActivityRow>`
      select a.kind, u.username as actor_username, a.photo_id, p.title as photo_title, g.name as group_name, g.slug as group_slug, a.text, a.at
      from (
        select 'fave' as kind, f.user_id as actor_id, f.photo_id, cast(null as bigint) as group_id, cast(null as text) as text, f.created_at as at from faves f where f.photo_id in (select id from photos where owner_id = ${viewer})
        union all
        select 'comment', c.author_id, c.photo_id, cast(null as bigint), c.body, c.created_at from comments c where c.hidden_at is null and c.photo_id in (select id from photos where owner_id = ${viewer})
        union all
        select 'note', n.author_id, n.photo_id, cast(null as bigint), n.body, n.created_at from notes n where n.photo_id in (select id from photos where owner_id = ${viewer})
        union all
        select 'group_add', gp.added_by, gp.photo_id, gp.group_id, cast(null as text), gp.added_at from group_pool gp where gp.photo_id in (select id from photos where owner_id = ${viewer})
      ) a
      inner join photos p on p.id = a.photo_id
      inner join users u on u.id = a.actor_id
      left join groups g on g.id = a.group_id
      where p.owner_id = ${viewer}
        and a.actor_id <> ${viewer}
        and u.suspended_at is null
        and ${visibleTo(audience, "p")}
        and ${ownerActive("p")}
        and not exists (select 1 from blocks b where (b.blocker_id = ${viewer} and b.blocked_id = a.actor_id) or (b.blocker_id = a.actor_id and b.blocked_id = ${viewer}))
      order by a.at desc, a.kind, a.photo_id desc
      limit ${limit} offset ${offset}`.execute(this.db);
    return rows.map((r) => ({ ...r, photo_id: Number(r.photo_id), at: Number(r.at) }));
  }
}
