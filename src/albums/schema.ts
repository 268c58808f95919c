import { Type } from "@sinclair/typebox";
import { PhotoJson } from "../photos/schema.ts";

const Id = Type.String({ pattern: "^[1-9][0-9]{0,17}$" });
const PhotoId = Type.Union([Id, Type.Integer({ minimum: 1 })]);
const Csrf = Type.Optional(Type.String({ maxLength: 200 }));
const Username = Type.String({ minLength: 1, maxLength: 64 });
const Title = Type.String({ minLength: 1, maxLength: 1000 });
const Description = Type.String({ maxLength: 20_000 });
const TakenBound = Type.String({ maxLength: 40, description: "a date (2024-05-17) or a date and time (2024-05-17T08:30), as the camera's clock; takenTo includes the whole day" });

export const RuleJson = Type.Object(
  {
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 20 })),
    tagMode: Type.Optional(Type.Union([Type.Literal("all"), Type.Literal("any")], { description: "all (default): every tag; any: at least one" })),
    takenFrom: Type.Optional(TakenBound),
    takenTo: Type.Optional(TakenBound),
    camera: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the camera model, as recorded in the file" })),
    near: Type.Optional(
      Type.Object(
        {
          latitude: Type.Number({ minimum: -90, maximum: 90 }),
          longitude: Type.Number({ minimum: -180, maximum: 180 }),
          radiusKm: Type.Number({ exclusiveMinimum: 0, maximum: 20_000 }),
        },
        { additionalProperties: false, description: "photos taken within radiusKm; for others than the owner, only photos whose location they may see" },
      ),
    ),
    minFaves: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  },
  { additionalProperties: false, description: "A smart album's rule: at least one criterion; photos must match all of them" },
);

export const AlbumIdParams = Type.Object({ id: Id });
export const CreateAlbumBody = Type.Object(
  { title: Title, description: Type.Optional(Description), rule: Type.Optional(RuleJson) },
  { additionalProperties: false },
);
export const PatchAlbumBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    coverPhotoId: Type.Optional(Type.Union([Id, Type.Null()], { description: "one of the album's photos; null to go back to the first" })),
    rule: Type.Optional(RuleJson),
  },
  { additionalProperties: false },
);
export const PhotoIdsBody = Type.Object({ photoIds: Type.Array(PhotoId, { minItems: 1, maxItems: 500 }) }, { additionalProperties: false });
export const OrderBody = Type.Object({ photoIds: Type.Array(PhotoId, { maxItems: 100_000, description: "every photo of the album, once each, in the new order" }) }, { additionalProperties: false });
export const AlbumPageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]{1,300}$" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});
export const UsernameParams = Type.Object({ username: Username });

export const AlbumJson = Type.Object({
  id: Type.Integer(),
  owner: Type.Object({ username: Type.String() }),
  title: Type.String(),
  description: Type.String(),
  smart: Type.Boolean(),
  rule: Type.Union([RuleJson, Type.Null()], { description: "a smart album's rule; only for its owner" }),
  photoCount: Type.Integer({ description: "the photos you may see" }),
  cover: Type.Union([PhotoJson, Type.Null()], { description: "the chosen cover if you may see it, else the first photo you may see" }),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  pageUrl: Type.String(),
});
export const AlbumWithPhotosJson = Type.Object({ album: AlbumJson, photos: Type.Array(PhotoJson), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export const AlbumListJson = Type.Object({ albums: Type.Array(AlbumJson) });
export const AddedJson = Type.Object({ added: Type.Integer({ description: "photos that were not in the album yet" }) });

export const CollectionIdParams = Type.Object({ id: Id });
export const CreateCollectionBody = Type.Object(
  { title: Title, description: Type.Optional(Description), albumIds: Type.Optional(Type.Array(PhotoId, { maxItems: 500 })) },
  { additionalProperties: false },
);
export const PatchCollectionBody = Type.Object(
  { title: Type.Optional(Title), description: Type.Optional(Description), albumIds: Type.Optional(Type.Array(PhotoId, { maxItems: 500, description: "the collection's albums, in order (replaces them)" })) },
  { additionalProperties: false },
);
export const CollectionJson = Type.Object({
  id: Type.Integer(),
  owner: Type.Object({ username: Type.String() }),
  title: Type.String(),
  description: Type.String(),
  albums: Type.Array(AlbumJson, { description: "the albums you may see, in order" }),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  pageUrl: Type.String(),
});
export const CollectionListJson = Type.Object({ collections: Type.Array(CollectionJson) });

// ---- pages and forms ----
export const AlbumPageParams = Type.Object({ username: Username, id: Id });
export const AlbumPhotoParams = Type.Object({ id: Id, photoId: Id });
export const BeforeQuery = Type.Object({ before: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]{1,300}$" })) });
export const NewAlbumForm = Type.Object({
  title: Type.String({ maxLength: 1000 }),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  photoId: Type.Optional(Type.String({ maxLength: 20 })),
  next: Type.Optional(Type.String({ maxLength: 300 })),
  _csrf: Csrf,
});
const RuleFields = {
  tags: Type.Optional(Type.String({ maxLength: 2000 })),
  tagMode: Type.Optional(Type.String({ maxLength: 10 })),
  takenFrom: Type.Optional(Type.String({ maxLength: 40 })),
  takenTo: Type.Optional(Type.String({ maxLength: 40 })),
  camera: Type.Optional(Type.String({ maxLength: 200 })),
  nearLatitude: Type.Optional(Type.String({ maxLength: 40 })),
  nearLongitude: Type.Optional(Type.String({ maxLength: 40 })),
  nearRadiusKm: Type.Optional(Type.String({ maxLength: 40 })),
  minFaves: Type.Optional(Type.String({ maxLength: 20 })),
};
export const NewSmartAlbumForm = Type.Object({ title: Type.String({ maxLength: 1000 }), description: Type.Optional(Type.String({ maxLength: 20_000 })), ...RuleFields, _csrf: Csrf });
export const RuleEditForm = Type.Object({ ...RuleFields, _csrf: Csrf });
export const AddToAlbumForm = Type.Object({ albumId: Type.String({ maxLength: 20 }), photoId: Type.String({ maxLength: 20 }), next: Type.Optional(Type.String({ maxLength: 300 })), _csrf: Csrf });
export const EditAlbumForm = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  coverPhotoId: Type.Optional(Type.String({ maxLength: 20 })),
  _csrf: Csrf,
});
export const MoveForm = Type.Object({ direction: Type.Union([Type.Literal("earlier"), Type.Literal("later")]), _csrf: Csrf });
export const CsrfForm = Type.Object({ _csrf: Csrf });
export const CollectionForm = Type.Object({
  title: Type.String({ maxLength: 1000 }),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  albumIds: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Array(Type.String({ maxLength: 20 }), { maxItems: 500 })])),
  _csrf: Csrf,
});
export const CollectionPageParams = Type.Object({ username: Username, id: Id });
