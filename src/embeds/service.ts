import { InvalidError, NotFoundError, wording } from "../errors.ts";
import type { PhotoView } from "../photos/presenter.ts";
import type { PhotoService } from "../photos/service.ts";
import { bestFit, isOpenToEveryone, wholeJpegSizes } from "./sizes.ts";

/** oEmbed 1.0's answer for a photo (section 2.3.4), with Flickr's extras: html, licence. */
export interface OEmbedPhoto {
  version: "1.0";
  type: "photo";
  title: string;
  author_name: string;
  author_url: string;
  provider_name: "Pinhole";
  provider_url: string;
  cache_age: number;
  url: string;
  width: number;
  height: number;
  thumbnail_url: string;
  thumbnail_width: number;
  thumbnail_height: number;
  web_page: string;
  license: string;
  license_url: string | null;
  html: string;
}

export interface EmbedServiceDeps {
  photos: Pick<PhotoService, "get">;
  baseUrl: string;
}

const PAGE_PATH = /^\/photos\/([^/]+)\/([1-9][0-9]{0,17})\/?$/;

/** A day: a photo's URLs stay valid while it exists, yet a consumer should notice it going private. */
const CACHE_AGE_SECONDS = 86_400;

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Answers oEmbed consumers (blogs, chat apps), which ask without a session: only photos anyone
 * may see are described. Any other photo, or one that does not exist, is a 404 alike, so the
 * answer never reveals that a private photo exists.
 */
export class EmbedService {
  constructor(private readonly deps: EmbedServiceDeps) {}

  async oembed(url: string, maxWidth?: number, maxHeight?: number): Promise<OEmbedPhoto> {
    const photo = await this.photoAt(url);
    const image = bestFit(photo, maxWidth, maxHeight);
    const thumbnail = bestFit(photo, 240, 240) ?? wholeJpegSizes(photo)[0];
    if (!image || !thumbnail) throw new NotFoundError(wording("embeds.errors.noImage"));
    const title = photo.title || "Untitled";
    const authorUrl = `${this.deps.baseUrl}/photos/${photo.owner.username}`;
    return {
      version: "1.0",
      type: "photo",
      title,
      author_name: photo.owner.username,
      author_url: authorUrl,
      provider_name: "Pinhole",
      provider_url: `${this.deps.baseUrl}/`,
      cache_age: CACHE_AGE_SECONDS,
      url: image.url,
      width: image.width,
      height: image.height,
      thumbnail_url: thumbnail.url,
      thumbnail_width: thumbnail.width,
      thumbnail_height: thumbnail.height,
      web_page: photo.pageUrl,
      license: photo.license.name,
      license_url: photo.license.url,
      html: `<a href="${escapeAttribute(photo.pageUrl)}" title="${escapeAttribute(`${title} by ${photo.owner.username}`)}"><img src="${escapeAttribute(image.url)}" width="${image.width}" height="${image.height}" alt="${escapeAttribute(title)}"></a>`,
    };
  }

  private async photoAt(url: string): Promise<PhotoView> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidError(wording("embeds.errors.url"), { field: "url" });
    }
    const match = PAGE_PATH.exec(parsed.pathname);
    if (parsed.origin !== new URL(this.deps.baseUrl).origin || !match) throw new NotFoundError(wording("embeds.errors.notPhotoPage"));
    let photo: PhotoView;
    try {
      photo = await this.deps.photos.get(Number(match[2]), null);
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(wording("embeds.errors.notPublic"));
      throw error;
    }
    if (!isOpenToEveryone(photo) || photo.owner.username.toLowerCase() !== decodeURIComponent(match[1]!).toLowerCase()) throw new NotFoundError(wording("embeds.errors.notPublic"));
    return photo;
  }
}
