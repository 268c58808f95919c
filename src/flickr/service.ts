import crypto from "node:crypto";
import { hashToken, randomToken, type Clock } from "../clock.ts";
import { AppError, ForbiddenError, InvalidError, NotFoundError, QuotaExceededError, TooLargeError, TooManyRequestsError, UnprocessableError, UnsupportedMediaError, wording } from "../errors.ts";
import type { GroupService } from "../groups/service.ts";
import type { PhotoView } from "../photos/presenter.ts";
import type { UploadQuotas } from "../photos/quotas.ts";
import type { PhotoService } from "../photos/service.ts";
import { formatTags, normalizeTag, parseTags } from "../photos/tags.ts";
import type { ReceivedUpload } from "../photos/upload-receiver.ts";
import type { CommentsService } from "../social/comments-service.ts";
import type { FavesService } from "../social/faves-service.ts";
import type { SocialService } from "../social/service.ts";
import type { UserService, Viewer } from "../users/service.ts";
import { signatureMatches, signedUrls, TIMESTAMP_WINDOW_MS, type SignedRequest } from "./oauth.ts";
import type { PhotosetsPort, PhotosetView, SearchPort } from "./ports.ts";
import {
  FLICKR_LICENSES,
  flickrLicenseId,
  flickrSizes,
  flickrTaken,
  listedPhoto,
  nsidOf,
  photoPage,
  pinholeLicense,
  secretOf,
  unixSeconds,
  userIdOfNsid,
  visibilityFlags,
  visibilityOf,
} from "./presenter.ts";
import type { ApiKeyRow, FlickrRepository, TokenRow } from "./repository.ts";
import { node, textNode, type FlickrNode } from "./views.ts";
import { removeTempFile } from "../storage/scratch.ts";

export type Perm = "read" | "write" | "delete";
const PERM_RANK: Record<Perm | "none", number> = { none: 0, read: 1, write: 2, delete: 3 };

export function isPerm(value: string | undefined): value is Perm {
  return value === "read" || value === "write" || value === "delete";
}

/** A Flickr error answer: HTTP 200, `stat="fail"`, Flickr's code and message. */
export class FlickrError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A refused OAuth request: on the OAuth endpoints a 401 with `oauth_problem` (as Flickr and the
 * OAuth Problem Reporting extension answer), on the API Flickr's error code.
 */
export class OAuthProblem extends FlickrError {
  constructor(
    readonly problem: string,
    code: number,
    message: string,
  ) {
    super(code, message);
  }
}

const INVALID_SIGNATURE = 96;
const MISSING_SIGNATURE = 97;
const INVALID_TOKEN = 98;
const INSUFFICIENT_PERMISSIONS = 99;
const INVALID_KEY = 100;
const UNAVAILABLE = 105;
const METHOD_NOT_FOUND = 112;

const PHOTO_NOT_FOUND = () => new FlickrError(1, "Photo not found");
const USER_NOT_FOUND = () => new FlickrError(1, "User not found");

/** Who calls: the app's key, and the member it acts for with which perms (none: an anonymous visitor). */
export interface Caller {
  key: ApiKeyRow;
  viewer: Viewer | null;
  perms: Perm | null;
  /** Hash of the access token used, if any. */
  tokenHash: string | null;
}

export interface ApiKeyView {
  id: string;
  name: string;
  key: string;
  secret: string;
  createdAt: string;
}

export interface AuthorizeView {
  token: string;
  appName: string;
  appOwner: string;
  perms: Perm;
}

export type Args = Record<string, string>;

interface MethodSpec {
  /** What the caller's token must allow; "none": a valid key is enough (anonymous: public data only). */
  perm: "none" | Perm;
  run: (caller: Caller, args: Args) => Promise<FlickrNode[]>;
}

export interface FlickrServiceDeps {
  flickr: FlickrRepository;
  users: UserService;
  photos: PhotoService;
  faves: FavesService;
  comments: CommentsService;
  social: SocialService;
  groups: GroupService;
  quotas: UploadQuotas;
  clock: Clock;
  baseUrl: string;
  /** Albums; null means none (the methods answer 112 "Method not found"). */
  photosets: PhotosetsPort | null;
  /** Full-text search; null means none (a search with `text` answers code 10). */
  search: SearchPort | null;
  /** Read-only maintenance: write methods answer 105 "Service currently unavailable". */
  isReadOnly: () => boolean;
}

const REQUEST_TOKEN_TTL_MS = 60 * 60_000;
const MAX_KEYS_PER_MEMBER = 50;
const MAX_PER_PAGE = 500;
/** Flickr answers at most 4000 results of a search; so do we, which bounds the offset. */
const MAX_RESULTS = 4000;

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function newSecret(bytes: number): string {
  return crypto.randomBytes(bytes).toString("hex");
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function flag(value: string | undefined): boolean {
  return value === "1" || value === "true";
}

/** A date argument: Unix seconds, or a MySQL datetime ("2024-05-17" or "2024-05-17 10:00:00"), as milliseconds. */
function dateArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (/^[0-9]{1,12}$/.test(value)) return Number(value) * 1000;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)) : NaN;
  if (!Number.isFinite(ms)) throw new FlickrError(18, `Illogical arguments: ${name} must be a Unix timestamp or a date like 2024-05-17 10:00:00.`);
  return ms;
}

function takenArg(value: string | undefined, name: string): string | undefined {
  const ms = dateArg(value, name);
  return ms === undefined ? undefined : new Date(ms).toISOString().slice(0, 19);
}

function pageArgs(args: Args, defaultPerPage = 100): { page: number; perPage: number; offset: number } {
  const perPage = Math.min(Math.max(Number.parseInt(args.per_page ?? "", 10) || defaultPerPage, 1), MAX_PER_PAGE);
  const page = Math.max(Number.parseInt(args.page ?? "", 10) || 1, 1);
  const offset = Math.min((page - 1) * perPage, MAX_RESULTS);
  return { page, perPage, offset };
}

function extrasArg(args: Args): Set<string> {
  return new Set((args.extras ?? "").split(/[\s,]+/).filter(Boolean).map((e) => e.toLowerCase()));
}

function photoIdArg(args: Args, name = "photo_id"): number {
  const value = (args[name] ?? "").trim();
  if (!/^[1-9][0-9]{0,17}$/.test(value) || !Number.isSafeInteger(Number(value))) throw PHOTO_NOT_FOUND();
  return Number(value);
}

