import http from "node:http";
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServeProcess } from "../helpers/serve-process.ts";

/** A GET on a connection of its own (as a load balancer's health check makes it). */
function get(url: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
    });
    request.on("error", reject);
  });
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    assert.ok(i < 300, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// One process is covered through HAProxy by test/ops/cluster.test.ts (its SIGTERM case); here
// the primary's notice to its workers.
for (const args of [["--workers", "2"]]) {
  test(`serve ${args.join(" ") || "(one process)"} with PINHOLE_SHUTDOWN_NOTICE_SECONDS: on SIGTERM /readyz answers 503 while pages are still served (each closing its connection), then it drains and exits 0`, { timeout: 90_000 }, async () => {
    const server = await startServeProcess(args, { PINHOLE_SHUTDOWN_NOTICE_SECONDS: "6", PINHOLE_LOG_LEVEL: "info" });
    try {
      if (args.length) await server.waitFor("stderr", /^pinhole: worker \d+ listening$/, 2);
      assert.equal((await get(`${server.url}/readyz`)).status, 200);
      server.child.kill("SIGTERM");
      // Every worker answers 503 (new connections go to either), and pages are still served.
      await until("/readyz to answer 503", async () => (await get(`${server.url}/readyz`)).status === 503);
      for (let i = 0; i < 3; i++) {
        assert.equal((await get(`${server.url}/readyz`)).status, 503, "from every worker");
        const page = await get(`${server.url}/login`);
        assert.equal(page.status, 200, "still serving during the notice");
        assert.equal(page.connection, "close");
      }
      assert.equal(await server.exited, 0);
      const log = [...server.stdoutLines, ...server.stderrLines].join("\n");
      assert.match(log, args.length ? /SIGTERM: \/readyz answers 503 for 6 s so load balancers stop sending; then draining 2 workers/ : /"msg":"draining soon: \/readyz answers 503 so load balancers stop sending; still serving"/);
      assert.match(log, /"msg":"drained; database closed"/);
    } finally {
      await server.cleanUp();
    }
  });
}
