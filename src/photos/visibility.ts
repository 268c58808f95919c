/** Who may see a photo. The order is from most open to most closed. */
export const VISIBILITIES = ["public", "friends_and_family", "friends", "family", "private"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

type Circle = "everyone" | "friends" | "family";

const AUDIENCES: Record<Visibility, ReadonlySet<Circle>> = {
  public: new Set(["everyone", "friends", "family"]),
  friends_and_family: new Set(["friends", "family"]),
  friends: new Set(["friends"]),
  family: new Set(["family"]),
  private: new Set(),
};

export function isVisibility(value: string): value is Visibility {
  return (VISIBILITIES as readonly string[]).includes(value);
}

/**
 * True when someone who could see the photo before cannot see it after. Its secret then
 * changes, so image URLs already handed out stop working.
 */
export function isMorePrivate(from: Visibility, to: Visibility): boolean {
  const after = AUDIENCES[to];
  for (const audience of AUDIENCES[from]) if (!after.has(audience)) return true;
  return false;
}

/** How a viewer stands to a photo's owner. Contacts arrive with the community features. */
export interface Relationship {
  isOwner: boolean;
  isFriend: boolean;
  isFamily: boolean;
}

export const STRANGER: Relationship = { isOwner: false, isFriend: false, isFamily: false };

export function canView(visibility: Visibility, relationship: Relationship): boolean {
  if (relationship.isOwner) return true;
  const audience = AUDIENCES[visibility];
  return audience.has("everyone") || (relationship.isFriend && audience.has("friends")) || (relationship.isFamily && audience.has("family"));
}

/** How a viewer stands to a photo's owner, read from contacts and blocks. */
export interface Standing {
  /** The owner added the viewer as a contact (friend, family or neither). */
  isContact: boolean;
  isFriend: boolean;
  isFamily: boolean;
  /** The owner blocked the viewer: nothing but public photos, and no interaction. */
  isBlocked: boolean;
}

export const NO_STANDING: Standing = { isContact: false, isFriend: false, isFamily: false, isBlocked: false };

/** Who may see where a photo was taken, apart from who may see the photo. From most open to most closed. */
export const LOCATION_VISIBILITIES = ["everyone", "contacts", "friends_and_family", "private"] as const;
export type LocationVisibility = (typeof LOCATION_VISIBILITIES)[number];

export function isLocationVisibility(value: string): value is LocationVisibility {
  return (LOCATION_VISIBILITIES as readonly string[]).includes(value);
}

/**
 * Whether a viewer who may see the photo may also see where it was taken. Its owner always
 * may; a member the owner blocked only when everyone may (logged out, they would see it
 * anyway, as with public photos); an unknown level reads as "only the owner".
 */
export function canSeeLocation(level: string, viewerId: number | null, ownerId: number, standing: Standing): boolean {
  if (viewerId !== null && viewerId === ownerId) return true;
  if (level === "everyone") return true;
  if (standing.isBlocked) return false;
  switch (level) {
    case "contacts":
      return viewerId !== null && standing.isContact;
    case "friends_and_family":
      return viewerId !== null && (standing.isFriend || standing.isFamily);
    default:
      return false;
  }
}

/** Who is looking: null for a visitor who is not logged in. */
export interface Audience {
  viewerId: number | null;
  /** The member opted in to photos marked restricted (not for all audiences). */
  showsRestricted: boolean;
}

export const ANONYMOUS: Audience = { viewerId: null, showsRestricted: false };

/** The audience a viewer makes: a member with their opt-in, or no one in particular. */
export function audienceOf(viewer: { id: number; showsRestricted: boolean }): Audience & { viewerId: number };
export function audienceOf(viewer: { id: number; showsRestricted: boolean } | null): Audience;
export function audienceOf(viewer: { id: number; showsRestricted: boolean } | null): Audience {
  return viewer ? { viewerId: viewer.id, showsRestricted: viewer.showsRestricted } : ANONYMOUS;
}

export interface PhotoAccess {
  ownerId: number;
  visibility: Visibility;
  restricted: boolean;
  hidden: boolean;
}

/**
 * The one rule for who sees a photo, in code; `visibleTo` in photos/repository.ts says the same
 * in SQL for listings, and the privacy test checks both agree. The owner sees everything of
 * theirs; nobody else sees a photo a moderator hid; restricted photos need a member who opted
 * in; a blocked member sees public photos only (a visitor who logs out would see them anyway).
 */
export function canSeePhoto(photo: PhotoAccess, audience: Audience, standing: Standing): boolean {
  if (audience.viewerId !== null && audience.viewerId === photo.ownerId) return true;
  if (photo.hidden) return false;
  if (photo.restricted && (audience.viewerId === null || !audience.showsRestricted)) return false;
  if (photo.visibility === "public") return true;
  if (audience.viewerId === null || standing.isBlocked) return false;
  return canView(photo.visibility, { isOwner: false, isFriend: standing.isFriend, isFamily: standing.isFamily });
}
