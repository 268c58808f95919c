import { Type } from "@sinclair/typebox";

export const MapQuery = Type.Object(
  {
    bbox: Type.String({
      maxLength: 200,
      description: "minLon,minLat,maxLon,maxLat in degrees (longitudes −180…180, latitudes −90…90). A minLon above maxLon crosses the antimeridian; latitudes are clamped to Web Mercator's ±85.0511.",
      examples: ["-10.5,35.2,30.1,60.8"],
    }),
    zoom: Type.Integer({ minimum: 0, maximum: 20, description: "Leaflet's zoom level: clusters are cells of about 64 pixels at this zoom" }),
    user: Type.Optional(Type.String({ maxLength: 100, description: "only this member's photos (their map)" })),
  },
  { additionalProperties: false },
);

const PhotoRef = Type.Object({ id: Type.String(), thumbnailUrl: Type.String({ description: "a 75-pixel square" }), pageUrl: Type.String() });

export const MapClusterJson = Type.Object({
  latitude: Type.Number({ description: "the mean of its photos' positions" }),
  longitude: Type.Number(),
  count: Type.Integer({ minimum: 1 }),
  photo: Type.Union([PhotoRef, Type.Null()], { description: "one photo of the cluster, for its thumbnail" }),
});

export const MapPointJson = Type.Object({
  id: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  title: Type.String(),
  thumbnailUrl: Type.String(),
  pageUrl: Type.String(),
});

export const MapJson = Type.Object({
  kind: Type.Union([Type.Literal("clusters"), Type.Literal("points")], { description: "clusters at low zoom; single photos at high zoom or when the box holds few" }),
  zoom: Type.Integer(),
  bbox: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: "the box as read: [minLon, minLat, maxLon, maxLat], latitudes clamped" }),
  total: Type.Integer({ description: "photos counted in the clusters' cells (which may reach a little past the box's edges)" }),
  truncated: Type.Boolean({ description: "true when more photos matched than one answer carries; zoom in for the rest" }),
  clusters: Type.Array(MapClusterJson),
  points: Type.Array(MapPointJson),
});

export const MapUserParams = Type.Object({ username: Type.String({ maxLength: 100 }) });
