/** True when a write failed on a UNIQUE constraint, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Socket errors: the database server cannot be reached, or the link to it broke. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);
/**
 * PostgreSQL SQLSTATEs for "not now": connection exceptions (08…), shutting down or starting
 * (57P01-57P03), too many connections, a statement cancelled by the deadline, a read-only
 * server (a standby).
 */
const POSTGRES_CODES = new Set(["08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03", "53300", "57014", "25006"]);
/** SQLite: the file cannot be opened, is not a database, its disk failed, it is locked past the deadline, or read-only. */
const SQLITE_CODES = /^SQLITE_(CANTOPEN|NOTADB|IOERR|CORRUPT|BUSY|LOCKED|FULL|READONLY)/;
/** Errors pg and Kysely raise without a code. */
const MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|driver has already been destroyed|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/;

/**
 * True when an error means the database cannot be used right now (unreachable, timed out,
 * its file broken or gone), as opposed to a bug in a query. Such errors become a 503
 * "try again" answer rather than a 500.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 3) return false;
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === "string" && (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code) || SQLITE_CODES.test(code))) return true;
  if (typeof message === "string" && MESSAGES.test(message)) return true;
  // Node reports a failed connection to every address of a host as one AggregateError.
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return cause !== undefined && isDatabaseUnavailable(cause, depth + 1);
}