/** Pinhole's errors as Flickr's: a photo one may not see or change is "not found", as on Flickr. */
function asFlickr(error: unknown, notFound: () => FlickrError = PHOTO_NOT_FOUND): unknown {
  if (error instanceof FlickrError) return error;
  if (error instanceof NotFoundError) return notFound();
  if (error instanceof ForbiddenError) return new FlickrError(INSUFFICIENT_PERMISSIONS, `Insufficient permissions: ${error.message}`);
  if (error instanceof TooManyRequestsError) return new FlickrError(UNAVAILABLE, `Service currently unavailable: ${error.message}`);
  if (error instanceof AppError && error.status < 500) return new FlickrError(2, error.message);
  return error;
}

/** Owner-only changes: a photo that is not the caller's is "not found", as Flickr answers. */
function ownerEdit(error: unknown): unknown {
  if (error instanceof ForbiddenError) return PHOTO_NOT_FOUND();
  return asFlickr(error);
}

/**
 * The Flickr-compatible API: API keys, the OAuth 1.0a dance, and Flickr's methods answered from
 * Pinhole's own services, so every privacy rule of the JSON API holds here too.
 */
/** The receiver's refusals that Flickr calls "No photo specified" (code 2). */
const NO_PHOTO_WORDINGS = new Set(["errors.upload.noPhoto", "errors.upload.onePhoto", "errors.onePhotoPerRequest"]);

export class FlickrService {
  private lastPrune = 0;
  private readonly methods: Record<string, MethodSpec>;

  constructor(private readonly deps: FlickrServiceDeps) {
    this.methods = this.buildMethods();
  }

  /** The method names answered (photosets only with albums). */
  methodNames(): string[] {
    return Object.keys(this.methods).sort();
  }

  // ---- API keys ----

  private static keyView(row: ApiKeyRow): ApiKeyView {
    return { id: String(row.id), name: row.name, key: row.key, secret: row.secret, createdAt: new Date(row.createdAt).toISOString() };
  }

  async createKey(viewer: Viewer, name: string): Promise<ApiKeyView> {
    const clean = name.normalize("NFC").replace(/[\p{C}]/gu, "").trim().slice(0, 100);
    if (!clean) throw new InvalidError(wording("flickr.errors.appName"), { field: "name" });
    const existing = await this.deps.flickr.keysOf(viewer.id);
    if (existing.length >= MAX_KEYS_PER_MEMBER) throw new InvalidError(wording("flickr.errors.tooManyKeys", { count: existing.length }), { field: "name" });
    // Flickr's keys are 32 hex characters and secrets 16.
    const id = await this.deps.flickr.insertKey({ ownerId: viewer.id, name: clean, key: newSecret(16), secret: newSecret(8), now: this.deps.clock.now() });
    const row = await this.deps.flickr.findKeyById(id);
    if (!row) throw new NotFoundError(wording("flickr.errors.keyLost"));
    return FlickrService.keyView(row);
  }

  async keys(viewer: Viewer): Promise<ApiKeyView[]> {
    return (await this.deps.flickr.keysOf(viewer.id)).map(FlickrService.keyView);
  }

  async revokeKey(viewer: Viewer, id: string): Promise<void> {
    const numeric = Number(id);
    if (!Number.isSafeInteger(numeric) || !(await this.deps.flickr.revokeKey(viewer.id, numeric, this.deps.clock.now()))) throw new NotFoundError(wording("flickr.errors.noSuchKey"));
  }

  // ---- OAuth 1.0a ----

  /**
   * Checks a request's key, and when it is signed its timestamp, signature and nonce.
   * `tokenKind` says which token the endpoint needs: an access token (or none) for the API, a
   * request token for the access-token exchange, none for a request token.
   */
  async verify(request: SignedRequest, tokenKind: "access" | "request" | "none"): Promise<{ key: ApiKeyRow; token: (TokenRow & { hash: string }) | null; signed: boolean }> {
    const params = request.params;
    const consumerKey = one(params.oauth_consumer_key) ?? one(params.api_key);
    if (!consumerKey) throw new OAuthProblem("parameter_absent", INVALID_KEY, "Invalid API Key (Key has invalid format)");
    const key = await this.deps.flickr.findKey(consumerKey);
    if (!key) throw new OAuthProblem("consumer_key_unknown", INVALID_KEY, "Invalid API Key (Key not found)");
    const signature = one(params.oauth_signature);
    const token = one(params.oauth_token);
    if (!signature) {
      if (tokenKind !== "access" || token !== undefined || one(params.oauth_consumer_key) !== undefined) throw new OAuthProblem("parameter_absent", MISSING_SIGNATURE, "Missing signature");
      return { key, token: null, signed: false };
    }
    if (one(params.oauth_signature_method) !== "HMAC-SHA1") throw new OAuthProblem("signature_method_rejected", INVALID_SIGNATURE, "Invalid signature (only HMAC-SHA1 is accepted)");
    const now = this.deps.clock.now();
    const timestamp = Number(one(params.oauth_timestamp));
    if (!Number.isFinite(timestamp) || Math.abs(now - timestamp * 1000) > TIMESTAMP_WINDOW_MS) {
      throw new OAuthProblem("timestamp_refused", INVALID_SIGNATURE, "Invalid signature (the timestamp is more than 5 minutes from the server's clock)");
    }
    const nonce = one(params.oauth_nonce);
    if (!nonce || nonce.length > 255) throw new OAuthProblem("parameter_absent", INVALID_SIGNATURE, "Invalid signature (oauth_nonce is missing)");
    let tokenRow: (TokenRow & { hash: string }) | null = null;
    if (token !== undefined && token !== "") {
      const hash = hashToken(token);
      const row = await this.deps.flickr.findToken(hash);
      if (!row || row.apiKeyId !== key.id || (row.expiresAt !== null && row.expiresAt <= now)) throw new OAuthProblem("token_rejected", INVALID_TOKEN, "Invalid auth token");
      tokenRow = { ...row, hash };
    }
    if (tokenKind === "none" && tokenRow) throw new OAuthProblem("token_rejected", INVALID_TOKEN, "Invalid auth token (a request token is asked for without a token)");
    if (tokenKind === "request" && tokenRow?.kind !== "request") throw new OAuthProblem("token_rejected", INVALID_TOKEN, "Invalid auth token (not a request token)");
    if (tokenKind === "access" && tokenRow && tokenRow.kind !== "access") throw new OAuthProblem("token_rejected", INVALID_TOKEN, "Invalid auth token (not an access token)");
    const origin = new URL(this.deps.baseUrl).origin;
    if (!signatureMatches(request, signedUrls(origin, request.path), { key: key.key, secret: key.secret }, tokenRow?.secret)) {
      throw new OAuthProblem("signature_invalid", INVALID_SIGNATURE, "Invalid signature");
    }
    // Only a correctly signed request spends a nonce, so nobody else can fill the table.
    if (!(await this.deps.flickr.useNonce(key.key, nonce, now + 2 * TIMESTAMP_WINDOW_MS))) {
      throw new OAuthProblem("nonce_used", INVALID_SIGNATURE, "Invalid signature (this nonce was used before)");
    }
    await this.prune(now);
    return { key, token: tokenRow, signed: true };
  }

