import { Type } from "@sinclair/typebox";
import { LOCATION_VISIBILITIES, VISIBILITIES } from "./visibility.ts";
import { LICENSE_IDS } from "./licenses.ts";

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);

export const VisibilityJson = Type.Union(VISIBILITIES.map((v) => Type.Literal(v)));

export const LicenseIdJson = Type.Union(LICENSE_IDS.map((id) => Type.Literal(id)), { description: "all-rights-reserved, a Creative Commons 4.0 licence, cc0-1.0 or pdm-1.0 (Public Domain Mark)" });
export const LicenseJson = Type.Object({ id: LicenseIdJson, name: Type.String(), url: Nullable(Type.String()) });

export const LocationVisibilityJson = Type.Union(LOCATION_VISIBILITIES.map((v) => Type.Literal(v)), { description: "who may see the location: everyone, contacts, friends_and_family or private (only the owner)" });
export const LocationBody = Type.Object(
  { latitude: Type.Number({ minimum: -90, maximum: 90 }), longitude: Type.Number({ minimum: -180, maximum: 180 }), visibility: Type.Optional(LocationVisibilityJson) },
  { additionalProperties: false },
);
export const LocationForm = Type.Object({
  latitude: Type.String({ maxLength: 40 }),
  longitude: Type.String({ maxLength: 40 }),
  visibility: Type.Optional(Type.String({ maxLength: 40 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});

export const PhotoJson = Type.Object({
  id: Type.String(),
  owner: Type.Object({ username: Type.String() }),
  title: Type.String(),
  description: Type.String(),
  altText: Type.String({ description: "The owner's own text alternative; empty when none was written" }),
  tags: Type.Array(Type.String()),
  visibility: VisibilityJson,
  restricted: Type.Boolean({ description: "Not for all audiences: shown only to members who opted in" }),
  hidden: Type.Boolean({ description: "Hidden by a moderator; only its owner sees it" }),
  takenAt: Nullable(Type.String({ description: "ISO 8601, with the UTC offset only when the photo records one" })),
  uploadedAt: Type.String({ format: "date-time" }),
  width: Type.Integer(),
  height: Type.Integer(),
  camera: Type.Union([Type.Object({ make: Nullable(Type.String()), model: Nullable(Type.String()), lens: Nullable(Type.String()) }), Type.Null()]),
  exposure: Type.Union([
    Type.Object({ time: Nullable(Type.String()), fNumber: Nullable(Type.Number()), iso: Nullable(Type.Number()), focalLength: Nullable(Type.Number()) }),
    Type.Null(),
  ]),
  location: Type.Union([Type.Object({ latitude: Type.Number(), longitude: Type.Number(), altitude: Nullable(Type.Number()), visibility: LocationVisibilityJson }), Type.Null()], {
    description: "Where it was taken; null also when the owner does not let you see it",
  }),
  sizes: Type.Array(
    Type.Object({ name: Type.String(), width: Type.Integer(), height: Type.Integer(), format: Type.Union([Type.Literal("jpeg"), Type.Literal("webp")]), url: Type.String() }),
  ),
  pageUrl: Type.String(),
  license: LicenseJson,
  downloadAllowed: Type.Boolean({ description: "Whoever may see the photo may download its original" }),
  originalUrl: Nullable(Type.String()),
  albums: Type.Optional(
    Type.Array(Type.Object({ id: Type.Integer(), title: Type.String() }), { description: "The albums holding the photo that you may see (on single-photo answers, not in lists)" }),
  ),
});

export const PhotoIdParams = Type.Object({ id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });

export const PhotoPatchBody = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 1000 })),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    altText: Type.Optional(Type.String({ maxLength: 2000, description: "Your own text alternative for people who cannot see the photo (kept to 1,000 characters); empty: pages use the title or description" })),
    tags: Type.Optional(Type.String({ maxLength: 10_000, description: 'Space-separated, "quoted phrases" kept whole' })),
    visibility: Type.Optional(VisibilityJson),
    restricted: Type.Optional(Type.Boolean({ description: "Not for all audiences; restricting a photo changes its image URLs" })),
    license: Type.Optional(LicenseIdJson),
    downloadAllowed: Type.Optional(Type.Boolean({ description: "Let whoever may see the photo download its original" })),
  },
  { additionalProperties: false },
);

export const PhotoListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}$" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});

export const PhotoListJson = Type.Object({ photos: Type.Array(PhotoJson), nextCursor: Nullable(Type.String()) });

