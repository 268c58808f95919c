import { Server, type Upload } from "@tus/server";
import type { ServerResponse } from "node:http";
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import { AppError, wording, type Wording } from "../errors.ts";
import { PeriodicTask, type PeriodicRuns } from "../ops/periodic.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages } from "../i18n/messages.ts";
import { BEARER_HEADER } from "../web/access.ts";
import { apiErrorBody, DATABASE_DOWN_MESSAGE } from "../web/error-handler.ts";
import type { PhotoService } from "./service.ts";
import type { UploadQuotas } from "./quotas.ts";
import type { ResumablePartsStore } from "./resumable-parts.ts";
import { ALREADY_SYNCED, sanitizeFileName, type ReceivedUpload } from "./upload-receiver.ts";
import { UploadLocker, type UploadLockTimings } from "./upload-locker.ts";
import type { UploadLocksRepository } from "./upload-locks-repository.ts";

export const RESUMABLE_PATH = "/api/v1/uploads";
/** Upload-Metadata keys taken over as the photo's fields, as the multipart upload takes them. */
const FIELDS = ["title", "description", "tags", "visibility", "restricted", "license", "downloadAllowed"];
const OWNER_KEY = "pinholeOwner";
const CLEAN_UP_EVERY_MS = 60 * 60_000;
/** The task's name in `periodic_runs`. */
export const RESUMABLE_EXPIRY_TASK = "resumable.expire";

export interface ResumableUploadsDeps {
  /** Where parts wait: the data dir on one machine, the shared store (S3) on several. */
  parts: ResumablePartsStore;
  /** Where the finished file is put together for the ingest (the store's scratch dir). */
  scratchDir: string;
  maxBytes: number;
  expiryMs: number;
  photos: PhotoService;
  quotas: UploadQuotas;
  locks: UploadLocksRepository;
  lockTimings?: UploadLockTimings;
  runs: PeriodicRuns;
  clock: Clock;
  /** Who this process is, in `periodic_runs`. */
  holder: string;
  log: Logger;
}

type TusError = { status_code: number; body: string };

/** An answer of ours to a tus step, as the JSON API writes one: in the uploader's language (English before the caller is known). */
function refusal(status: number, words: Wording, messages: Messages = english(), code = "refused"): TusError {
  return { status_code: status, body: JSON.stringify(apiErrorBody({ code, message: english().t(words.key, words.values), wording: words }, messages)) };
}

/** A refusal as the JSON API writes it, `localizedMessage` in the uploader's language. */
function asTusError(error: unknown, messages: Messages): TusError {
  if (error instanceof AppError) return { status_code: error.status, body: JSON.stringify(apiErrorBody(error, messages)) };
  throw error;
}

/** Who is behind a request tus is handling, and its logger: tus sees a web Request wrapping the Node one. */
interface Caller {
  viewer: Viewer;
  messages: Messages;
  log: FastifyBaseLogger;
  response: ServerResponse;
}

/**
 * tus 1.0 resumable uploads (creation, termination, expiration) at /api/v1/uploads/, for large
 * files over bad connections. Parts wait in the parts store until the last byte arrives (any
 * server of a site may take any request: the parts are in the shared store, the lock in the
 * database); then the file is put together, fsynced and goes through the same ingest as a
 * multipart upload, and the final PATCH answers 201 with the photo. Each upload belongs to the
 * member who created it.
 */
export class ResumableUploads {
  private readonly tus: Server;
  private readonly locker: UploadLocker;
  private readonly callers = new WeakMap<object, Caller>();
  private readonly expiry: PeriodicTask;

  constructor(private readonly deps: ResumableUploadsDeps) {
    this.locker = new UploadLocker({ locks: deps.locks, clock: deps.clock, log: deps.log }, deps.lockTimings);
    this.tus = new Server({
      path: RESUMABLE_PATH,
      datastore: deps.parts,
      locker: this.locker,
      maxSize: deps.maxBytes,
      relativeLocation: true,
      respectForwardedHeaders: false,
      onIncomingRequest: async (req, uploadId) => this.checkOwner(this.callerOf(req), uploadId),
      onUploadCreate: async (req, upload) => this.admit(this.callerOf(req), upload),
      onUploadFinish: async (req, upload) => this.finish(this.callerOf(req), upload, req.method === "POST"),
      onResponseError: async (req, error) => this.answerFailure(req, error),
    });
    // Unfinished uploads are removed once across the site, by whichever server claims the period:
    // every hour, or every expiry period when that is shorter.
    const { runs, clock, holder, log } = deps;
    this.expiry = new PeriodicTask({
      task: RESUMABLE_EXPIRY_TASK,
      intervalMs: Math.min(CLEAN_UP_EVERY_MS, deps.expiryMs),
      runs,
      clock,
      holder,
      say: (level, message) => log[level](`resumable uploads: ${message}`),
      work: async () => {
        const removed = await this.cleanUpExpired();
        return removed > 0 ? `removed ${removed} expired unfinished uploads` : undefined;
      },
    });
  }

  private callerOf(req: { runtime?: { node?: { req: object } } }): Caller {
    const raw = req.runtime?.node?.req;
    const caller = raw ? this.callers.get(raw) : undefined;
    if (!caller) throw refusal(401, wording("errors.upload.logInOrToken", { header: BEARER_HEADER }));
    return caller;
  }

