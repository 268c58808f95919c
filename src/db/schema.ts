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
}

export interface PhotoTagsTable {
  photo_id: number;
  tag: string;
  raw: string;
  position: number;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
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

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  account_tokens: AccountTokensTable;
  login_failures: LoginFailuresTable;
  photos: PhotosTable;
  photo_tags: PhotoTagsTable;
  settings: SettingsTable;
  incidents: IncidentsTable;
  incident_updates: IncidentUpdatesTable;
  jobs: JobsTable;
  recent_errors: RecentErrorsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type PhotoRow = Selectable<PhotosTable>;
export type NewPhotoRow = Insertable<PhotosTable>;
export type PhotoUpdate = Updateable<PhotosTable>;
export type JobRow = Selectable<JobsTable>;
export type IncidentRow = Selectable<IncidentsTable>;
export type IncidentUpdateRow = Selectable<IncidentUpdatesTable>;
