import { test } from "node:test";
import assert from "node:assert/strict";
import { isDatabaseUnavailable, isUniqueViolation } from "./errors.ts";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

test("errors meaning the database cannot be used now are told apart from query bugs", () => {
  const unavailable = [
    withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"),
    withCode("ETIMEDOUT"),
    new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNREFUSED")], "connect failed"),
    new Error("Connection terminated unexpectedly"),
    new Error("Connection terminated due to connection timeout", { cause: new Error("Connection terminated unexpectedly") }),
    new Error("timeout exceeded when trying to connect"),
    new Error("Query read timeout"),
    withCode("57014", "canceling statement due to statement timeout"),
    withCode("57P01", "terminating connection due to administrator command"),
    withCode("25006", "cannot execute INSERT in a read-only transaction"),
    withCode("SQLITE_CANTOPEN", "unable to open database file"),
    withCode("SQLITE_NOTADB", "file is not a database"),
    withCode("SQLITE_IOERR_SHORT_READ"),
    withCode("SQLITE_BUSY", "database is locked"),
    new Error("driver has already been destroyed"),
    new Error("wrapped", { cause: withCode("ECONNRESET") }),
  ];
  for (const error of unavailable) assert.equal(isDatabaseUnavailable(error), true, `${(error as Error).message} ${(error as { code?: string }).code ?? ""}`);

  const bugs = [
    withCode("23505", "duplicate key value violates unique constraint"),
    withCode("42P01", 'relation "nope" does not exist'),
    withCode("SQLITE_CONSTRAINT_UNIQUE"),
    withCode("SQLITE_ERROR", "no such table: nope"),
    new TypeError("Cannot read properties of undefined"),
    null,
    "ECONNREFUSED",
  ];
  for (const error of bugs) assert.equal(isDatabaseUnavailable(error), false, String(error));
  assert.equal(isUniqueViolation(withCode("23505")), true);
});
