import type { Clock } from "../clock.ts";
import { ForbiddenError, InvalidError, NotFoundError, TooManyRequestsError, wording } from "../errors.ts";
import type { Viewer } from "../users/service.ts";
import type { ContactRow, SocialRepository } from "./repository.ts";

/** Contact requests one member may make per hour; more is a 429. */
export const CONTACTS_PER_HOUR = 50;
const HOUR = 60 * 60_000;
export const CONTACTS_PAGE_SIZE = 100;

/** Something that records in-site notifications; the notifications feature plugs in here. */
export interface ContactNotifier {
  contactAdded(input: { ownerId: number; contactId: number }): Promise<void>;
}

export interface SocialServiceDeps {
  social: SocialRepository;
  clock: Clock;
  notifier?: ContactNotifier;
}

/** Contacts (follow, friend, family) and blocks. */
export class SocialService {
  constructor(private readonly deps: SocialServiceDeps) {}

  private async memberId(username: string): Promise<number> {
    const id = await this.deps.social.findMemberId(username);
    if (id === undefined) throw new NotFoundError(wording("errors.memberNotFound"));
    return id;
  }

  /** A member who is not suspended, by name; 404 otherwise. */
  async findMember(username: string): Promise<{ id: number; username: string }> {
    const member = await this.deps.social.findMember(username);
    if (!member) throw new NotFoundError(wording("errors.memberNotFound"));
    return member;
  }

  /** How the viewer stands to another member, for the buttons on that member's pages. */
  async relationship(viewer: Viewer, memberId: number): Promise<{ contact: { isFriend: boolean; isFamily: boolean } | null; blocking: boolean }> {
    const [contact, blocking] = await Promise.all([this.deps.social.contact(viewer.id, memberId), this.deps.social.isBlocked(viewer.id, memberId)]);
    return { contact: contact ?? null, blocking };
  }

  async setContact(viewer: Viewer, username: string, flags: { friend?: boolean; family?: boolean }): Promise<{ username: string; friend: boolean; family: boolean; created: boolean }> {
    const contactId = await this.memberId(username);
    if (contactId === viewer.id) throw new InvalidError(wording("errors.contact.self"));
    // A member who blocked you cannot be added; the answer does not say who blocked whom.
    if (await this.deps.social.isBlocked(contactId, viewer.id)) throw new ForbiddenError(wording("errors.contact.blocked"));
    if (await this.deps.social.isBlocked(viewer.id, contactId)) throw new ForbiddenError(wording("errors.contact.unblockFirst"));
    const existing = await this.deps.social.contact(viewer.id, contactId);
    if (!existing) {
      const now = this.deps.clock.now();
      const recent = await this.deps.social.countContactsAddedSince(viewer.id, now - HOUR);
      if (recent >= CONTACTS_PER_HOUR) {
        throw new TooManyRequestsError(wording("errors.contact.tooMany", { count: recent }), 3600);
      }
    }
    const isFriend = flags.friend ?? existing?.isFriend ?? false;
    const isFamily = flags.family ?? existing?.isFamily ?? false;
    const created = await this.deps.social.upsertContact(viewer.id, contactId, { isFriend, isFamily }, this.deps.clock.now());
    if (created) await this.deps.notifier?.contactAdded({ ownerId: viewer.id, contactId });
    return { username, friend: isFriend, family: isFamily, created };
  }

  async removeContact(viewer: Viewer, username: string): Promise<void> {
    await this.deps.social.deleteContact(viewer.id, await this.memberId(username));
  }

  async block(viewer: Viewer, username: string): Promise<void> {
    const blockedId = await this.memberId(username);
    if (blockedId === viewer.id) throw new InvalidError(wording("errors.contact.blockSelf"));
    await this.deps.social.block(viewer.id, blockedId, this.deps.clock.now());
  }

  async unblock(viewer: Viewer, username: string): Promise<void> {
    await this.deps.social.unblock(viewer.id, await this.memberId(username));
  }

  /** Whether `ownerId` blocked `viewerId`: comments, faves and contact requests are refused. */
  isBlockedBy(ownerId: number, viewerId: number): Promise<boolean> {
    return this.deps.social.isBlocked(ownerId, viewerId);
  }

  async contacts(viewer: Viewer, page: number): Promise<ContactRow[]> {
    return this.deps.social.contactsOf(viewer.id, CONTACTS_PAGE_SIZE, Math.max(0, page - 1) * CONTACTS_PAGE_SIZE);
  }

  /** One page of whom the viewer follows, and whether there is another. */
  async contactsPage(viewer: Viewer, page: number): Promise<{ items: ContactRow[]; page: number; hasMore: boolean }> {
    const rows = await this.deps.social.contactsOf(viewer.id, CONTACTS_PAGE_SIZE + 1, Math.max(0, page - 1) * CONTACTS_PAGE_SIZE);
    return { items: rows.slice(0, CONTACTS_PAGE_SIZE), page, hasMore: rows.length > CONTACTS_PAGE_SIZE };
  }
}
