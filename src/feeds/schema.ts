import { Type } from "@sinclair/typebox";

export const FeedFormat = Type.Union([Type.Literal("atom"), Type.Literal("rss")]);
const username = Type.String({ minLength: 1, maxLength: 64 });
const tag = Type.String({ minLength: 1, maxLength: 200 });
export const MemberFeedParams = Type.Object({ username, format: FeedFormat });
export const TagFeedParams = Type.Object({ tag, format: FeedFormat });
export const MemberTagFeedParams = Type.Object({ username, tag, format: FeedFormat });
export const GroupFeedParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 100 }), format: FeedFormat });
export const AlbumFeedParams = Type.Object({ username, id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }), format: FeedFormat });
