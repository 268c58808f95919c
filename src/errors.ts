/**
 * One error type per meaning; `app.ts` maps them to HTTP in one place.
 * Messages are shown to the member, so they say what to do.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 400, "invalid", details);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = "Log in to do this.") {
    super(message, 401, "unauthenticated");
  }
}
export class ForbiddenError extends AppError {
  constructor(message = "You are not allowed to do this.") {
    super(message, 403, "forbidden");
  }
}
export class NotFoundError extends AppError {
  constructor(message = "Not found.") {
    super(message, 404, "not_found");
  }
}
export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 409, "conflict", details);
  }
}
export class TooLargeError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 413, "too_large", details);
  }
}
export class UnsupportedMediaError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 415, "unsupported_media_type", details);
  }
}
/** The bytes claim to be an image we accept but cannot be decoded as one. */
export class UnprocessableError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 422, "unprocessable", details);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message, 429, "too_many_requests", { retryAfterSeconds });
  }
}
export class InsufficientStorageError extends AppError {
  constructor(message = "The server is out of disk space; your upload was not stored. Try again later.") {
    super(message, 507, "insufficient_storage");
  }
}
/** Something the site needs (usually the database) does not answer; try again later. */
export class UnavailableError extends AppError {
  constructor(message: string, readonly retryAfterSeconds = 30) {
    super(message, 503, "unavailable");
  }
}
/** The member's photo or storage quota would be passed; the message states the limit and the use. */
export class QuotaExceededError extends AppError {
  constructor(message: string, details: { quota: "photos" | "bytes"; limit: number; used: number }) {
    super(message, 403, "quota_exceeded", details);
  }
}
/** The site is in read-only maintenance: viewing works, changes are refused for now. */
export class ReadOnlyError extends AppError {
  constructor(message: string, readonly retryAfterSeconds = 300) {
    super(message, 503, "read_only");
  }
}
