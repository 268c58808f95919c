import type { FastifyInstance } from "fastify";
import type { AppContext } from "../app.ts";
import { isOperator } from "../web/access.ts";
import { checkReadiness } from "./readiness.ts";

/** Liveness without dependencies; readiness runs every check and names each one. */
export function registerHealthRoutes(app: FastifyInstance, context: AppContext): void {
  app.get("/healthz", { config: { access: "no-session" }, schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/readyz", { config: { access: "no-session" }, schema: { hide: true } }, async (request, reply) => {
    // A load balancer still probing a draining server takes it out of rotation.
    if (context.drain.draining) return reply.code(503).send({ status: "draining", checks: {} });
    const report = await checkReadiness({
      database: context.database,
      store: context.store,
      storageId: context.storageId,
      dataDir: context.config.dataDir,
      minFreeDiskBytes: context.config.minFreeDiskBytes,
    });
    const status = report.ready ? "ok" : "unavailable";
    reply.code(report.ready ? 200 : 503).header("cache-control", "no-store");
    // The checks name paths, addresses and errors: the operator's to read (loopback, or the
    // operator token), not the world's. Load balancers need only the status code.
    return reply.send(isOperator(request, context.config.metricsToken) ? { status, checks: report.checks } : { status });
  });
}
