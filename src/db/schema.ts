import type { Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Table types for Kysely. Times are epoch milliseconds in BIGINT columns on both databases
 * (pg's int8 parser is set to Number in db/database.ts), booleans are 0/1 integers, so rows
 * look the same on SQLite and PostgreSQL.
 */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  username_key: string;
  email: string;
  email_key: string;
  email_confirmed_at: number | null;
  password_hash: string;
  is_admin: number;
  created_at: number;
  suspended_at: Generated<number | null>;
  is_pro: Generated<number>;
  /** Per-member overrides of the operator's default quotas; null means the default. */
  quota_photos: Generated<number | null>;
  quota_bytes: Generated<number | null>;
  /** Kept in the same transaction as each photo insert and delete. */
  photo_count: Generated<number>;
  bytes_stored: Generated<number>;
  shows_restricted: Generated<number>;
  /** The interface language the member chose (migration 0023); null: follow the browser. */
  locale: string | null;
  note_permission: Generated<"owner" | "contacts" | "friends" | "everyone">;
  /** What a new upload gets unless the upload says otherwise (migration 0007). */
  default_license: Generated<string>;
  default_download_allowed: Generated<number>;
  default_location_visibility: Generated<string>;
  /** What happens to webmentions of the member's photos: "show", "approve" or "off" (migration 0013). */
  webmention_policy: Generated<string>;
}

export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  kind: "web" | "api";
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface AccountTokensTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  purpose: "confirm_email" | "reset_password";
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface LoginFailuresTable {
  id: Generated<number>;
  throttle_key: string;
  failed_at: number;
}

export interface PhotosTable {
  id: number;
  owner_id: number;
  title: string;
  description: string;
  visibility: string;
  secret: string;
  original_key: string;
  original_format: string;
  original_bytes: number;
  original_name: string;
  sha256: string;
  width: number;
  height: number;
  taken_at: string | null;
  taken_at_offset: string | null;
  taken_at_utc: number | null;
  uploaded_at: number;
  updated_at: number;
  camera_make: string | null;
  camera_model: string | null;
  lens: string | null;
  exposure_time: string | null;
  exposure_seconds: number | null;
  f_number: number | null;
  iso: number | null;
  focal_length: number | null;
  focal_length_35mm: number | null;
  latitude: number | null;
  longitude: number | null;
  altitude: number | null;
  /** JSON list of the derivatives that exist: [{size, format, width, height}]. */
  sizes: string;
  /** JSON [{tag, raw}] in the member's order; photo_tags indexes the same tags for lookups. */
  tags: Generated<string>;
  dominant_color: string | null;
  fave_count: Generated<number>;
  comment_count: Generated<number>;
  view_count: Generated<number>;
  restricted: Generated<number>;
  hidden_at: Generated<number | null>;
  /** A licence id from photos/licenses.ts (migration 0007). */
  license: Generated<string>;
  /** 1: whoever may see the photo may download its original. */
  download_allowed: Generated<number>;
  /** Who may see the location: a LocationVisibility from photos/visibility.ts (migration 0009). */
  location_visibility: Generated<string>;
  /** The owner's own text alternative; empty: pages use the title or description (migration 0019). */
  alt_text: Generated<string>;
}

export interface PhotoTagsTable {
  photo_id: number;
  tag: string;
  raw: string;
  position: number;
}

/**
 * The search words of each photo (migration 0011, written by photos/repository.ts through
 * search/repository.ts). On SQLite an FTS5 table whose rowid is the photo id; on PostgreSQL a
 * table keyed by photo_id with a generated tsvector `document`. Queried with raw SQL only.
 */
export interface PhotoSearchTable {
  photo_id: number;
  title: string;
  description: string;
  tags: string;
  username: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

/** A period of a periodic task, claimed by the one server that runs it (migration 0018). */
export interface PeriodicRunsTable {
  task: string;
  /** The period's number: the start time divided by the task's interval. */
  slot: number;
  started_by: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
}

export interface IncidentsTable {
  id: Generated<number>;
  title: string;
  status: "investigating" | "identified" | "monitoring" | "resolved";
  impact: "minor" | "major" | "maintenance";
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
}

export interface IncidentUpdatesTable {
  id: Generated<number>;
  incident_id: number;
  status: IncidentsTable["status"];
  body: string;
  author_id: number | null;
  created_at: number;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON. */
  payload: string;
  state: "pending" | "running" | "failed";
  attempts: Generated<number>;
  run_after: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface RecentErrorsTable {
  id: Generated<number>;
  occurred_at: number;
  request_id: string | null;
  route: string | null;
  message: string;
}

export interface ContactsTable {
  owner_id: number;
  contact_id: number;
  is_friend: number;
  is_family: number;
  created_at: number;
}

export interface BlocksTable {
  blocker_id: number;
  blocked_id: number;
  created_at: number;
}

export interface FavesTable {
  photo_id: number;
  /** The photo's owner, copied so a member's activity is read by owner and time (migration 0005). */
  photo_owner_id: number | null;
  user_id: number;
  created_at: number;
}

export interface CommentsTable {
  id: Generated<number>;
  photo_id: number;
  photo_owner_id: number | null;
  author_id: number;
  body: string;
  created_at: number;
  updated_at: number;
  hidden_at: number | null;
  /** The author's name on the site the comment was imported from (stored under the photo's owner). */
  imported_author: Generated<string | null>;
}

export interface NotesTable {
  id: Generated<number>;
  photo_id: number;
  photo_owner_id: number | null;
  author_id: number;
  x: number;
  y: number;
  width: number;
  height: number;
  body: string;
  created_at: number;
  updated_at: number;
  /** The author's name on the site the note was imported from (stored under the photo's owner). */
  imported_author: Generated<string | null>;
}

export interface GroupsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  description: Generated<string>;
  privacy: "public" | "invitation";
  created_by: number | null;
  created_at: number;
}

export interface GroupMembersTable {
  group_id: number;
  user_id: number;
  role: "admin" | "moderator" | "member";
  joined_at: number;
}

export interface GroupInvitationsTable {
  group_id: number;
  user_id: number;
  invited_by: number | null;
  created_at: number;
}

export interface GroupPoolTable {
  group_id: number;
  photo_id: number;
  photo_owner_id: number | null;
  added_by: number;
  added_at: number;
}

export interface GroupThreadsTable {
  id: Generated<number>;
  group_id: number;
  author_id: number;
  title: string;
  body: string;
  created_at: number;
  last_reply_at: number;
}

export interface WebmentionsTable {
  id: Generated<number>;
  photo_id: number;
  photo_owner_id: number;
  source: string;
  status: "pending" | "approved";
  title: string;
  author_name: string | null;
  author_url: string | null;
  received_at: number;
  verified_at: number;
}

export interface GroupRepliesTable {
  id: Generated<number>;
  thread_id: number;
  author_id: number;
  body: string;
  created_at: number;
}

export interface PhotoViewsTable {
  photo_id: number;
  viewer_key: string;
  /** Days since the epoch, UTC. */
  day: number;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  kind: "comment" | "fave" | "contact" | "group_invitation" | "note" | "group_add";
  actor_id: number | null;
  photo_id: number | null;
  group_id: number | null;
  comment_id: number | null;
  created_at: number;
  read_at: number | null;
}

export interface ReportsTable {
  id: Generated<number>;
  reporter_id: number | null;
  target_kind: "photo" | "comment" | "member";
  target_id: number;
  reason: string;
  created_at: number;
  resolved_at: number | null;
  resolved_by: number | null;
  resolution: string | null;
}

export interface ExploreEntriesTable {
  /** The UTC day the ranking is for, YYYY-MM-DD. */
  day: string;
  rank: number;
  photo_id: number;
  score: number;
}

export interface AlbumsTable {
  id: Generated<number>;
  owner_id: number;
  title: string;
  description: Generated<string>;
  cover_photo_id: number | null;
  /** A smart album's rule as JSON; null when its photos are chosen by hand. */
  rule: string | null;
  created_at: number;
  updated_at: number;
  /** Where an imported album came from ("flickr", "pinhole:…") and its id there; null for albums made here. */
  import_source: Generated<string | null>;
  import_source_id: Generated<string | null>;
}

export interface AlbumPhotosTable {
  album_id: number;
  photo_id: number;
  position: number;
  added_at: number;
}

export interface CollectionsTable {
  id: Generated<number>;
  owner_id: number;
  title: string;
  description: Generated<string>;
  created_at: number;
  updated_at: number;
}

export interface CollectionAlbumsTable {
  collection_id: number;
  album_id: number;
  position: number;
}

/**
 * A photo on the site's map (migration 0012): located, public, not hidden, its location shown
 * to everyone, its owner not suspended. Audience 0: everyone; 1: restricted, for members who
 * opted in. Where it is on the grid of maps/grid.ts: x, y at level 24 and their Morton code m.
 */
export interface MapPointsTable {
  photo_id: number;
  owner_id: number;
  audience: number;
  lat_e6: number;
  lon_e6: number;
  x: number;
  y: number;
  m: number;
}

/** The points of `map_points` counted per audience and grid cell of levels 2 to 14, with the sums of their coordinates in millionths of a degree. */
export interface MapCellsTable {
  audience: number;
  level: number;
  cx: number;
  cy: number;
  count: number;
  sum_lat: number;
  sum_lon: number;
  /** The cell's first Morton code: its points are m in [m_lo, m_lo + 4^(24 − level)). */
  m_lo: number;
}

/** An app's API key for the Flickr-compatible API, created by a member (migration 0015). */
export interface ApiKeysTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  consumer_key: string;
  consumer_secret: string;
  created_at: number;
  revoked_at: number | null;
}

/** OAuth 1.0a tokens: "request" until a member grants it and the app exchanges it, then "access" (migration 0015). */
export interface OAuthTokensTable {
  /** sha256 of the token. */
  token_hash: string;
  kind: "request" | "access";
  api_key_id: number;
  /** As issued: HMAC-SHA1 signing needs it. Never logged. */
  token_secret: string;
  user_id: number | null;
  perms: "read" | "write" | "delete" | null;
  callback: string | null;
  verifier_hash: string | null;
  created_at: number;
  expires_at: number | null;
}

export interface OAuthNoncesTable {
  consumer_key: string;
  nonce: string;
  expires_at: number;
}

/** Async uploads' tickets: 0 not complete, 1 complete, 2 failed (Flickr's codes; migration 0015). */
export interface UploadTicketsTable {
  id: Generated<number>;
  user_id: number;
  photo_id: number | null;
  status: number;
  created_at: number;
}

export interface ImportsTable {
  id: Generated<number>;
  member_id: number;
  /** "flickr" or "pinhole", once the zip has been looked at. */
  format: string | null;
  status: "queued" | "running" | "done" | "failed";
  file_name: string;
  file_bytes: number;
  /** The zip under the data dir while the import runs; removed when it ends. */
  stored_path: string;
  total: Generated<number>;
  done: Generated<number>;
  skipped: Generated<number>;
  failed: Generated<number>;
  error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface ImportEntriesTable {
  id: Generated<number>;
  import_id: number;
  entry: string;
  kind: "photo" | "metadata" | "album" | "contact" | "fave" | "account";
  outcome: "done" | "skipped" | "failed";
  reason: string | null;
  photo_id: number | null;
  created_at: number;
}

export interface ImportItemsTable {
  member_id: number;
  source: string;
  source_id: string;
  photo_id: number | null;
  metadata: string | null;
  applied_at: number | null;
  updated_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  account_tokens: AccountTokensTable;
  login_failures: LoginFailuresTable;
  photos: PhotosTable;
  photo_tags: PhotoTagsTable;
  photo_search: PhotoSearchTable;
  settings: SettingsTable;
  periodic_runs: PeriodicRunsTable;
  incidents: IncidentsTable;
  incident_updates: IncidentUpdatesTable;
  jobs: JobsTable;
  recent_errors: RecentErrorsTable;
  contacts: ContactsTable;
  blocks: BlocksTable;
  faves: FavesTable;
  comments: CommentsTable;
  notes: NotesTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  group_invitations: GroupInvitationsTable;
  group_pool: GroupPoolTable;
  group_threads: GroupThreadsTable;
  group_replies: GroupRepliesTable;
  webmentions: WebmentionsTable;
  photo_views: PhotoViewsTable;
  notifications: NotificationsTable;
  reports: ReportsTable;
  explore_entries: ExploreEntriesTable;
  albums: AlbumsTable;
  album_photos: AlbumPhotosTable;
  collections: CollectionsTable;
  collection_albums: CollectionAlbumsTable;
  map_points: MapPointsTable;
  map_cells: MapCellsTable;
  api_keys: ApiKeysTable;
  oauth_tokens: OAuthTokensTable;
  oauth_nonces: OAuthNoncesTable;
  upload_tickets: UploadTicketsTable;
  imports: ImportsTable;
  import_entries: ImportEntriesTable;
  import_items: ImportItemsTable;
  rate_events: RateEventsTable;
  upload_locks: UploadLocksTable;
  search_postings: SearchPostingsTable;
}

/** A word of a photo's title (level 2) or of its title or tags (level 1), for relevance search (migration 0022). */
export interface SearchPostingsTable {
  word: string;
  level: number;
  photo_id: number;
}

/** A counted event of a rate limit, kept for the limit's window (migration 0021). */
/** Who holds the lock on a resumable upload, until when, and whether another request asked for it (migration 0025). */
export interface UploadLocksTable {
  upload_id: string;
  holder: string;
  expires_at: number;
  release_requested: Generated<number>;
}

export interface RateEventsTable {
  key: string;
  at: number;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type PhotoRow = Selectable<PhotosTable>;
export type NewPhotoRow = Insertable<PhotosTable>;
export type PhotoUpdate = Updateable<PhotosTable>;
export type JobRow = Selectable<JobsTable>;
export type IncidentRow = Selectable<IncidentsTable>;
export type IncidentUpdateRow = Selectable<IncidentUpdatesTable>;
