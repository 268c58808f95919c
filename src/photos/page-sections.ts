import type { FastifyRequest } from "fastify";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { Html } from "../web/html.ts";
import type { Viewer } from "../users/service.ts";
import type { PhotoView } from "./presenter.ts";

/** What another domain adds to a photo page: a part below the photo, something over it, scripts. */
export interface PhotoPageSection {
  /** Below the photo's details (comments, faves, groups, report). */
  body?: Html | null;
  /** Inside the photo's frame, over the image (notes). */
  overlay?: Html | null;
  /** In the page's <head> (link previews, oEmbed discovery). */
  head?: Html | null;
  /** Client scripts from src/web/assets the section needs. */
  scripts?: string[];
  /** Stylesheets from the assets the section needs (a map's). */
  styles?: string[];
  /**
   * The language of the section's words (`context.request.messages().locale` once its view is
   * translated). Absent: English, not converted yet; the page then marks it lang="en" so a
   * screen reader does not read English with another language's voice.
   */
  lang?: string;
}

export interface PhotoPageContext {
  photo: PhotoView;
  viewer: Viewer | null;
  csrfToken: string;
  request: FastifyRequest;
  /** The answer to a probe asked with `PhotoPageSections.probe`, from the page's photo query. */
  has: (probe: ProbeHandle) => boolean;
}

/** A probe's place among the page's questions: what `has` reads its answer by. */
export interface ProbeHandle {
  readonly index: number;
}

/**
 * Domains built on photos (social, groups, moderation) add their parts of the photo page
 * through these, registered in app.ts, so the photos domain needs to know none of them.
 * They run in order, after the viewer was allowed to see the photo.
 */
export type PhotoPageSectionSource = (context: PhotoPageContext) => Promise<PhotoPageSection | null>;

export interface PhotoPageSectionOptions {
  /**
   * True when, for a visitor who is not logged in and a photo for which every probe answered
   * no, what this section returns follows from the photo's row, the page's address (its query
   * string included) and the language alone: no other table, no setting, no clock. Only while
   * every section says so may such a visitor be shown a page kept from an earlier visit
   * (`PhotoPageCache`). Absent means no, which keeps every page rendered afresh.
   */
  sameForVisitors?: boolean;
}

/** Done on every showing of a photo page, kept or rendered (a view counted). */
export type PhotoShownListener = (shown: { photoId: number; ownerVisiting: boolean; request: FastifyRequest }) => Promise<void>;

export class PhotoPageSections {
  private readonly sources: PhotoPageSectionSource[] = [];
  private readonly questions: PhotoProbe[] = [];
  private readonly shownListeners: PhotoShownListener[] = [];
  private everySectionSameForVisitors = true;

  add(source: PhotoPageSectionSource, options: PhotoPageSectionOptions = {}): void {
    this.sources.push(source);
    if (options.sameForVisitors !== true) this.everySectionSameForVisitors = false;
  }

  /** Whether a page may be kept for visitors: every section said `sameForVisitors`. */
  get sameForVisitors(): boolean {
    return this.everySectionSameForVisitors;
  }

  /** Something to do each time a photo page is shown, whether it was rendered or kept. */
  whenShown(listener: PhotoShownListener): void {
    this.shownListeners.push(listener);
  }

  async shown(event: Parameters<PhotoShownListener>[0]): Promise<void> {
    await Promise.all(this.shownListeners.map((listener) => listener(event)));
  }

  /**
   * Asks, in the page's one photo query, whether the photo has something (notes, comments, a
   * place in a group…). Most photos have none of most things: a section that checks `has`
   * first runs no query for them, which on PostgreSQL is a round trip saved per section.
   */
  probe(question: PhotoProbe): ProbeHandle {
    this.questions.push(question);
    return { index: this.questions.length - 1 };
  }

  /** The probes, in the order their answers come back. */
  get probes(): readonly PhotoProbe[] {
    return this.questions;
  }

  async render(context: PhotoPageContext): Promise<PhotoPageSection[]> {
    const sections = await Promise.all(this.sources.map((source) => source(context)));
    return sections.filter((s): s is PhotoPageSection => s !== null);
  }
}

export interface PhotostreamContext {
  owner: { id: number; username: string };
  viewer: Viewer | null;
  csrfToken: string;
  request: FastifyRequest;
}

/** What another domain adds below a photostream's heading (follow, block, faves links). */
export interface PhotostreamSection {
  body: Html;
  /** The language of its words, as for a photo page section: absent, English, marked lang="en". */
  lang?: string;
}

export type PhotostreamSectionSource = (context: PhotostreamContext) => Promise<PhotostreamSection | null>;

export class PhotostreamSections {
  private readonly sources: PhotostreamSectionSource[] = [];

  add(source: PhotostreamSectionSource): void {
    this.sources.push(source);
  }

  async render(context: PhotostreamContext): Promise<PhotostreamSection[]> {
    const sections = await Promise.all(this.sources.map((source) => source(context)));
    return sections.filter((s): s is PhotostreamSection => s !== null);
  }
}
