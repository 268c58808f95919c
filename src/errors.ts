import { english, type MessageKey, type Messages, type MessageValues } from "./i18n/messages.ts";

/**
 * What an error says, as a message of the catalogs (i18n/messages/errors.ts): a page shows it in
 * its own language (`AppError.in`), the API's `message` is its English. Errors that only API
 * clients meet (a malformed parameter no form can send) keep a plain English string instead.
 */
export interface Wording {
  readonly key: MessageKey;
  readonly values?: MessageValues;
}

export function wording(key: MessageKey, values?: MessageValues): Wording {
  return values ? { key, values } : { key };
}

/**
 * One error type per meaning; `app.ts` maps them to HTTP in one place.
 * Messages are shown to the member, so they say what to do.
 */
export class AppError extends Error {
  /** The catalog message behind `message`, or null for an English-only one. */
  readonly wording: Wording | null;

  constructor(
    message: string | Wording,
    readonly status: number,
    readonly code: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(typeof message === "string" ? message : english().t(message.key, message.values));
    this.name = new.target.name;
    this.wording = typeof message === "string" ? null : message;
  }

  /** The message in a page's language (English where it has no catalog message). */
  in(messages: Messages): string {
    return this.wording ? messages.t(this.wording.key, this.wording.values) : this.message;
  }
}

export class InvalidError extends AppError {
  constructor(message: string | Wording, details?: Record<string, unknown>) {
    super(message, 400, "invalid", details);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message: string | Wording = wording("errors.unauthenticated")) {
    super(message, 401, "unauthenticated");
  }
}
export class ForbiddenError extends AppError {
  constructor(message: string | Wording = wording("errors.forbidden")) {
    super(message, 403, "forbidden");
  }
}
export class NotFoundError extends AppError {
  constructor(message: string | Wording = wording("errors.notFound")) {
    super(message, 404, "not_found");
  }
}
export class ConflictError extends AppError {
  constructor(message: string | Wording, details?: Record<string, unknown>) {
    super(message, 409, "conflict", details);
  }
}
export class TooLargeError extends AppError {
  constructor(message: string | Wording, details?: Record<string, unknown>) {
    super(message, 413, "too_large", details);
  }
}
export class UnsupportedMediaError extends AppError {
  constructor(message: string | Wording, details?: Record<string, unknown>) {
    super(message, 415, "unsupported_media_type", details);
  }
}
/** The bytes claim to be an image we accept but cannot be decoded as one. */
export class UnprocessableError extends AppError {
  constructor(message: string | Wording, details?: Record<string, unknown>) {
    super(message, 422, "unprocessable", details);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(message: string | Wording, readonly retryAfterSeconds: number) {
    super(message, 429, "too_many_requests", { retryAfterSeconds });
  }
}
export class InsufficientStorageError extends AppError {
  constructor(message: string | Wording = wording("errors.outOfDisk")) {
    super(message, 507, "insufficient_storage");
  }
}
/** Something the site needs (usually the database) does not answer; try again later. */
export class UnavailableError extends AppError {
  constructor(message: string | Wording, readonly retryAfterSeconds = 30) {
    super(message, 503, "unavailable");
  }
}
/** The member's photo or storage quota would be passed; the message states the limit and the use. */
export class QuotaExceededError extends AppError {
  constructor(message: string | Wording, details: { quota: "photos" | "bytes"; limit: number; used: number }) {
    super(message, 403, "quota_exceeded", details);
  }
}
/** The site is in read-only maintenance: viewing works, changes are refused for now. */
export class ReadOnlyError extends AppError {
  constructor(message: string | Wording, readonly retryAfterSeconds = 300) {
    super(message, 503, "read_only");
  }
}