export const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
export const PhotoPageParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });
export const TagParams = Type.Object({ tag: Type.String({ minLength: 1, maxLength: 200 }) });
export const UserTagParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), tag: Type.String({ minLength: 1, maxLength: 200 }) });
export const BeforeQuery = Type.Object({ before: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}$" })) });
export const EditForm = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  altText: Type.Optional(Type.String({ maxLength: 2000 })),
  tags: Type.Optional(Type.String({ maxLength: 10_000 })),
  visibility: Type.Optional(Type.String({ maxLength: 40 })),
  restricted: Type.Optional(Type.String({ maxLength: 10 })),
  license: Type.Optional(Type.String({ maxLength: 40 })),
  downloadAllowed: Type.Optional(Type.String({ maxLength: 10 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});
export const PhotoDefaultsJson = Type.Object(
  {
    license: LicenseIdJson,
    downloadAllowed: Type.Boolean({ description: "Whether new uploads let their viewers download the original" }),
    locationVisibility: LocationVisibilityJson,
  },
  { additionalProperties: false },
);
export const PhotoDefaultsBody = Type.Object(
  { license: LicenseIdJson, downloadAllowed: Type.Boolean(), locationVisibility: Type.Optional(LocationVisibilityJson) },
  { additionalProperties: false },
);
export const PhotoDefaultsForm = Type.Object({
  license: Type.String({ maxLength: 40 }),
  locationVisibility: Type.Optional(Type.String({ maxLength: 40 })),
  downloadAllowed: Type.Optional(Type.String({ maxLength: 10 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});
export const SavedQuery = Type.Object({ saved: Type.Optional(Type.String({ maxLength: 1 })) });
export const CsrfQuery = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) });

const TakenPeriod = Type.String({ pattern: "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$", description: "a year (2024), a month (2024-05) or a day (2024-05-17), by date taken" });
export const MemberPhotosQuery = Type.Object({
  cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}$" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  taken: Type.Optional(TakenPeriod),
  undated: Type.Optional(Type.Boolean({ description: "only photos with no date taken" })),
});
export const ArchiveQuery = Type.Object({ within: Type.Optional(Type.String({ pattern: "^[0-9]{4}(-[0-9]{2})?$", description: "a year for its months, a month for its days; none for the years" })) });
export const ArchiveJson = Type.Object({
  within: Nullable(Type.String()),
  periods: Type.Array(Type.Object({ period: Type.String(), count: Type.Integer() })),
  undated: Type.Integer({ description: "photos with no date taken (only when `within` is not given)" }),
});
export const ArchiveYearParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), year: Type.String({ pattern: "^[0-9]{4}$" }) });
export const ArchiveMonthParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), year: Type.String({ pattern: "^[0-9]{4}$" }), month: Type.String({ pattern: "^[0-9]{2}$" }) });
export const ArchiveDayParams = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  year: Type.String({ pattern: "^[0-9]{4}$" }),
  month: Type.String({ pattern: "^[0-9]{2}$" }),
  day: Type.String({ pattern: "^[0-9]{2}$" }),
});
export const CameraParams = Type.Object({ model: Type.String({ minLength: 1, maxLength: 200 }) });

const PhotoIdString = Type.String({ pattern: "^[1-9][0-9]{0,17}$" });
export const BatchBody = Type.Object(
  {
    photoIds: Type.Array(PhotoIdString, { minItems: 1, maxItems: 500, description: "Your photos to change, at most 500" }),
    addTags: Type.Optional(Type.String({ maxLength: 10_000, description: "Tags to add, space-separated, \"quoted phrases\"" })),
    removeTags: Type.Optional(Type.String({ maxLength: 10_000, description: "Tags to remove, in the same syntax" })),
    visibility: Type.Optional(VisibilityJson),
    restricted: Type.Optional(Type.Boolean()),
    license: Type.Optional(LicenseIdJson),
    downloadAllowed: Type.Optional(Type.Boolean()),
    location: Type.Optional(Type.Union([LocationBody, Type.Null()], { description: "Where the photos were taken; null removes it" })),
    locationVisibility: Type.Optional(LocationVisibilityJson),
    albumId: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,17}$", description: "One of your hand-made albums: the photos join it, at its end" })),
    delete: Type.Optional(Type.Boolean({ description: "Delete the photos; cannot be combined with changes" })),
  },
  { additionalProperties: false },
);
export const BatchJson = Type.Object({ photoIds: Type.Array(Type.String()), deleted: Type.Boolean() });

const FormList = Type.Union([Type.String({ maxLength: 20 }), Type.Array(Type.String({ maxLength: 20 }), { maxItems: 1000 })]);
export const OrganizeForm = Type.Object({
  photoIds: Type.Optional(FormList),
  addTags: Type.Optional(Type.String({ maxLength: 10_000 })),
  removeTags: Type.Optional(Type.String({ maxLength: 10_000 })),
  visibility: Type.Optional(Type.String({ maxLength: 40 })),
  restricted: Type.Optional(Type.String({ maxLength: 10 })),
  license: Type.Optional(Type.String({ maxLength: 40 })),
  location: Type.Optional(Type.String({ maxLength: 10, description: "keep, set or remove" })),
  latitude: Type.Optional(Type.String({ maxLength: 40 })),
  longitude: Type.Optional(Type.String({ maxLength: 40 })),
  locationVisibility: Type.Optional(Type.String({ maxLength: 40 })),
  albumId: Type.Optional(Type.String({ maxLength: 20 })),
  intent: Type.Optional(Type.String({ maxLength: 10 })),
  confirmDelete: Type.Optional(Type.String({ maxLength: 10 })),
  before: Type.Optional(Type.String({ maxLength: 20 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});
export const OrganizeQuery = Type.Object({
  before: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}$" })),
  changed: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$" })),
  deleted: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$" })),
});
