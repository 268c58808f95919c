import type { FastifyRequest } from "fastify";
import { memberCsrfToken } from "../web/forms.ts";
import type { PageCacheOutcome } from "../ops/metrics.ts";
import type { PhotoPageCache } from "./page-cache.ts";
import type { PhotoPageSections, ProbeHandle } from "./page-sections.ts";
import type { PhotoService } from "./service.ts";
import * as views from "./views.ts";

/**
 * Addresses whose pages are kept: the plain one and a page of comments. Any other query string
 * (a share's `?utm_source=…`, a visitor's random one) is rendered and not kept, or every such
 * link would push a popular page out of the cache.
 */
function keptAddress(url: string): boolean {
  const query = url.indexOf("?");
  return query === -1 || /^comments=[1-9][0-9]{0,5}$/.test(url.slice(query + 1));
}

export interface PhotoPagesDeps {
  photos: PhotoService;
  sections: PhotoPageSections;
  cache: PhotoPageCache;
  counted: (outcome: PageCacheOutcome) => void;
}

/**
 * The photo page, the most visited page of the site: one query, then the page, rendered or,
 * for a visitor who is not logged in, kept from an earlier visit while that query answers the
 * same and no other domain has anything to add (every probe answered no).
 */
export class PhotoPages {
  constructor(private readonly deps: PhotoPagesDeps) {}

  /** The page as sent: a kept page as its bytes, a page only this visitor gets as text. */
  async render(request: FastifyRequest, username: string, id: number): Promise<string | Buffer> {
    const { photos, sections, cache } = this.deps;
    const read = await photos.readPage(username, id, request.viewer, sections.probes);
    const messages = request.messages();
    const keepable = request.viewer === null && cache.enabled && sections.sameForVisitors && keptAddress(request.url) && read.answers.every((answer) => !answer);
    // The address is part of the page (the language picker returns to it); the language changes every word.
    const key = keepable ? `${messages.locale} ${request.url}` : null;
    const kept = key === null ? undefined : cache.get(key, read.version);
    this.deps.counted(key === null ? "bypass" : kept === undefined ? "miss" : "hit");
    let page: string | Buffer;
    if (kept) page = kept;
    else {
      const photo = await read.present();
      const csrfToken = memberCsrfToken(request);
      // An answer missing (never expected) counts as yes: the section then asks for itself.
      const has = (probe: ProbeHandle) => read.answers[probe.index] ?? true;
      const parts = await sections.render({ photo, viewer: request.viewer, csrfToken, request, has });
      page = views.photoPage({ viewer: request.viewer, csrfToken, messages, photo, newer: read.newer, older: read.older, sections: parts });
      if (key !== null) {
        page = Buffer.from(page);
        cache.set(key, read.version, page);
      }
    }
    await sections.shown({ photoId: read.photoId, ownerVisiting: read.ownerVisiting, request });
    return page;
  }
}
