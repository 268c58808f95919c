import type { FastifyInstance, FastifyRequest } from "fastify";
import { catalogs, type Messages } from "./messages.ts";
import { LANG_COOKIE, negotiateLocale } from "./negotiate.ts";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The page's messages in the negotiated language (web/layout.ts, views). Call it in the
     * handler, after access control has found the viewer, whose saved language counts.
     */
    messages(): Messages;
  }
}

/**
 * Gives every request its language. Pages that used it say which language they are in
 * (Content-Language) and that it depends on Accept-Language (Vary), so a shared cache never
 * hands a Japanese page to a German browser.
 */
const chosen = new WeakMap<FastifyRequest, Messages>();

/** The messages a request's page was rendered with, if it asked for them (else it is English). */
export function messagesUsedBy(request: FastifyRequest): Messages | undefined {
  return chosen.get(request);
}

export function installMessages(app: FastifyInstance): void {
  app.decorateRequest("messages", function (this: FastifyRequest) {
    let messages = chosen.get(this);
    if (!messages) {
      const locale = negotiateLocale({ cookie: this.cookies[LANG_COOKIE], saved: this.viewer?.locale, acceptLanguage: this.headers["accept-language"] });
      messages = catalogs().for(locale, this.url);
      chosen.set(this, messages);
    }
    return messages;
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const messages = chosen.get(request);
    if (messages) {
      reply.header("content-language", messages.locale);
      const vary = reply.getHeader("vary");
      const current = typeof vary === "string" ? vary : Array.isArray(vary) ? vary.join(", ") : "";
      if (!/accept-language/i.test(current)) reply.header("vary", current ? `${current}, Accept-Language` : "Accept-Language");
    }
    return payload;
  });
}
