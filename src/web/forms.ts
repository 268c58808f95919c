import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError, TooManyRequestsError } from "../errors.ts";

/**
 * Runs a form's action; a refusal (4xx) re-renders the form with the message instead of an
 * error page, so the member keeps what they typed. The message is in the request's language,
 * like the page it is shown on.
 */
export async function handleForm(reply: FastifyReply, action: () => Promise<unknown>, rerender: (message: string) => string | Promise<string>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    if (error instanceof TooManyRequestsError) reply.header("retry-after", String(error.retryAfterSeconds));
    await reply.code(error.status).type("text/html; charset=utf-8").send(await rerender(error.in(reply.request.messages())));
    return false;
  }
}

export function sendHtml(reply: FastifyReply, body: string | Buffer, status = 200): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").header("cache-control", "private, no-cache").send(body);
}

/**
 * An answer's HTML as text, for onSend hooks that fill something into every page (a banner, a
 * count); null when the answer is not HTML. A page kept for visitors comes as its bytes
 * (photos/page-cache.ts), any other as text.
 */
export function htmlBeingSent(reply: FastifyReply, payload: unknown): string | null {
  if (typeof payload !== "string" && !Buffer.isBuffer(payload)) return null;
  const type = reply.getHeader("content-type");
  if (typeof type !== "string" || !type.startsWith("text/html")) return null;
  return typeof payload === "string" ? payload : payload.toString("utf8");
}

/** Only same-site relative paths, so a login link cannot bounce a member to another site. */
export function safeNextPath(next: unknown, fallback: string): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}

/**
 * The CSRF token for a page whose only forms are for members (log out, edit): anonymous
 * visitors get none, so reading a page sets no cookie and costs no crypto.
 */
export function memberCsrfToken(request: FastifyRequest): string {
  return request.viewer ? request.csrfToken() : "";
}
