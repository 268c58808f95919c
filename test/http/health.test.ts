import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../helpers/server.ts";

test("healthz answers without dependencies; readyz names its database check and fails when the database is gone", async () => {
  const server = await startServer();
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { status: string; checks: { database: { status: string } } };
    assert.equal(body.checks.database.status, "ok");
    // Really break what the probe checks: close the database under the running server.
    await server.context.database.close();
    const broken = await fetch(`${server.url}/readyz`);
    assert.equal(broken.status, 503);
    const failed = (await broken.json()) as { status: string; checks: { database: { status: string } } };
    assert.match(failed.checks.database.status, /^failed/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, "liveness does not depend on the database");
  } finally {
    // The database was closed on purpose above; closing it again may complain.
    await server.close().catch(() => {});
  }
});