  /** The route's access rule made sure of a member; tus takes over the raw request and response. */
  async handle(request: FastifyRequest, reply: FastifyReply, viewer: Viewer): Promise<void> {
    this.callers.set(request.raw, { viewer, messages: request.messages(), log: request.log, response: reply.raw });
    reply.hijack();
    await this.tus.handle(request.raw, reply.raw);
  }

  /**
   * tus's own refusals pass as they are; the database being away is a 503 as everywhere; anything
   * else is logged and answered as the API answers a failure of ours, without its text (tus would
   * append the error's own message, such as a part missing from the store, to its English).
   */
  private answerFailure(req: { runtime?: { node?: { req: object } } }, error: Error | TusError): TusError | undefined {
    if ("status_code" in error) return undefined;
    const raw = req.runtime?.node?.req;
    const caller = raw ? this.callers.get(raw) : undefined;
    if (isDatabaseUnavailable(error)) return { status_code: 503, body: JSON.stringify({ error: { code: "unavailable", message: DATABASE_DOWN_MESSAGE } }) };
    (caller?.log ?? this.deps.log).error({ err: error }, "resumable upload request failed");
    return refusal(500, wording("errors.internal"), caller?.messages, "internal");
  }

  private async checkOwner({ viewer, messages }: Caller, uploadId: string): Promise<void> {
    if (!uploadId) return;
    const upload = await this.deps.parts.getUpload(uploadId).catch(() => null);
    // Someone else's upload is answered as if it did not exist.
    if (upload && upload.metadata?.[OWNER_KEY] !== String(viewer.id)) throw refusal(404, wording("errors.upload.noSuchUpload"), messages);
  }

  /** Over quota with the declared size: refused before any byte is stored. */
  private async admit({ viewer, messages }: Caller, upload: Upload): Promise<{ metadata: Record<string, string | null> }> {
    const hold = await this.deps.quotas.admit(viewer.id, upload.size ?? null).catch((error: unknown) => {
      throw asTusError(error, messages);
    });
    hold.release();
    return { metadata: { ...(upload.metadata ?? {}), [OWNER_KEY]: String(viewer.id) } };
  }

  /**
   * The last byte is in (on this server or another): the upload is locked again for its last
   * step, so a repeated last PATCH, on any server, cannot ingest it twice; tus has let go of its
   * own lock before calling this.
   */
  private async finish(caller: Caller, upload: Upload, inCreation: boolean): Promise<{ status_code: number; headers: Record<string, string>; body: string }> {
    const lock = this.locker.newLock(upload.id);
    // The ingest is not stopped for another request: the bytes are all there and it is the last step.
    await lock.lock(new AbortController().signal, () => undefined);
    try {
      const current = await this.deps.parts.getUpload(upload.id).catch(() => null);
      if (!current) throw refusal(404, wording("errors.upload.uploadGone"), caller.messages);
      if (current.size === undefined || current.offset < current.size) throw refusal(409, wording("errors.upload.incomplete"), caller.messages);
      return await this.ingest(caller, current, inCreation);
    } finally {
      await lock.unlock();
    }
  }

  private async ingest(caller: Caller, upload: Upload, inCreation: boolean): Promise<{ status_code: number; headers: Record<string, string>; body: string }> {
    const { viewer, messages } = caller;
    const hold = await this.deps.quotas.admit(viewer.id, upload.size ?? null).catch((error: unknown) => {
      throw asTusError(error, messages);
    });
    try {
      const whole = await this.deps.parts.wholeFile(upload, this.deps.scratchDir);
      const quota = await hold.confirm(whole.bytes);
      const metadata = upload.metadata ?? {};
      const fields: Record<string, string> = {};
      for (const key of FIELDS) if (typeof metadata[key] === "string") fields[key] = metadata[key];
      const received: ReceivedUpload = { ...whole, synced: ALREADY_SYNCED, displayName: sanitizeFileName(metadata.filename ?? metadata.name ?? undefined), fields };
      // The ingest removes the file it was given, whatever happens.
      const { photo, created } = await this.deps.photos.upload(viewer, received, quota);
      return { status_code: created ? 201 : 200, headers: { "content-type": "application/json; charset=utf-8", location: photo.pageUrl }, body: JSON.stringify(photo) };
    } catch (error) {
      throw asTusError(error, messages);
    } finally {
      hold.release();
      // tus reads the upload once more after a creation that carried every byte (for its
      // Upload-Expires header): then the parts go once the answer is sent, else at once.
      if (inCreation && !caller.response.closed) caller.response.once("close", () => void this.discard(upload.id, caller.log));
      else await this.discard(upload.id, caller.log);
    }
  }

  /** Parts that cannot be removed now (the store is away) go with the expiry clean-up. */
  private async discard(uploadId: string, log: FastifyBaseLogger): Promise<void> {
    await this.deps.parts.discard(uploadId).catch((error: unknown) => log.warn({ err: error, uploadId }, "could not remove a finished resumable upload's parts"));
  }

  /** Removes unfinished uploads older than the expiry, parts and all, and locks their holders left; answers how many uploads. */
  async cleanUpExpired(): Promise<number> {
    const removed = await this.tus.cleanUpExpiredUploads();
    await this.deps.locks.pruneExpired(this.deps.clock.now() - 60_000);
    return removed;
  }

  start(): void {
    this.expiry.start();
  }

  async stop(): Promise<void> {
    await this.expiry.stop();
  }
}