  private async prune(now: number): Promise<void> {
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    await this.deps.flickr.deleteExpiredNonces(now);
    await this.deps.flickr.deleteExpiredTokens(now);
  }

  /** The caller of an API method: anonymous with a key alone, else the member of the access token. */
  async caller(request: SignedRequest): Promise<Caller> {
    const { key, token } = await this.verify(request, "access");
    if (!token) return { key, viewer: null, perms: null, tokenHash: null };
    const viewer = token.userId === null ? null : await this.deps.users.viewerFor(token.userId, token.hash);
    if (!viewer) throw new OAuthProblem("token_rejected", INVALID_TOKEN, "Invalid auth token");
    return { key, viewer, perms: token.perms, tokenHash: token.hash };
  }

  async requestToken(request: SignedRequest): Promise<{ token: string; secret: string }> {
    const { key, signed } = await this.verify(request, "none");
    if (!signed) throw new OAuthProblem("parameter_absent", MISSING_SIGNATURE, "Missing signature");
    const callback = one(request.params.oauth_callback) ?? "";
    if (callback !== "oob" && !/^https?:\/\/[^\s]+$/i.test(callback)) throw new OAuthProblem("parameter_rejected", 2, "oauth_callback must be an http(s) URL or oob");
    if (callback.length > 2000) throw new OAuthProblem("parameter_rejected", 2, "oauth_callback is too long");
    const token = randomToken();
    const secret = newSecret(8);
    const now = this.deps.clock.now();
    await this.deps.flickr.insertToken({ hash: hashToken(token), kind: "request", apiKeyId: key.id, secret, userId: null, perms: null, callback, now, expiresAt: now + REQUEST_TOKEN_TTL_MS });
    return { token, secret };
  }

  /** What the authorize page shows: the app and what it asks for. */
  async authorizeRequest(token: string, perms: string | undefined): Promise<AuthorizeView> {
    const row = await this.deps.flickr.findToken(hashToken(token));
    if (!row || row.kind !== "request" || row.verifierHash !== null || (row.expiresAt !== null && row.expiresAt <= this.deps.clock.now())) {
      throw new NotFoundError(wording("flickr.errors.requestExpired"));
    }
    const key = await this.deps.flickr.findKeyById(row.apiKeyId);
    if (!key) throw new NotFoundError(wording("flickr.errors.keyRevoked"));
    return { token, appName: key.name, appOwner: key.ownerUsername, perms: isPerm(perms) ? perms : "read" };
  }

  /** The member grants the request token: the app gets a verifier through its callback (or to copy, with oob). */
  async grant(viewer: Viewer, token: string, perms: string): Promise<{ redirect: string | null; verifier: string; appName: string }> {
    const request = await this.authorizeRequest(token, perms);
    if (!isPerm(perms)) throw new InvalidError(wording("flickr.errors.choosePerms"), { field: "perms" });
    const verifier = newSecret(8);
    if (!(await this.deps.flickr.grantRequestToken(hashToken(token), { userId: viewer.id, perms, verifierHash: hashToken(verifier) }))) {
      throw new NotFoundError(wording("flickr.errors.alreadyAnswered"));
    }
    const row = await this.deps.flickr.findToken(hashToken(token));
    let redirect: string | null = null;
    if (row?.callback && row.callback !== "oob") {
      const url = new URL(row.callback);
      url.searchParams.set("oauth_token", token);
      url.searchParams.set("oauth_verifier", verifier);
      redirect = url.toString();
    }
    return { redirect, verifier, appName: request.appName };
  }

  async deny(token: string): Promise<{ appName: string }> {
    const request = await this.authorizeRequest(token, undefined);
    await this.deps.flickr.consumeToken(hashToken(token));
    return { appName: request.appName };
  }

  /** Exchanges a granted request token and its verifier for an access token, once. */
  async accessToken(request: SignedRequest): Promise<{ token: string; secret: string; nsid: string; username: string }> {
    const { key, token } = await this.verify(request, "request");
    const verifier = one(request.params.oauth_verifier) ?? "";
    if (!token || token.userId === null || token.perms === null || token.verifierHash === null || !sameHash(token.verifierHash, hashToken(verifier))) {
      throw new OAuthProblem("verifier_invalid", INVALID_TOKEN, "Invalid auth token (the verifier does not match)");
    }
    const user = await this.deps.users.findActiveUserById(token.userId);
    if (!user || !(await this.deps.flickr.consumeToken(token.hash))) throw new OAuthProblem("token_rejected", INVALID_TOKEN, "Invalid auth token");
    const access = randomToken();
    const secret = newSecret(8);
    await this.deps.flickr.insertToken({ hash: hashToken(access), kind: "access", apiKeyId: key.id, secret, userId: user.id, perms: token.perms, callback: null, now: this.deps.clock.now(), expiresAt: null });
    return { token: access, secret, nsid: nsidOf(user.id), username: user.username };
  }

  // ---- methods ----

  async call(method: string, args: Args, caller: Caller): Promise<FlickrNode[]> {
    const spec = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    if (!spec) throw new FlickrError(METHOD_NOT_FOUND, `Method "${method}" not found`);
    if (spec.perm !== "none") {
      if (!caller.viewer || PERM_RANK[caller.perms ?? "none"] < PERM_RANK[spec.perm]) {
        throw new FlickrError(INSUFFICIENT_PERMISSIONS, `Insufficient permissions. Method requires ${spec.perm} privileges; ${caller.perms ?? "none"} granted.`);
      }
      if (spec.perm !== "read" && this.deps.isReadOnly()) throw new FlickrError(UNAVAILABLE, "Service currently unavailable: the site is in read-only maintenance.");
    }
    try {
      return await spec.run(caller, args);
    } catch (error) {
      throw asFlickr(error);
    }
  }

