import type { FastifyInstance } from "fastify";
import type { AppContext } from "../app.ts";
import { pingDatabase } from "../db/database.ts";

/** Liveness without dependencies, readiness with the database; the operations issue extends these. */
export function registerHealthRoutes(app: FastifyInstance, context: AppContext): void {
  app.get("/healthz", { config: { access: "no-session" }, schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/readyz", { config: { access: "no-session" }, schema: { hide: true } }, async (_request, reply) => {
    // A load balancer still probing a draining server takes it out of rotation.
    if (context.drain.draining) return reply.code(503).send({ status: "draining", checks: {} });
    const started = Date.now();
    const database = await Promise.race([
      pingDatabase(context.database).then(() => "ok" as const, (error: Error) => `failed: ${error.message}`),
      new Promise<string>((resolve) => setTimeout(() => resolve("failed: no answer within 2 s"), 2000).unref()),
    ]);
    const ready = database === "ok";
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ok" : "unavailable", checks: { database: { status: database, ms: Date.now() - started } } });
  });
}
