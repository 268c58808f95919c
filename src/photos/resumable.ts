import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { FileStore } from "@tus/file-store";
import { Server, type Upload } from "@tus/server";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { AppError } from "../errors.ts";
import { english, type Messages } from "../i18n/messages.ts";
import { apiErrorBody } from "../web/error-handler.ts";
import type { Viewer } from "../users/service.ts";
import type { PhotoService } from "./service.ts";
import type { UploadQuotas } from "./quotas.ts";
import { sanitizeFileName, type ReceivedUpload } from "./upload-receiver.ts";

export const RESUMABLE_PATH = "/api/v1/uploads";
/** Upload-Metadata keys taken over as the photo's fields, as the multipart upload takes them. */
const FIELDS = ["title", "description", "tags", "visibility", "restricted", "license", "downloadAllowed"];
const OWNER_KEY = "pinholeOwner";
const CLEAN_UP_EVERY_MS = 60 * 60_000;

export interface ResumableUploadsDeps {
  directory: string;
  maxBytes: number;
  expiryMs: number;
  photos: PhotoService;
  quotas: UploadQuotas;
  log: Logger;
}

type TusError = { status_code: number; body: string };

function refusal(status: number, message: string): TusError {
  return { status_code: status, body: JSON.stringify(apiErrorBody({ code: "refused", message, wording: null }, english())) };
}

/** A refusal as the JSON API writes it, `localizedMessage` in the uploader's language. */
function asTusError(error: unknown, messages: Messages): TusError {
  if (error instanceof AppError) return { status_code: error.status, body: JSON.stringify(apiErrorBody(error, messages)) };
  throw error;
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest("hex");
}

/**
 * tus 1.0 resumable uploads (creation, termination, expiration) at /api/v1/uploads/, for large
 * files over bad connections. Parts are kept in the data dir until the last byte arrives; then
 * the file is fsynced and goes through the same ingest as a multipart upload, and the final
 * PATCH answers 201 with the photo. Each upload belongs to the member who created it.
 */
export class ResumableUploads {
  private readonly store: FileStore;
  private readonly tus: Server;
  /** Who is behind each request tus is handling, and their language: tus sees a web Request wrapping the Node one. */
  private readonly callers = new WeakMap<object, { viewer: Viewer; messages: Messages }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: ResumableUploadsDeps) {
    fs.mkdirSync(deps.directory, { recursive: true });
    this.store = new FileStore({ directory: deps.directory, expirationPeriodInMilliseconds: deps.expiryMs });
    this.tus = new Server({
      path: RESUMABLE_PATH,
      datastore: this.store,
      maxSize: deps.maxBytes,
      relativeLocation: true,
      respectForwardedHeaders: false,
      onIncomingRequest: async (req, uploadId) => this.checkOwner(this.callerOf(req).viewer, uploadId),
      onUploadCreate: async (req, upload) => this.admit(this.callerOf(req), upload),
      onUploadFinish: async (req, upload) => this.finish(this.callerOf(req), upload),
    });
  }

  private callerOf(req: { runtime?: { node?: { req: object } } }): { viewer: Viewer; messages: Messages } {
    const raw = req.runtime?.node?.req;
    const caller = raw ? this.callers.get(raw) : undefined;
    if (!caller) throw refusal(401, "Log in, or use the header Authorization: Bearer <token>.");
    return caller;
  }

  /** The route's access rule made sure of a member; tus takes over the raw request and response. */
  async handle(request: FastifyRequest, reply: FastifyReply, viewer: Viewer): Promise<void> {
    this.callers.set(request.raw, { viewer, messages: request.messages() });
    reply.hijack();
    await this.tus.handle(request.raw, reply.raw);
  }

  private async checkOwner(viewer: Viewer, uploadId: string): Promise<void> {
    if (!uploadId) return;
    const upload = await this.store.getUpload(uploadId).catch(() => null);
    // Someone else's upload is answered as if it did not exist.
    if (upload && upload.metadata?.[OWNER_KEY] !== String(viewer.id)) throw refusal(404, "There is no such upload.");
  }

  /** Over quota with the declared size: refused before any byte is stored. */
  private async admit({ viewer, messages }: { viewer: Viewer; messages: Messages }, upload: Upload): Promise<{ metadata: Record<string, string | null> }> {
    const hold = await this.deps.quotas.admit(viewer.id, upload.size ?? null).catch((error: unknown) => {
      throw asTusError(error, messages);
    });
    hold.release();
    return { metadata: { ...(upload.metadata ?? {}), [OWNER_KEY]: String(viewer.id) } };
  }

  private async finish({ viewer, messages }: { viewer: Viewer; messages: Messages }, upload: Upload): Promise<{ status_code: number; headers: Record<string, string>; body: string }> {
    const file = path.join(this.deps.directory, upload.id);
    const hold = await this.deps.quotas.admit(viewer.id, upload.size ?? null).catch((error: unknown) => {
      throw asTusError(error, messages);
    });
    try {
      const handle = await fsp.open(file, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      const bytes = (await fsp.stat(file)).size;
      await hold.confirm(bytes);
      const metadata = upload.metadata ?? {};
      const fields: Record<string, string> = {};
      for (const key of FIELDS) if (typeof metadata[key] === "string") fields[key] = metadata[key];
      const received: ReceivedUpload = { tempPath: file, sha256: await sha256Of(file), bytes, displayName: sanitizeFileName(metadata.filename ?? metadata.name ?? undefined), fields };
      // The ingest removes the file it was given, whatever happens.
      const { photo, created } = await this.deps.photos.upload(viewer, received);
      return { status_code: created ? 201 : 200, headers: { "content-type": "application/json; charset=utf-8", location: photo.pageUrl }, body: JSON.stringify(photo) };
    } catch (error) {
      throw asTusError(error, messages);
    } finally {
      hold.release();
      await fsp.rm(file, { force: true });
      await fsp.rm(`${file}.json`, { force: true });
    }
  }

  /** Removes unfinished uploads older than the expiry, parts and all; answers how many. */
  async cleanUpExpired(): Promise<number> {
    return this.tus.cleanUpExpiredUploads();
  }

  start(): void {
    this.timer = setInterval(() => {
      this.cleanUpExpired().catch((error: unknown) => this.deps.log.warn({ err: error }, "clean-up of expired resumable uploads failed"));
    }, CLEAN_UP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