  /** A photo uploaded through /services/upload/: Flickr's fields mapped onto Pinhole's upload. */
  async upload(caller: Caller, upload: ReceivedUpload): Promise<{ photoId: string; secret: string }> {
    try {
      if (!caller.viewer || PERM_RANK[caller.perms ?? "none"] < PERM_RANK.write) throw new FlickrError(INSUFFICIENT_PERMISSIONS, "Insufficient permissions. Uploading requires write privileges.");
      if (this.deps.isReadOnly()) throw new FlickrError(UNAVAILABLE, "Service currently unavailable: the site is in read-only maintenance.");
      if (upload.bytes === 0) throw new FlickrError(4, "Filesize was zero");
      const viewer = caller.viewer;
      const f = upload.fields;
      const anyPerm = ["is_public", "is_friend", "is_family"].some((name) => f[name] !== undefined);
      const fields: Record<string, string> = {};
      if (f.title !== undefined) fields.title = f.title;
      if (f.description !== undefined) fields.description = f.description;
      if (f.tags !== undefined) fields.tags = f.tags;
      if (anyPerm) fields.visibility = visibilityOf({ isPublic: flag(f.is_public), isFriend: flag(f.is_friend), isFamily: flag(f.is_family) });
      // Flickr's safety levels: 1 safe, 2 moderate, 3 restricted; Pinhole has one switch, restricted.
      if (f.safety_level !== undefined) fields.restricted = f.safety_level === "2" || f.safety_level === "3" ? "true" : "false";
      const hold = await this.deps.quotas.admit(viewer.id, upload.bytes);
      try {
        const quota = await hold.confirm(upload.bytes);
        const { photo } = await this.deps.photos.upload(viewer, { ...upload, fields }, quota);
        return { photoId: photo.id, secret: secretOf(photo) };
      } finally {
        hold.release();
      }
    } catch (error) {
      await removeTempFile(upload.tempPath);
      throw FlickrService.uploadError(error);
    }
  }

  /**
   * A photo's file replaced through /services/replace/ (photo_id names it): Pinhole's replace,
   * so titles, tags, comments and albums stay. Another member's photo is "not found", as on Flickr.
   */
  async replace(caller: Caller, upload: ReceivedUpload): Promise<{ photoId: string; secret: string }> {
    try {
      if (!caller.viewer || PERM_RANK[caller.perms ?? "none"] < PERM_RANK.write) throw new FlickrError(INSUFFICIENT_PERMISSIONS, "Insufficient permissions. Replacing requires write privileges.");
      if (this.deps.isReadOnly()) throw new FlickrError(UNAVAILABLE, "Service currently unavailable: the site is in read-only maintenance.");
      if (upload.bytes === 0) throw new FlickrError(4, "Filesize was zero");
      const photoId = upload.fields.photo_id ?? "";
      if (!/^[1-9][0-9]{0,17}$/.test(photoId)) throw new FlickrError(1, "Photo not found");
      const viewer = caller.viewer;
      const photo = await this.deps.photos.replaceFile(Number(photoId), viewer, upload, (delta) => this.deps.quotas.checkReplacement(viewer.id, delta)).catch((error: unknown) => {
        throw error instanceof NotFoundError || error instanceof ForbiddenError ? new FlickrError(1, "Photo not found") : error;
      });
      return { photoId: photo.id, secret: secretOf(photo) };
    } catch (error) {
      await removeTempFile(upload.tempPath);
      throw FlickrService.uploadError(error);
    }
  }

  /** Flickr's upload error codes. */
  static uploadError(error: unknown): unknown {
    if (error instanceof FlickrError) return error;
    if (error instanceof QuotaExceededError) return new FlickrError(6, `User exceeded upload limit: ${error.message}`);
    if (error instanceof UnsupportedMediaError || error instanceof UnprocessableError) return new FlickrError(5, `Filetype was not recognised: ${error.message}`);
    if (error instanceof TooLargeError) return new FlickrError(3, `General upload failure: ${error.message}`);
    if (error instanceof InvalidError && NO_PHOTO_WORDINGS.has(error.wording?.key ?? "")) return new FlickrError(2, "No photo specified");
    if (error instanceof AppError && error.status < 500) return new FlickrError(3, `General upload failure: ${error.message}`);
    return error;
  }

  /**
   * With async=1 Flickr answers a ticket at once and finishes later. Pinhole stores the photo
   * before answering (its upload is durable once the answer leaves), so the ticket is already
   * complete (1) or failed (2) when it is handed out; flickr.photos.upload.checkTickets reads it.
   */
  async uploadAsync(caller: Caller, upload: ReceivedUpload): Promise<{ ticketId: string }> {
    if (!caller.viewer) {
      await removeTempFile(upload.tempPath);
      throw new FlickrError(INSUFFICIENT_PERMISSIONS, "Insufficient permissions. Uploading requires write privileges.");
    }
    const userId = caller.viewer.id;
    const now = this.deps.clock.now();
    try {
      const { photoId } = await this.upload(caller, upload);
      return { ticketId: String(await this.deps.flickr.insertTicket({ userId, photoId: Number(photoId), status: 1, now })) };
    } catch (error) {
      // Refusals of the request itself are answered at once; a photo that could not be made is a failed ticket.
      if (error instanceof FlickrError && [2, 3, 4, 5].includes(error.code)) return { ticketId: String(await this.deps.flickr.insertTicket({ userId, photoId: null, status: 2, now })) };
      throw error;
    }
  }

  /** A ticket for work already done (replace with async=1). */
  async completedTicket(caller: Caller, photoId: string): Promise<string> {
    return String(await this.deps.flickr.insertTicket({ userId: caller.viewer!.id, photoId: Number(photoId), status: 1, now: this.deps.clock.now() }));
  }

  // ---- the method table ----

  private nsidCache(): (username: string) => Promise<string> {
    const cache = new Map<string, Promise<string>>();
    return (username) => {
      let found = cache.get(username);
      if (!found) {
        found = this.deps.users.findPublicUser(username).then((u) => (u ? nsidOf(u.id) : ""));
        cache.set(username, found);
      }
      return found;
    };
  }

  private async listed(photos: PhotoView[], extras: Set<string>): Promise<FlickrNode[]> {
    const nsid = this.nsidCache();
    return Promise.all(photos.map(async (p) => listedPhoto(p, await nsid(p.owner.username), extras)));
  }

  /** A member named by NSID, or "me" for the caller. */
  private async userArg(caller: Caller, value: string | undefined, notFound: () => FlickrError = USER_NOT_FOUND): Promise<{ id: number; username: string }> {
    if (value === "me" || value === undefined || value === "") {
      if (caller.viewer && (value === "me" || value === undefined || value === "")) return { id: caller.viewer.id, username: caller.viewer.username };
      throw notFound();
    }
    const id = userIdOfNsid(value);
    const user = id === null ? null : await this.deps.users.findActiveUserById(id);
    if (!user) throw notFound();
    return user;
  }

