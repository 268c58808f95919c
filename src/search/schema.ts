import { Type } from "@sinclair/typebox";
import { PhotoJson } from "../photos/schema.ts";
import { LICENSE_IDS } from "../photos/licenses.ts";

/**
 * The search parameters, the same for the API and the page's GET form. Choices are checked by
 * the service rather than by enums here, so a wrong one gets a message naming the right ones;
 * the page's form sends every field, so an empty value means "not given".
 */
export const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 500, description: "Words that must all appear in the title, description, tags or owner's username (any case, accents ignored); a word ending in * matches as a prefix" })),
  user: Type.Optional(Type.String({ maxLength: 64, description: "Only this member's photos (username)" })),
  tags: Type.Optional(Type.String({ maxLength: 2000, description: "Tags, separated by commas or spaces" })),
  tagMode: Type.Optional(Type.String({ maxLength: 10, description: "all (default): every tag; any: at least one" })),
  takenFrom: Type.Optional(Type.String({ maxLength: 40, description: "Taken on or after this day, YYYY-MM-DD (the camera's clock)" })),
  takenTo: Type.Optional(Type.String({ maxLength: 40, description: "Taken on or before this day, YYYY-MM-DD" })),
  uploadedFrom: Type.Optional(Type.String({ maxLength: 40, description: "Uploaded on or after this UTC day (YYYY-MM-DD) or instant (ISO 8601)" })),
  uploadedTo: Type.Optional(Type.String({ maxLength: 40, description: "Uploaded on or before this UTC day (YYYY-MM-DD) or instant (ISO 8601)" })),
  camera: Type.Optional(Type.String({ maxLength: 200, description: "Camera model, as recorded in the file" })),
  license: Type.Optional(Type.String({ maxLength: 40, description: `A licence id: ${LICENSE_IDS.join(", ")}` })),
  hasLocation: Type.Optional(Type.String({ maxLength: 5, description: "true: only photos whose location you may see; false: only photos without one you may see" })),
  bbox: Type.Optional(Type.String({ maxLength: 200, description: "minLon,minLat,maxLon,maxLat: taken inside this box (locations you may see only); west > east crosses the antimeridian" })),
  media: Type.Optional(Type.String({ maxLength: 10, description: "photos, videos or all (default); Pinhole stores still photos only" })),
  sort: Type.Optional(Type.String({ maxLength: 20, description: "relevance (default with q: every word in the title first, then every word in the title or tags, then the rest; newest first in each), taken, uploaded (default without q) or interesting (3·faves + 2·comments + log2(1 + views))" })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: "The nextCursor of the previous page" })),
  perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: "Photos per page, 50 unless given" })),
});

export const SearchJson = Type.Object({
  photos: Type.Array(PhotoJson),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as cursor for the next page; null on the last" }),
});
