import { english, type Messages } from "../i18n/messages.ts";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseUnavailable } from "../db/errors.ts";
import { AppError, ReadOnlyError, TooManyRequestsError, UnavailableError, wording, type Wording } from "../errors.ts";
import type { IncidentView } from "../status/presenter.ts";
import { readOnlyPage, unavailablePage } from "../status/views.ts";
import { errorPage } from "./layout.ts";
import { memberCsrfToken } from "./forms.ts";

/** A request that failed on our side (5xx), as the admin page lists it. */
export interface FailedRequest {
  message: string;
  /** Method and route pattern (never the URL, which may hold a token); null outside any route. */
  route: string | null;
  requestId: string;
}

/** Keeps server errors for the operator; must return at once and never throw. */
export interface ErrorRecorder {
  record(failure: FailedRequest): void;
}

interface HttpFailure {
  status: number;
  code: string;
  /** In English: the API's `message`, and the log's. */
  message: string;
  /** The same as a catalog message, for a person in the request's language; null: English only. */
  wording: Wording | null;
  details?: Record<string, unknown>;
}

function failureOf(status: number, code: string, words: Wording): HttpFailure {
  return { status, code, message: english().t(words.key, words.values), wording: words };
}

export const DATABASE_DOWN_MESSAGE = "Pinhole is having trouble reaching its database. Nothing is lost: try again in a minute.";

/** What a database error becomes; its own type only so that its page can say so in the heading. */
class DatabaseUnavailableError extends UnavailableError {
  constructor() {
    super(DATABASE_DOWN_MESSAGE);
  }
}

/** What the 503 pages show beside the message: the unresolved incidents, from the copy on disk. */
export interface OutageInfo {
  openIncidents(): Promise<IncidentView[]>;
}

/**
 * Errors from the database that mean "not now" (unreachable, timed out, its file gone) become
 * UnavailableError here, once for every route: a 503 page or JSON answer, never a 500 or a
 * stack trace. Other errors pass through unchanged.
 */
function normalize(error: unknown): unknown {
  if (error instanceof AppError) return error;
  return isDatabaseUnavailable(error) ? new DatabaseUnavailableError() : error;
}

/** Every error becomes one of our meanings here, the one place errors meet HTTP. */
function classify(error: unknown, maxUploadMb: number): HttpFailure {
  if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message, wording: error.wording, details: error.details };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    // The detail is Ajv's, in English whatever the page's language: it names the field and rule.
    return failureOf(400, "invalid", wording("errors.requestInvalid", { detail: fastifyError.message }));
  }
  switch (fastifyError.code) {
    case "FST_REQ_FILE_TOO_LARGE":
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return failureOf(413, "too_large", wording("errors.upload.tooLarge", { mb: maxUploadMb }));
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return failureOf(415, "unsupported_media_type", wording("errors.multipartOrJson"));
    case "FST_PARTS_LIMIT":
    case "FST_FILES_LIMIT":
    case "FST_FIELDS_LIMIT":
      return failureOf(400, "invalid", wording("errors.onePhotoPerRequest"));
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return failureOf(400, "invalid", wording("errors.invalidJson"));
    default:
      break;
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) return { status, code: "invalid", message: fastifyError.message, wording: null };
  return failureOf(500, "internal", wording("errors.internal"));
}

/** What a person reads: the failure in the language of the request's page. */
function spoken(failure: Pick<HttpFailure, "message" | "wording">, messages: Messages): string {
  return failure.wording ? messages.t(failure.wording.key, failure.wording.values) : failure.message;
}

/**
 * The API's error answer. `message` stays English in every language: it is the documented text
 * that machine clients log, compare and quote in bug reports, the same for everyone and for every
 * cache. `localizedMessage` says the same in the request's language (the `lang` cookie, the
 * member's saved language, then Accept-Language, as for pages), for scripts and apps that show
 * it to a person: upload.js shows it per file, so a refusal keeps its details (which format,
 * which limit) in the page's language. It is English where the message has no translation.
 */
export function apiErrorBody(failure: Pick<HttpFailure, "code" | "message" | "wording" | "details">, messages: Messages): { error: Record<string, unknown> } {
  return { error: { code: failure.code, message: failure.message, localizedMessage: spoken(failure, messages), ...(failure.details ? { details: failure.details } : {}) } };
}

function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith("/api/")) return false;
  const accept = request.headers.accept ?? "";
  return accept.includes("text/html");
}