  private requireViewer(caller: Caller): Viewer {
    if (!caller.viewer) throw new FlickrError(INSUFFICIENT_PERMISSIONS, "Insufficient permissions. Method requires read privileges; none granted.");
    return caller.viewer;
  }

  private photosets(method: string): PhotosetsPort {
    if (!this.deps.photosets) throw new FlickrError(METHOD_NOT_FOUND, `Method "${method}" not found`);
    return this.deps.photosets;
  }

  private photosetNode(set: PhotosetView, children: FlickrNode[] = []): FlickrNode {
    return node(
      "photoset",
      { id: set.id, owner: nsidOf(set.ownerId), username: set.ownerUsername, primary: set.primaryPhotoId ?? "", secret: "", server: "0", farm: 0, photos: set.photoCount, count_photos: set.photoCount, count_videos: 0, date_create: String(Math.floor(set.createdAt / 1000)), date_update: String(Math.floor(set.updatedAt / 1000)) },
      [textNode("title", set.title), textNode("description", set.description), ...children],
    );
  }

  private async searchPhotos(caller: Caller, args: Args, fixed: { ownerId?: number; anonymous?: boolean; requireFilter?: boolean }): Promise<FlickrNode[]> {
    const { page, perPage, offset } = pageArgs(args);
    const viewer = fixed.anonymous ? null : caller.viewer;
    const tags = (args.tags ?? "").split(",").map((t) => normalizeTag(t.trim())).filter(Boolean);
    const tagMode = args.tag_mode === "all" ? "all" : "any";
    if (tagMode === "all" && tags.length > 20) throw new FlickrError(1, "Too many tags in ALL query");
    let bbox: { minLongitude: number; minLatitude: number; maxLongitude: number; maxLatitude: number } | undefined;
    if (args.bbox) {
      const parts = args.bbox.split(",").map((v) => Number(v.trim()));
      const [minLongitude, minLatitude, maxLongitude, maxLatitude] = parts;
      const valid = parts.length === 4 && parts.every(Number.isFinite) && minLongitude! <= maxLongitude! && minLatitude! <= maxLatitude! && Math.abs(minLatitude!) <= 90 && Math.abs(maxLatitude!) <= 90;
      if (!valid) throw new FlickrError(18, "Illogical arguments: bbox must be minimum_longitude,minimum_latitude,maximum_longitude,maximum_latitude.");
      bbox = { minLongitude: minLongitude!, minLatitude: minLatitude!, maxLongitude: maxLongitude!, maxLatitude: maxLatitude! };
    }
    const licenses = args.license
      ? args.license
          .split(",")
          .map((v) => pinholeLicense(Number(v.trim())))
          .filter((l): l is NonNullable<typeof l> => l !== null)
      : undefined;
    const ownerId = fixed.ownerId ?? (args.user_id ? (await this.userArg(caller, args.user_id, () => new FlickrError(2, "Unknown user"))).id : undefined);
    const text = (args.text ?? "").trim();
    const sorts = ["date-posted-desc", "date-posted-asc", "date-taken-desc", "date-taken-asc"] as const;
    const sort = sorts.find((s) => s === args.sort) ?? "date-posted-desc";
    const scope = {
      ownerId,
      tags,
      tagMode,
      minUploaded: dateArg(args.min_upload_date, "min_upload_date"),
      maxUploaded: dateArg(args.max_upload_date, "max_upload_date"),
      minTaken: takenArg(args.min_taken_date, "min_taken_date"),
      maxTaken: takenArg(args.max_taken_date, "max_taken_date"),
      bbox,
      licenses,
      hasGeo: flag(args.has_geo),
      ids: undefined as number[] | undefined,
      sort,
      offset,
      limit: offset >= MAX_RESULTS ? 0 : Math.min(perPage, MAX_RESULTS - offset),
    } as const;
    const filtered = ownerId !== undefined || tags.length > 0 || bbox !== undefined || licenses !== undefined || text !== "" || scope.minUploaded !== undefined || scope.maxUploaded !== undefined || scope.minTaken !== undefined || scope.maxTaken !== undefined || scope.hasGeo;
    if (fixed.requireFilter && !filtered) throw new FlickrError(3, "Parameterless searches have been disabled. Please use flickr.photos.getRecent instead.");
    let ids: number[] | undefined;
    if (text !== "") {
      if (!this.deps.search) throw new FlickrError(10, "Sorry, the search API is not currently available: full-text search is not on this site yet; search by tags, user_id, dates, bbox or license instead.");
      ids = await this.deps.search.matchingPhotoIds(text, viewer, MAX_RESULTS);
    }
    const { photos, total } = await this.deps.photos.search(viewer, { ...scope, ids });
    return [photoPage("photos", await this.listed(photos, extrasArg(args)), { page, perPage, total })];
  }

