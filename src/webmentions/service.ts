import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { RateLimit, RateLimiter } from "../ops/rate-limits.ts";
import { ForbiddenError, InvalidError, NotFoundError, wording } from "../errors.ts";
import type { JobHandler, JobQueue, JobResult } from "../jobs/runner.ts";
import type { PhotoService } from "../photos/service.ts";
import type { Viewer } from "../users/service.ts";
import type { WebmentionPolicy, WebmentionRow, WebmentionsRepository } from "./repository.ts";
import { safeFetch, type SafeFetchLimits } from "./safe-fetch.ts";
import { linksTo, readSourcePage } from "./source-page.ts";

export const WEBMENTION_JOB = "webmention.verify";
export const WEBMENTION_POLICIES: WebmentionPolicy[] = ["show", "approve", "off"];
const PHOTO_PAGE = /^\/photos\/([^/]+)\/([1-9][0-9]{0,17})\/?$/;
const SHOWN_ON_PAGE = 50;

export interface WebmentionPayload {
  source: string;
  target: string;
  photoId: number;
}

export interface WebmentionServiceDeps {
  mentions: WebmentionsRepository;
  photos: Pick<PhotoService, "isVisible">;
  jobs: JobQueue;
  clock: Clock;
  log: Logger;
  baseUrl: string;
  limits: SafeFetchLimits;
  rateLimiter: RateLimiter;
}

/**
 * Each accepted webmention costs a fetch of someone's page: a sender may queue only so many,
 * and a photo may only be the target of so many, before the endpoint answers 429.
 */
export const WEBMENTIONS_PER_SENDER: RateLimit = { name: "webmention-sender", limit: 30, windowMs: 3_600_000, message: wording("webmentions.errors.tooManyFromSender") };
export const WEBMENTIONS_PER_PHOTO: RateLimit = { name: "webmention-photo", limit: 200, windowMs: 3_600_000, message: wording("webmentions.errors.tooManyForPhoto") };

function httpUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidError(wording("webmentions.errors.notHttpUrl", { field }), { field });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidError(wording("webmentions.errors.notHttpUrl", { field }), { field });
  return url;
}

/**
 * W3C Webmention, received: a request only queues the check; the job fetches the source (safely:
 * see safe-fetch.ts) and keeps the mention only while the source links to the photo. A source
 * that is gone or no longer links removes it. Owners choose whether mentions show at once,
 * wait for their approval, or are not taken.
 */
export class WebmentionService {
  constructor(private readonly deps: WebmentionServiceDeps) {}

  /** Checks what can be checked at once and queues the rest; answers the job, for the 202's Location. */
  async receive(sourceText: string, targetText: string, senderAddress: string): Promise<number> {
    const source = httpUrl(sourceText, "source");
    const target = httpUrl(targetText, "target");
    if (source.href === target.href) throw new InvalidError(wording("webmentions.errors.sameUrl"), { field: "source" });
    const match = PHOTO_PAGE.exec(target.pathname);
    if (target.origin !== new URL(this.deps.baseUrl).origin || !match) throw new InvalidError(wording("webmentions.errors.notPhotoPage"), { field: "target" });
    const photo = await this.deps.mentions.target(Number(match[2]));
    if (!photo || photo.ownerUsername.toLowerCase() !== decodeURIComponent(match[1]!).toLowerCase()) throw new InvalidError(wording("webmentions.errors.notPublicPhoto"), { field: "target" });
    if (photo.policy === "off") throw new InvalidError(wording("webmentions.errors.ownerRefuses"), { field: "target" });
    await this.deps.rateLimiter.take(WEBMENTIONS_PER_SENDER, senderAddress);
    await this.deps.rateLimiter.take(WEBMENTIONS_PER_PHOTO, String(photo.photoId));
    const payload: WebmentionPayload = { source: source.href, target: target.href, photoId: photo.photoId };
    return this.deps.jobs.enqueue(WEBMENTION_JOB, payload);
  }

  readonly verify: JobHandler = {
    run: async (raw): Promise<JobResult> => {
      const job = raw as WebmentionPayload;
      const outcome = await safeFetch(job.source, this.deps.limits);
      // Thrown errors are retried with backoff by the job runner; the rest is decided here.
      if (outcome.kind === "unreachable") throw new Error(`the source ${job.source} could not be fetched: ${outcome.reason}`);
      if (outcome.kind === "refused") {
        this.deps.log.warn({ source: job.source, reason: outcome.reason }, "webmention source refused");
        return { status: "done" };
      }
      if (outcome.kind === "page" && outcome.status >= 500) throw new Error(`the source ${job.source} answered ${outcome.status}`);
      const page = outcome.kind === "page" && outcome.status >= 200 && outcome.status < 300 && /html|xml|text\/plain/i.test(outcome.contentType || "text/html") ? readSourcePage(outcome.body, outcome.url) : null;
      if (!page || !linksTo(page, job.target)) {
        // Gone, or no longer linking: a mention that was kept goes (the spec's update and delete).
        await this.deps.mentions.removeBySource(job.photoId, job.source);
        return { status: "done" };
      }
      const photo = await this.deps.mentions.target(job.photoId);
      if (!photo || photo.policy === "off") return { status: "done" };
      await this.deps.mentions.upsert({
        photoId: photo.photoId,
        photoOwnerId: photo.ownerId,
        source: job.source,
        status: photo.policy === "show" ? "approved" : "pending",
        title: page.title,
        authorName: page.authorName,
        authorUrl: page.authorUrl,
        now: this.deps.clock.now(),
      });
      return { status: "done" };
    },
  };

  /** Approved mentions for whoever sees the photo; its owner sees the pending ones too. */
  async forPhoto(photoId: number, viewer: Pick<Viewer, "id" | "showsRestricted"> | null, isOwner: boolean): Promise<WebmentionRow[]> {
    if (!(await this.deps.photos.isVisible(photoId, viewer))) throw new NotFoundError(wording("errors.photoNotFound"));
    return this.forShownPhoto(photoId, isOwner);
  }

  /** For a photo the caller has already let the viewer see (the photo page). */
  forShownPhoto(photoId: number, isOwner: boolean): Promise<WebmentionRow[]> {
    return this.deps.mentions.forPhoto(photoId, isOwner, SHOWN_ON_PAGE);
  }

  private async owned(id: number, viewer: Viewer): Promise<WebmentionRow> {
    const mention = await this.deps.mentions.find(id);
    if (!mention) throw new NotFoundError(wording("webmentions.errors.notFound"));
    if (mention.photoOwnerId !== viewer.id) throw new ForbiddenError(wording("webmentions.errors.ownerOnly"));
    return mention;
  }

  async approve(id: number, viewer: Viewer): Promise<WebmentionRow> {
    const mention = await this.owned(id, viewer);
    await this.deps.mentions.approve(id);
    return { ...mention, status: "approved" };
  }

  async delete(id: number, viewer: Viewer): Promise<WebmentionRow> {
    const mention = await this.owned(id, viewer);
    await this.deps.mentions.delete(id);
    return mention;
  }

  async policy(viewer: Pick<Viewer, "id">): Promise<WebmentionPolicy> {
    return this.deps.mentions.policy(viewer.id);
  }

  async setPolicy(viewer: Pick<Viewer, "id">, policy: string): Promise<WebmentionPolicy> {
    if (!WEBMENTION_POLICIES.includes(policy as WebmentionPolicy)) throw new InvalidError(wording("webmentions.errors.policy"), { field: "policy" });
    await this.deps.mentions.setPolicy(viewer.id, policy as WebmentionPolicy);
    return policy as WebmentionPolicy;
  }
}
