/** Who may see a photo. The order is from most open to most closed. */
export const VISIBILITIES = ["public", "friends_and_family", "friends", "family", "private"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

type Audience = "everyone" | "friends" | "family";

const AUDIENCES: Record<Visibility, ReadonlySet<Audience>> = {
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
