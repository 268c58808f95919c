import type { FastifyInstance } from "fastify";
import helmet from "helmet";

/**
 * Standard security headers and a strict Content-Security-Policy on every page and API answer.
 * The helmet middleware is built once: @fastify/helmet rebuilds it on every request, which
 * cost a measurable share of a photo page's CPU.
 */
export function installSecurityHeaders(app: FastifyInstance, options: { https: boolean; mapTilesSource?: string | null }): void {
  const apply = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Map tiles come from the configured tile server (config.mapTiles), if any.
        imgSrc: ["'self'", "data:", "blob:", ...(options.mapTilesSource ? [options.mapTilesSource] : [])],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: options.https,
  });
  app.addHook("onRequest", (request, reply, done) => {
    apply(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
}
