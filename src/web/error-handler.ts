import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, TooManyRequestsError } from "../errors.ts";
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
  message: string;
  details?: Record<string, unknown>;
}

/** Every error becomes one of our meanings here, the one place errors meet HTTP. */
function classify(error: unknown, maxUploadMb: number): HttpFailure {
  if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return { status: 400, code: "invalid", message: `The request is not valid: ${fastifyError.message}` };
  }
  switch (fastifyError.code) {
    case "FST_REQ_FILE_TOO_LARGE":
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "too_large", message: `That file is too large: uploads are limited to ${maxUploadMb} MB.` };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return { status: 415, code: "unsupported_media_type", message: "Send this request as multipart/form-data or JSON." };
    case "FST_PARTS_LIMIT":
    case "FST_FILES_LIMIT":
    case "FST_FIELDS_LIMIT":
      return { status: 400, code: "invalid", message: "Send one photo per request in the field named file." };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, code: "invalid", message: "The request body is not valid JSON." };
    default:
      break;
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) return { status, code: "invalid", message: fastifyError.message };
  return { status: 500, code: "internal", message: "Something went wrong on our side. It has been logged; try again in a moment." };
}

function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith("/api/")) return false;
  const accept = request.headers.accept ?? "";
  return accept.includes("text/html");
}

export function installErrorHandler(app: FastifyInstance, maxUploadBytes: number, recorder?: ErrorRecorder): void {
  const maxUploadMb = Math.round(maxUploadBytes / 1024 / 1024);
  app.setErrorHandler(async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const failure = classify(error, maxUploadMb);
    if (failure.status >= 500) {
      request.log.error({ err: error }, "request failed");
      const pattern = request.routeOptions.url;
      const message = error instanceof Error ? error.message || error.name : String(error);
      recorder?.record({ message, route: pattern ? `${request.method} ${pattern}` : null, requestId: request.id });
    } else {
      request.log.info({ status: failure.status, code: failure.code }, failure.message);
    }
    if (error instanceof TooManyRequestsError) reply.header("retry-after", String(error.retryAfterSeconds));
    reply.code(failure.status);
    // A body we stopped reading (an upload that failed half-way) leaves the connection unusable
    // for another request: close it after this answer instead of letting the client wait on it.
    if (!request.raw.complete) reply.header("connection", "close");
    if (wantsHtml(request)) {
      return reply.type("text/html; charset=utf-8").send(errorPage(failure.status, failure.message, request.viewer ?? null, memberCsrfToken(request)));
    }
    return reply.send({ error: { code: failure.code, message: failure.message, ...(failure.details ? { details: failure.details } : {}) } });
  });

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    if (wantsHtml(request)) {
      return reply.type("text/html; charset=utf-8").send(errorPage(404, "There is nothing at this address.", null, memberCsrfToken(request)));
    }
    return reply.send({ error: { code: "not_found", message: "There is nothing at this address." } });
  });
}