async function htmlFor(error: unknown, failure: HttpFailure, request: FastifyRequest, outage: OutageInfo | undefined): Promise<string> {
  const viewer = request.viewer ?? null;
  const csrfToken = memberCsrfToken(request);
  const messages = pageMessages(request);
  if (error instanceof ReadOnlyError) return readOnlyPage({ viewer, csrfToken, messages, message: spoken(failure, messages ?? english()) });
  if (error instanceof UnavailableError) {
    const incidents = outage ? await outage.openIncidents().catch(() => []) : [];
    return unavailablePage({ viewer, csrfToken, messages, databaseDown: error instanceof DatabaseUnavailableError, message: failure.message, incidents });
  }
  return errorPage(failure.status, spoken(failure, messages ?? english()), viewer, csrfToken, messages);
}

/**
 * Error pages, and the API's `localizedMessage`, speak the visitor's language. Choosing it reads
 * no database: the viewer's saved language counts only if they were found.
 */
function pageMessages(request: FastifyRequest): Messages | undefined {
  return typeof request.messages === "function" ? request.messages() : undefined;
}

/** The most of an unread request body read and dropped so that its client gets the answer. */
const DRAIN_MAX_BYTES = 32 * 1024 * 1024;
const DRAIN_MAX_MS = 5000;

/** Reads the rest of a request's body and drops it; answers whether it was read to its end. */
function drainBody(raw: FastifyRequest["raw"]): Promise<boolean> {
  if (raw.complete) return Promise.resolve(true);
  const declared = Number(raw.headers["content-length"]);
  if (raw.destroyed || raw.readableEnded || !Number.isFinite(declared) || declared > DRAIN_MAX_BYTES) return Promise.resolve(false);
  return new Promise((resolve) => {
    let received = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off("data", count);
      raw.off("end", finish);
      raw.off("close", finish);
      raw.off("error", finish);
      resolve(raw.complete);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > DRAIN_MAX_BYTES) finish();
    };
    const timer = setTimeout(finish, DRAIN_MAX_MS);
    raw.on("data", count);
    raw.once("end", finish);
    raw.once("close", finish);
    raw.once("error", finish);
    raw.resume();
  });
}

export function installErrorHandler(app: FastifyInstance, maxUploadBytes: number, options: { outage?: OutageInfo; recorder?: ErrorRecorder } = {}): void {
  const { outage, recorder } = options;
  const maxUploadMb = Math.round(maxUploadBytes / 1024 / 1024);
  app.setErrorHandler(async (raw: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = normalize(raw);
    const failure = classify(error, maxUploadMb);
    if (error instanceof DatabaseUnavailableError) {
      // One line per request during an outage, without the stack: the cause is the same each time.
      request.log.warn({ err: (raw as Error).message, url: request.url }, "database unavailable");
    } else if (failure.status >= 500 && failure.status !== 503) {
      request.log.error({ err: error }, "request failed");
      const pattern = request.routeOptions.url;
      const message = error instanceof Error ? error.message || error.name : String(error);
      recorder?.record({ message, route: pattern ? `${request.method} ${pattern}` : null, requestId: request.id });
    } else {
      request.log.info({ status: failure.status, code: failure.code }, failure.message);
    }
    if (error instanceof TooManyRequestsError || error instanceof UnavailableError || error instanceof ReadOnlyError) {
      reply.header("retry-after", String(error.retryAfterSeconds));
    }
    // An outage answer must not be kept by a cache in front of us after the outage is over.
    if (failure.status === 503) reply.header("cache-control", "no-store");
    reply.code(failure.status);
    // A body we stopped reading (an upload refused before it was read, or that failed half-way)
    // leaves the connection unusable for another request. Closing it while the client still
    // sends makes the client fail on a broken pipe and lose our answer (an upload refused with
    // a 503 during a database outage arrived as EPIPE), so a body of reasonable size is read to
    // its end first; one too large, or too slow, is cut off by closing after the answer.
    if (!(await drainBody(request.raw))) reply.header("connection", "close");
    if (wantsHtml(request)) return reply.type("text/html; charset=utf-8").send(await htmlFor(error, failure, request, outage));
    return reply.send(apiErrorBody(failure, pageMessages(request) ?? english()));
  });

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    if (wantsHtml(request)) {
      const messages = pageMessages(request) ?? english();
      return reply.type("text/html; charset=utf-8").send(errorPage(404, messages.t("error.nothingHere"), null, memberCsrfToken(request), messages));
    }
    return reply.send({ error: { code: "not_found", message: english().t("error.nothingHere"), localizedMessage: (pageMessages(request) ?? english()).t("error.nothingHere") } });
  });
}
