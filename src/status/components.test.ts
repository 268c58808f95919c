import { test } from "node:test";
import assert from "node:assert/strict";
import type { CheckResult, ReadinessReport } from "../ops/readiness.ts";
import { LOCALES, type Locale } from "../i18n/locales.ts";
import { MessageCatalogs } from "../i18n/messages.ts";
import { BACKLOG_DEGRADED_AT, describeComponents, type ComponentState, type Measurements } from "./components.ts";
import { componentDetail } from "./views.ts";

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

test("what visitors read names no error text or server path, in any language", () => {
  const catalogs = new MessageCatalogs({ missing: "throw" });
  for (const checks of [{ database: failed, storage: failed }, { disk: failed }, { storage: failed }]) {
    for (const component of describeComponents(measured(checks, null))) {
      const carried = Object.entries(component.detail).filter(([key]) => key !== "says");
      assert.ok(carried.every(([, value]) => typeof value === "number"), `a case and its numbers, no text carried along: ${JSON.stringify(component.detail)}`);
      for (const locale of LOCALES) assert.doesNotMatch(componentDetail(component.detail, catalogs.for(locale)), /ECONNREFUSED|\/srv\/|127\.0\.0\.1/);
    }
  }
});

test("a component's line is worded in the page's language, its numbers the language's way", () => {
  const catalogs = new MessageCatalogs({ missing: "throw" });
  const lines = (locale: Locale) => describeComponents(measured({ database: { status: "ok", ms: 1234 } }, { pending: 1, running: 0, failed: 0 })).map((c) => componentDetail(c.detail, catalogs.for(locale)));
  assert.deepEqual(lines("en"), ["This server is answering.", "New photos are accepted.", "Answered in 1,234 ms.", "Photo files can be read and written.", "1 task waiting."]);
  assert.deepEqual(lines("de").slice(2), ["Antwort in 1.234 ms.", "Fotodateien können gelesen und geschrieben werden.", "1 Aufgabe wartet."]);
  const slow = describeComponents(measured({}, { pending: BACKLOG_DEGRADED_AT, running: 3, failed: 0 })).find((c) => c.key === "backlog")!;
  assert.equal(componentDetail(slow.detail, catalogs.for("en")), `${BACKLOG_DEGRADED_AT + 3} tasks waiting: new photos take longer than usual to get every size.`);
  assert.match(componentDetail(slow.detail, catalogs.for("ja")), /^53 件の作業が待機中です。/);
});
