import { test } from "node:test";
import assert from "node:assert/strict";
import type { CheckResult, ReadinessReport } from "../ops/readiness.ts";
import { BACKLOG_DEGRADED_AT, describeComponents, type ComponentState, type Measurements } from "./components.ts";

const ok: CheckResult = { status: "ok", ms: 3 };
const failed: CheckResult = { status: "failed", detail: "connect ECONNREFUSED 127.0.0.1:5432 at /srv/pinhole", ms: 1 };

function measured(checks: Partial<ReadinessReport["checks"]>, backlog: Measurements["backlog"] = { pending: 0, running: 0, failed: 0 }): Measurements {
  const all = { database: ok, storage: ok, migrations: ok, disk: ok, ...checks };
  return { readiness: { ready: Object.values(all).every((c) => c.status === "ok"), checks: all }, backlog, checkedAt: 0 };
}

function states(m: Measurements): Record<string, ComponentState> {
  return Object.fromEntries(describeComponents(m).map((c) => [c.key, c.state]));
}

test("every component is operational when every check passes and nothing waits", () => {
  assert.deepEqual(states(measured({})), { web: "operational", uploads: "operational", database: "operational", storage: "operational", backlog: "operational" });
});

test("a database that does not answer takes uploads down and makes the backlog unknown; the web still answers", () => {
  assert.deepEqual(states(measured({ database: failed }, null)), { web: "operational", uploads: "down", database: "down", storage: "operational", backlog: "unknown" });
});

test("storage that cannot be written, or a nearly full disk, takes uploads down", () => {
  assert.equal(states(measured({ storage: failed })).uploads, "down");
  assert.equal(states(measured({ storage: failed })).storage, "down");
  assert.equal(states(measured({ disk: { status: "failed", detail: "100 MB free", ms: 0 } })).uploads, "down");
});

test("a long backlog is degraded, a short one operational", () => {
  assert.equal(states(measured({}, { pending: BACKLOG_DEGRADED_AT - 2, running: 1, failed: 9 })).backlog, "operational");
  assert.equal(states(measured({}, { pending: BACKLOG_DEGRADED_AT, running: 0, failed: 0 })).backlog, "degraded");
});

test("what visitors read names no error text or server path", () => {
  for (const component of describeComponents(measured({ database: failed, storage: failed }, null))) {
    assert.doesNotMatch(component.detail, /ECONNREFUSED|\/srv\/|127\.0\.0\.1/);
  }
});
