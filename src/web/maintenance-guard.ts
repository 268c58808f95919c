import { english } from "../i18n/messages.ts";
import { messagesUsedBy } from "../i18n/request.ts";
import type { FastifyInstance } from "fastify";
import { ReadOnlyError, wording } from "../errors.ts";
import { DEFAULT_MAINTENANCE_MESSAGE, type MaintenanceState } from "../ops/maintenance.ts";
import { maintenanceMessage } from "../status/views.ts";
import { htmlBeingSent } from "./forms.ts";
import { withSiteNotice } from "./layout.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * "allowed": this write still works in read-only maintenance (logging in and out, switching
     * maintenance off, posting incidents). Every other write is refused while it is on.
     */
    maintenance?: "allowed";
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Read-only maintenance in the request pipeline: writes are refused before their body is read
 * (an upload is not received only to be thrown away), and every HTML page carries the message.
 * Both read the switch from memory (ops/maintenance.ts), so neither waits for the database.
 */
export function installMaintenanceGuard(app: FastifyInstance, maintenance: { current(): MaintenanceState }): void {
  app.addHook("onRequest", async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    const config = request.routeOptions.config;
    if (!config?.access || config.maintenance === "allowed") return;
    const state = maintenance.current();
    if (!state.enabled) return;
    // The refusal's page is in the member's saved language, as every page is: the member is found
    // first (reading is what maintenance allows), except on routes that promise no session lookup.
    if (config.access !== "no-session" && config.access !== "operator") request.viewer = await request.identify();
    throw new ReadOnlyError(state.message === DEFAULT_MAINTENANCE_MESSAGE ? wording("maintenance.standardMessage") : state.message);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const state = maintenance.current();
    const page = state.enabled ? htmlBeingSent(reply, payload) : null;
    if (page === null) return payload;
    // In the page's language: a page not converted yet is English throughout, its banner too.
    const messages = messagesUsedBy(request) ?? english();
    return withSiteNotice(page, maintenanceMessage(state.message, messages), messages.t("layout.status"));
  });
}
