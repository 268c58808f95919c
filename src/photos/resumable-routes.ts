import type { FastifyInstance, HTTPMethods } from "fastify";
import type { AppContext } from "../app.ts";
import { requireViewer } from "../web/access.ts";
import { RESUMABLE_PATH } from "./resumable.ts";

const UploadIdParams = { type: "object", properties: { uploadId: { type: "string", pattern: "^[A-Za-z0-9_-]{1,100}$" } }, required: ["uploadId"] } as const;
const DESCRIPTIONS: Partial<Record<HTTPMethods, string>> = {
  POST: "tus 1.0 creation (and creation-with-upload): Upload-Length, Upload-Metadata (base64 pairs: filename, title, description, tags, visibility, restricted, license, downloadAllowed). Answers 201 with Location.",
  PATCH: "tus 1.0: appends bytes at Upload-Offset (Content-Type application/offset+octet-stream). The PATCH that completes the file answers 201 with the photo JSON.",
  HEAD: "tus 1.0: the upload's current Upload-Offset, to resume after a broken connection.",
  DELETE: "tus 1.0 termination: the unfinished upload and its parts are removed.",
};

/**
 * The tus protocol's routes. Fastify checks who the member is (and the CSRF token for browser
 * sessions, sent as the X-CSRF-Token header), then hands the raw request to the tus server.
 */
export function registerResumableRoutes(app: FastifyInstance, context: AppContext): void {
  const { resumable } = context;
  // The bytes are streamed to the upload's file by tus itself, never parsed or buffered here.
  app.addContentTypeParser("application/offset+octet-stream", (_request, _payload, done) => done(null));
  const routes: Array<[HTTPMethods, string]> = [
    ["POST", RESUMABLE_PATH],
    ["POST", `${RESUMABLE_PATH}/`],
    ...(["PATCH", "HEAD", "DELETE"] as HTTPMethods[]).map((method): [HTTPMethods, string] => [method, `${RESUMABLE_PATH}/:uploadId`]),
  ];
  for (const [method, url] of routes) {
    const withId = url.endsWith(":uploadId");
    app.route({
      method,
      url,
      config: { access: "member" },
      schema: { tags: ["uploads"], security: [{ bearer: [] }], description: DESCRIPTIONS[method], hide: url.endsWith("/"), ...(withId ? { params: UploadIdParams } : {}) },
      handler: async (request, reply) => resumable.handle(request, reply, requireViewer(request)),
    });
  }
  // What the server supports (tus's OPTIONS), for clients that ask before they start.
  for (const url of [RESUMABLE_PATH, `${RESUMABLE_PATH}/`, `${RESUMABLE_PATH}/:uploadId`]) {
    app.route({
      method: "OPTIONS",
      url,
      config: { access: "public" },
      schema: { tags: ["uploads"], description: "tus 1.0 capabilities: versions, extensions, maximum size." },
      handler: async (request, reply) => {
        reply.hijack();
        reply.raw.writeHead(204, { "tus-resumable": "1.0.0", "tus-version": "1.0.0", "tus-extension": "creation,creation-with-upload,termination,expiration", "tus-max-size": String(context.config.maxUploadBytes) });
        reply.raw.end();
        void request;
      },
    });
  }
}
