import type { FastifyInstance } from "fastify";
import type { AppContext } from "../app.ts";

/** Prometheus scrapes: loopback or the operator token (`access: "operator"`); see metrics.ts. */
export function registerMetricsRoutes(app: FastifyInstance, context: AppContext): void {
  app.get("/metrics", { config: { access: "operator" }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(context.metrics.registry.contentType).header("cache-control", "no-store").send(await context.metrics.render()),
  );
}