  private buildMethods(): Record<string, MethodSpec> {
    const d = this.deps;
    const methods: Record<string, MethodSpec> = {
      "flickr.test.echo": {
        perm: "none",
        run: async (_caller, args) => Object.entries(args).filter(([name]) => !name.startsWith("oauth_")).map(([name, value]) => textNode(name, value)),
      },
      "flickr.test.login": {
        perm: "read",
        run: async (caller) => {
          const viewer = this.requireViewer(caller);
          return [node("user", { id: nsidOf(viewer.id), path_alias: viewer.username }, [textNode("username", viewer.username)])];
        },
      },
      "flickr.auth.oauth.checkToken": {
        perm: "none",
        run: async (caller, args) => {
          const viewer = this.requireViewer(caller);
          return [node("oauth", {}, [textNode("token", args.oauth_token ?? ""), textNode("perms", caller.perms ?? "none"), node("user", { nsid: nsidOf(viewer.id), username: viewer.username, fullname: "" })])];
        },
      },
      "flickr.people.findByUsername": {
        perm: "none",
        run: async (_caller, args) => {
          const user = await d.users.findPublicUser(args.username ?? "");
          if (!user || !(await d.users.findActiveUserById(user.id))) throw USER_NOT_FOUND();
          return [node("user", { id: nsidOf(user.id), nsid: nsidOf(user.id) }, [textNode("username", user.username)])];
        },
      },
      "flickr.people.getInfo": {
        perm: "none",
        run: async (caller, args) => {
          const user = await this.userArg(caller, args.user_id ?? "", USER_NOT_FOUND);
          const { total } = await d.photos.search(caller.viewer, { ownerId: user.id, sort: "date-posted-desc", offset: 0, limit: 0 });
          const base = d.baseUrl;
          return [
            node("person", { id: nsidOf(user.id), nsid: nsidOf(user.id), ispro: 0, is_deleted: 0, iconserver: "0", iconfarm: 0, path_alias: user.username }, [
              textNode("username", user.username),
              textNode("realname", ""),
              textNode("location", ""),
              textNode("description", ""),
              textNode("photosurl", `${base}/photos/${user.username}/`),
              textNode("profileurl", `${base}/photos/${user.username}/`),
              textNode("mobileurl", `${base}/photos/${user.username}/`),
              node("photos", {}, [textNode("firstdate", ""), textNode("firstdatetaken", ""), textNode("count", String(total))]),
            ]),
          ];
        },
      },
      "flickr.people.getPhotos": {
        perm: "none",
        run: async (caller, args) => {
          const user = await this.userArg(caller, args.user_id, () => new FlickrError(2, "Unknown user"));
          return this.searchPhotos(caller, args, { ownerId: user.id });
        },
      },
      "flickr.people.getPublicPhotos": {
        perm: "none",
        run: async (caller, args) => {
          const user = await this.userArg(caller, args.user_id || "none", () => new FlickrError(1, "User not found"));
          return this.searchPhotos(caller, args, { ownerId: user.id, anonymous: true });
        },
      },
      "flickr.photos.getInfo": {
        perm: "none",
        run: async (caller, args) => {
          const id = photoIdArg(args);
          const photo = await d.photos.get(id, caller.viewer);
          const ownerNsid = await this.nsidCache()(photo.owner.username);
          const [faved, comments] = await Promise.all([
            caller.viewer ? d.faves.summary(id, caller.viewer, 0).then((s) => s.viewerFaved) : Promise.resolve(false),
            d.comments.list(id, caller.viewer, 1),
          ]);
          const isOwner = photo.canEdit;
          const children: FlickrNode[] = [
            node("owner", { nsid: ownerNsid, username: photo.owner.username, realname: "", location: "", iconserver: "0", iconfarm: 0, path_alias: photo.owner.username }),
            textNode("title", photo.title),
            textNode("description", photo.description),
            node("visibility", visibilityFlags(photo.visibility)),
            node("dates", { posted: String(unixSeconds(photo.uploadedAt)), taken: flickrTaken(photo.takenAt) ?? flickrTaken(photo.uploadedAt), takengranularity: 0, takenunknown: photo.takenAt ? 0 : 1, lastupdate: String(unixSeconds(photo.uploadedAt)) }),
            node("editability", { cancomment: caller.viewer ? 1 : 0, canaddmeta: isOwner ? 1 : 0 }),
            node("publiceditability", { cancomment: 1, canaddmeta: 0 }),
            node("usage", { candownload: photo.originalUrl ? 1 : 0, canblog: 0, canprint: 0, canshare: 1 }),
            textNode("comments", String(comments.items.length)),
            node("notes", {}, [], ["note"]),
            node("people", { haspeople: 0 }),
            node(
              "tags",
              {},
              photo.tags.map((raw, i) => textNode("tag", photo.tagKeys[i] ?? raw, { id: `${photo.id}-${photo.tagKeys[i] ?? raw}`, author: ownerNsid, authorname: photo.owner.username, raw, machine_tag: 0 })),
              ["tag"],
            ),
          ];
          if (photo.location) {
            children.push(node("location", { latitude: photo.location.latitude, longitude: photo.location.longitude, accuracy: 16, context: 0 }));
            if (isOwner) children.push(node("geoperms", { ispublic: photo.location.visibility === "everyone" ? 1 : 0, iscontact: photo.location.visibility === "contacts" ? 1 : 0, isfriend: photo.location.visibility === "friends_and_family" ? 1 : 0, isfamily: photo.location.visibility === "friends_and_family" ? 1 : 0 }));
          }
          children.push(node("urls", {}, [textNode("url", photo.pageUrl, { type: "photopage" })], ["url"]));
          const original = photo.originalUrl ? { originalsecret: secretOf(photo), originalformat: "jpg" } : {};
          return [
            node("photo", { id: photo.id, secret: secretOf(photo), server: "0", farm: 0, dateuploaded: String(unixSeconds(photo.uploadedAt)), isfavorite: faved ? 1 : 0, license: String(flickrLicenseId(photo.license.id)), safety_level: photo.restricted ? "2" : "0", rotation: 0, ...original, views: "0", media: "photo" }, children),
          ];
        },
      },
      "flickr.photos.getSizes": {
        perm: "none",
        run: async (caller, args) => {
          const photo = await d.photos.get(photoIdArg(args), caller.viewer);
          const sizes = flickrSizes(photo).map((s) => node("size", { label: s.label, width: s.width, height: s.height, source: s.url, url: photo.pageUrl, media: "photo" }));
          return [node("sizes", { canblog: 0, canprint: 0, candownload: photo.originalUrl ? 1 : 0 }, sizes, ["size"])];
        },
      },
      "flickr.photos.getExif": {
        perm: "none",
        run: async (caller, args) => {
          const photo = await d.photos.get(photoIdArg(args), caller.viewer);
          const exif: FlickrNode[] = [];
          const add = (tagspace: string, tag: string, label: string, value: string | number | null | undefined, clean?: string) => {
            if (value === null || value === undefined || value === "") return;
            exif.push(node("exif", { tagspace, tagspaceid: 0, tag, label }, clean === undefined ? [textNode("raw", String(value))] : [textNode("raw", String(value)), textNode("clean", clean)]));
          };
          add("IFD0", "Make", "Make", photo.camera?.make);
          add("IFD0", "Model", "Model", photo.camera?.model);
          add("ExifIFD", "LensModel", "Lens Model", photo.camera?.lens);
          add("ExifIFD", "ExposureTime", "Exposure", photo.exposure?.time);
          add("ExifIFD", "FNumber", "Aperture", photo.exposure?.fNumber, photo.exposure?.fNumber ? `f/${photo.exposure.fNumber}` : undefined);
          add("ExifIFD", "ISO", "ISO Speed", photo.exposure?.iso);
          add("ExifIFD", "FocalLength", "Focal Length", photo.exposure?.focalLength, photo.exposure?.focalLength ? `${photo.exposure.focalLength} mm` : undefined);
          add("ExifIFD", "DateTimeOriginal", "Date and Time (Original)", flickrTaken(photo.takenAt));
          const camera = [photo.camera?.make, photo.camera?.model].filter(Boolean).join(" ");
          return [node("photo", { id: photo.id, secret: secretOf(photo), server: "0", farm: 0, camera }, exif, ["exif"])];
        },
      },
      "flickr.photos.search": { perm: "none", run: async (caller, args) => this.searchPhotos(caller, args, { requireFilter: true }) },
      "flickr.photos.getRecent": { perm: "none", run: async (caller, args) => this.searchPhotos(caller, { ...args, sort: "date-posted-desc" }, { anonymous: true }) },
      "flickr.photos.setMeta": {
        perm: "write",
        run: async (caller, args) => {
          const edit: { title?: string; description?: string } = {};
          if (args.title !== undefined) edit.title = args.title;
          if (args.description !== undefined) edit.description = args.description;
          await d.photos.update(photoIdArg(args), this.requireViewer(caller), edit).catch((e: unknown) => Promise.reject(ownerEdit(e)));
          return [];
        },
      },
      "flickr.photos.setTags": {
        perm: "write",
        run: async (caller, args) => {
          await d.photos.update(photoIdArg(args), this.requireViewer(caller), { tags: args.tags ?? "" }).catch((e: unknown) => Promise.reject(ownerEdit(e)));
          return [];
        },
      },
      "flickr.photos.addTags": {
        perm: "write",
        run: async (caller, args) => {
          const viewer = this.requireViewer(caller);
          const id = photoIdArg(args);
          const photo = await d.photos.get(id, viewer);
          if (!photo.canEdit) throw PHOTO_NOT_FOUND();
          const added = parseTags(args.tags ?? "").map((t) => t.raw);
          await d.photos.update(id, viewer, { tags: formatTags([...photo.tags, ...added]) }).catch((e: unknown) => Promise.reject(ownerEdit(e)));
          return [];
        },
      },
      "flickr.photos.setPerms": {
        perm: "write",
        run: async (caller, args) => {
          const visibility = visibilityOf({ isPublic: flag(args.is_public), isFriend: flag(args.is_friend), isFamily: flag(args.is_family) });
          const photo = await d.photos.update(photoIdArg(args), this.requireViewer(caller), { visibility }).catch((e: unknown) => Promise.reject(ownerEdit(e)));
          return [textNode("photoid", photo.id, { secret: secretOf(photo), originalsecret: secretOf(photo) })];
        },
      },
      "flickr.photos.delete": {
        perm: "delete",
        run: async (caller, args) => {
          await d.photos.delete(photoIdArg(args), this.requireViewer(caller)).catch((e: unknown) => Promise.reject(ownerEdit(e)));
          return [];
        },
      },
      "flickr.photos.comments.getList": {
        perm: "none",
        run: async (caller, args) => {
          const id = photoIdArg(args);
          const nsid = this.nsidCache();
          const items = [];
          for (let page = 1; ; page++) {
            const list = await d.comments.list(id, caller.viewer, page);
            items.push(...list.items);
            if (!list.hasMore || page >= 10) break;
          }
          const comments = await Promise.all(
            items.map(async (c) => textNode("comment", c.body, { id: String(c.id), author: await nsid(c.authorUsername), author_is_deleted: 0, authorname: c.authorUsername, realname: "", datecreate: String(Math.floor(c.createdAt / 1000)), permalink: `${d.baseUrl}/photos/${c.photoOwnerUsername}/${id}#comment-${c.id}` })),
          );
          return [node("comments", { photo_id: String(id) }, comments, ["comment"])];
        },
      },
      "flickr.photos.comments.addComment": {
        perm: "write",
        run: async (caller, args) => {
          const text = args.comment_text ?? "";
          if (text.trim() === "") throw new FlickrError(8, "Blank comment");
          const comment = await d.comments.add(this.requireViewer(caller), photoIdArg(args), text);
          return [node("comment", { id: String(comment.id), permalink: `${d.baseUrl}/photos/${comment.photoOwnerUsername}/${comment.photoId}#comment-${comment.id}` })];
        },
      },
      "flickr.favorites.add": {
        perm: "write",
        run: async (caller, args) => {
          await d.faves.fave(this.requireViewer(caller), photoIdArg(args));
          return [];
        },
      },
      "flickr.favorites.remove": {
        perm: "write",
        run: async (caller, args) => {
          await d.faves.unfave(this.requireViewer(caller), photoIdArg(args));
          return [];
        },
      },
      "flickr.favorites.getList": { perm: "read", run: async (caller, args) => this.faveList(caller, args, caller.viewer) },
      "flickr.favorites.getPublicList": { perm: "none", run: async (caller, args) => this.faveList(caller, args, null) },
      "flickr.photos.geo.getLocation": {
        perm: "none",
        run: async (caller, args) => {
          const photo = await d.photos.get(photoIdArg(args), caller.viewer);
          if (!photo.location) throw new FlickrError(2, "Photo has no location information.");
          return [node("photo", { id: photo.id }, [node("location", { latitude: photo.location.latitude, longitude: photo.location.longitude, accuracy: 16, context: 0 })])];
        },
      },
      "flickr.photos.geo.setLocation": {
        perm: "write",
        run: async (caller, args) => {
          const id = photoIdArg(args);
          if (args.lat === undefined || args.lon === undefined) throw new FlickrError(2, "Required arguments missing.");
          const latitude = Number(args.lat);
          const longitude = Number(args.lon);
          if (args.lat.trim() === "" || !Number.isFinite(latitude) || Math.abs(latitude) > 90) throw new FlickrError(3, "Not a valid latitude.");
          if (args.lon.trim() === "" || !Number.isFinite(longitude) || Math.abs(longitude) > 180) throw new FlickrError(4, "Not a valid longitude.");
          await d.photos.setLocation(id, this.requireViewer(caller), { latitude, longitude }).catch((e: unknown) => Promise.reject(ownerEdit(e)));
          return [];
        },
      },
      "flickr.photos.licenses.getInfo": {
        perm: "none",
        run: async () => [node("licenses", {}, FLICKR_LICENSES.map((l) => node("license", { id: String(l.id), name: l.name, url: l.url })), ["license"])],
      },
      "flickr.photos.upload.checkTickets": {
        perm: "read",
        run: async (caller, args) => {
          const viewer = this.requireViewer(caller);
          const asked = (args.tickets ?? "").split(",").map((t) => t.trim()).filter(Boolean).slice(0, 100);
          const ids = asked.filter((t) => /^[1-9][0-9]{0,15}$/.test(t)).map(Number);
          const found = new Map((await d.flickr.ticketsOf(viewer.id, ids)).map((t) => [String(t.id), t]));
          const tickets = asked.map((t) => {
            const ticket = found.get(t);
            if (!ticket) return node("ticket", { id: t, invalid: 1 });
            return node("ticket", { id: t, complete: ticket.status, ...(ticket.photoId !== null ? { photoid: String(ticket.photoId), imported: "1" } : {}) });
          });
          return [node("uploader", {}, tickets, ["ticket"])];
        },
      },
      "flickr.contacts.getList": {
        perm: "read",
        run: async (caller, args) => {
          const page = Math.max(Number.parseInt(args.page ?? "", 10) || 1, 1);
          const list = await d.social.contactsPage(this.requireViewer(caller), page);
          const filter = args.filter;
          const items = list.items.filter((c) => (filter === "friends" ? c.isFriend : filter === "family" ? c.isFamily : filter === "both" ? c.isFriend && c.isFamily : filter === "neither" ? !c.isFriend && !c.isFamily : true));
          const contacts = items.map((c) => node("contact", { nsid: nsidOf(c.contactId), username: c.username, iconserver: "0", iconfarm: 0, ignored: 0, rev_ignored: 0, realname: "", friend: c.isFriend ? 1 : 0, family: c.isFamily ? 1 : 0, path_alias: c.username }));
          const total = (page - 1) * 100 + list.items.length + (list.hasMore ? 1 : 0);
          return [node("contacts", { page, pages: list.hasMore ? page + 1 : page, perpage: 100, total }, contacts, ["contact"])];
        },
      },
      "flickr.groups.pools.add": {
        perm: "write",
        run: async (caller, args) => {
          const viewer = this.requireViewer(caller);
          const ref = groupRef(args.group_id);
          await d.groups.get(ref, viewer).catch((e: unknown) => Promise.reject(asFlickr(e, () => new FlickrError(2, "Group not found"))));
          const { added } = await d.groups.addToPool(ref, viewer, photoIdArg(args)).catch((e: unknown) => Promise.reject(asFlickr(e)));
          if (!added) throw new FlickrError(3, "Photo already in pool");
          return [];
        },
      },
      "flickr.groups.pools.getPhotos": {
        perm: "none",
        run: async (caller, args) => {
          const ref = groupRef(args.group_id);
          const { page, perPage } = pageArgs(args);
          let cursor: string | undefined;
          let photos: PhotoView[] = [];
          let more = false;
          for (let current = 1; current <= page && current <= 40; current++) {
            const result = await d.groups.pool(ref, caller.viewer, cursor, perPage).catch((e: unknown) => Promise.reject(asFlickr(e, () => new FlickrError(1, "Group not found"))));
            photos = result.photos;
            more = result.nextCursor !== null;
            cursor = result.nextCursor ?? undefined;
            if (!cursor && current < page) {
              photos = [];
              break;
            }
          }
          const total = (page - 1) * perPage + photos.length + (more ? 1 : 0);
          return [photoPage("photos", await this.listed(photos, extrasArg(args)), { page, perPage, total })];
        },
      },
    };

    if (this.deps.photosets) {
      const sets = () => this.photosets("flickr.photosets");
      Object.assign(methods, {
        "flickr.photosets.create": {
          perm: "write",
          run: async (caller: Caller, args: Args) => {
            const set = await sets().create(this.requireViewer(caller), { title: args.title ?? "", description: args.description ?? "", primaryPhotoId: photoIdArg(args, "primary_photo_id") });
            return [node("photoset", { id: set.id, url: `${d.baseUrl}/photos/${set.ownerUsername}/albums/${set.id}` })];
          },
        },
        "flickr.photosets.getList": {
          perm: "none",
          run: async (caller: Caller, args: Args) => {
            const user = await this.userArg(caller, args.user_id, USER_NOT_FOUND);
            const { page, perPage } = pageArgs(args, 500);
            const { sets: list, total } = await sets().list(user.id, caller.viewer, page, perPage);
            return [node("photosets", { page, pages: Math.max(1, Math.ceil(total / perPage)), perpage: perPage, total }, list.map((s) => this.photosetNode(s)), ["photoset"])];
          },
        },
        "flickr.photosets.getPhotos": {
          perm: "none",
          run: async (caller: Caller, args: Args) => {
            const { page, perPage } = pageArgs(args, 500);
            const { set, photos, total } = await sets().photos(args.photoset_id ?? "", caller.viewer, page, perPage).catch((e: unknown) => Promise.reject(asFlickr(e, () => new FlickrError(1, "Photoset not found"))));
            const listed = await this.listed(photos, extrasArg(args));
            return [photoPage("photoset", listed, { page, perPage, total }, { id: set.id, primary: set.primaryPhotoId ?? "", owner: nsidOf(set.ownerId), ownername: set.ownerUsername, title: set.title })];
          },
        },
        "flickr.photosets.getInfo": {
          perm: "none",
          run: async (caller: Caller, args: Args) => {
            const set = await sets().info(args.photoset_id ?? "", caller.viewer).catch((e: unknown) => Promise.reject(asFlickr(e, () => new FlickrError(1, "Photoset not found"))));
            return [this.photosetNode(set)];
          },
        },
        "flickr.photosets.addPhoto": {
          perm: "write",
          run: async (caller: Caller, args: Args) => {
            await sets().addPhoto(this.requireViewer(caller), args.photoset_id ?? "", photoIdArg(args));
            return [];
          },
        },
        "flickr.photosets.removePhoto": {
          perm: "write",
          run: async (caller: Caller, args: Args) => {
            await sets().removePhoto(this.requireViewer(caller), args.photoset_id ?? "", photoIdArg(args));
            return [];
          },
        },
      } satisfies Record<string, MethodSpec>);
    }
    return methods;
  }

  private async faveList(caller: Caller, args: Args, viewer: Viewer | null): Promise<FlickrNode[]> {
    const user = await this.userArg(caller, args.user_id, USER_NOT_FOUND);
    const page = Math.max(Number.parseInt(args.page ?? "", 10) || 1, 1);
    const list = await this.deps.faves.favedPhotos(user.username, viewer, page);
    const perPage = 60;
    const total = (page - 1) * perPage + list.items.length + (list.hasMore ? 1 : 0);
    return [photoPage("photos", await this.listed(list.items, extrasArg(args)), { page, perPage, total })];
  }
}

/** Groups are named by their Pinhole id (or slug) where Flickr takes a group NSID. */
function groupRef(value: string | undefined): { id: number } | { slug: string } {
  const text = (value ?? "").trim();
  if (/^[1-9][0-9]{0,15}(@N00)?$/.test(text)) return { id: Number(text.replace("@N00", "")) };
  if (/^[a-z0-9-]{1,100}$/.test(text)) return { slug: text };
  throw new FlickrError(2, "Group not found");
}
