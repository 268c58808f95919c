import type { Clock } from "../clock.ts";
import { NotFoundError, wording } from "../errors.ts";
import type { AlbumService } from "../albums/service.ts";
import type { GroupService } from "../groups/service.ts";
import type { PhotoView } from "../photos/presenter.ts";
import type { PhotoService } from "../photos/service.ts";
import type { CommentsService } from "../social/comments-service.ts";
import type { FavesService } from "../social/faves-service.ts";
import type { UserService } from "../users/service.ts";
import { commentItem, photoItem, type Feed } from "./views.ts";

/** Feed readers poll; twenty items is what Flickr's feeds carried. */
export const FEED_ITEMS = 20;

export interface FeedServiceDeps {
  photos: PhotoService;
  users: Pick<UserService, "findPublicUser">;
  faves: Pick<FavesService, "favedPhotos">;
  comments: Pick<CommentsService, "recentOnPhotosOf">;
  groups: Pick<GroupService, "get" | "pool">;
  albums: Pick<AlbumService, "page">;
  clock: Clock;
  baseUrl: string;
}

/**
 * Feeds are read by programs that hold no session and pass their URLs on, so every feed is
 * what an anonymous visitor may see, whoever asks: nothing private, restricted or hidden,
 * locations only where the owner shows them to everyone.
 */
export class FeedService {
  constructor(private readonly deps: FeedServiceDeps) {}

  private async member(username: string): Promise<{ id: number; username: string }> {
    const member = await this.deps.users.findPublicUser(username);
    if (!member) throw new NotFoundError(wording("errors.memberNotFound"));
    return member;
  }

  private photoFeed(meta: Omit<Feed, "items" | "emptyUpdated" | "selfUrl" | "pageUrl"> & { pagePath: string }, photos: PhotoView[]): Feed {
    const { baseUrl } = this.deps;
    const { pagePath, ...rest } = meta;
    return { ...rest, pageUrl: `${baseUrl}${pagePath}`, selfUrl: `${baseUrl}${pagePath === "/" ? "" : pagePath}/feed`, items: photos.map((p) => photoItem(p, baseUrl)), emptyUpdated: new Date(0).toISOString() };
  }

  async photostream(username: string): Promise<Feed> {
    const member = await this.member(username);
    const list = await this.deps.photos.list({ viewer: null, ownerId: member.id, limit: FEED_ITEMS });
    const author = { name: member.username, uri: `${this.deps.baseUrl}/photos/${member.username}` };
    return this.photoFeed({ title: `${member.username}'s photostream`, subtitle: `Public photos by ${member.username} on Pinhole`, pagePath: `/photos/${member.username}`, author }, list.photos);
  }

  async tag(tag: string): Promise<Feed> {
    const list = await this.deps.photos.list({ viewer: null, tag, limit: FEED_ITEMS });
    return this.photoFeed({ title: `Photos tagged “${tag}”`, subtitle: `Public photos tagged ${tag} on Pinhole`, pagePath: `/photos/tags/${encodeURIComponent(tag)}`, author: null }, list.photos);
  }

  async memberTag(username: string, tag: string): Promise<Feed> {
    const member = await this.member(username);
    const list = await this.deps.photos.list({ viewer: null, ownerId: member.id, tag, limit: FEED_ITEMS });
    const author = { name: member.username, uri: `${this.deps.baseUrl}/photos/${member.username}` };
    return this.photoFeed({ title: `${member.username}'s photos tagged “${tag}”`, subtitle: `Public photos by ${member.username} tagged ${tag}`, pagePath: `/photos/${member.username}/tags/${encodeURIComponent(tag)}`, author }, list.photos);
  }

  async faves(username: string): Promise<Feed> {
    const list = await this.deps.faves.favedPhotos(username, null, 1);
    return this.photoFeed({ title: `${list.username}'s favourites`, subtitle: `Public photos ${list.username} marked as favourites`, pagePath: `/photos/${list.username}/favorites`, author: null }, list.items.slice(0, FEED_ITEMS));
  }

  async pool(slug: string): Promise<Feed> {
    const group = await this.deps.groups.get({ slug }, null);
    const pool = await this.deps.groups.pool({ slug }, null, undefined, FEED_ITEMS);
    return this.photoFeed({ title: `${group.name}: group pool`, subtitle: group.description || `Photos in the pool of ${group.name}`, pagePath: `/groups/${group.slug}`, author: null }, pool.photos);
  }

  async album(username: string, id: number): Promise<Feed> {
    const page = await this.deps.albums.page(id, null, undefined, FEED_ITEMS, username);
    const { album } = page;
    const author = { name: album.owner.username, uri: `${this.deps.baseUrl}/photos/${album.owner.username}` };
    return this.photoFeed({ title: `${album.title} by ${album.owner.username}`, subtitle: album.description || `An album by ${album.owner.username}`, pagePath: `/photos/${album.owner.username}/albums/${album.id}`, author }, page.photos);
  }

  async comments(username: string): Promise<Feed> {
    const member = await this.member(username);
    const { baseUrl } = this.deps;
    const comments = await this.deps.comments.recentOnPhotosOf(member.id, FEED_ITEMS);
    return {
      title: `Comments on ${member.username}'s photos`,
      subtitle: `The latest comments on public photos by ${member.username}`,
      pageUrl: `${baseUrl}/photos/${member.username}`,
      selfUrl: `${baseUrl}/photos/${member.username}/comments/feed`,
      author: null,
      items: comments.map((c) => commentItem(c, baseUrl)),
      emptyUpdated: new Date(0).toISOString(),
    };
  }
}
