import crypto from "node:crypto";
import type { TestServer } from "./server.ts";
import { PhotosRepository } from "../../src/photos/repository.ts";
import { newPhotoId, newPhotoSecret } from "../../src/photos/ids.ts";

/**
 * Factory: located photos written through the photos repository (the insert an upload ends
 * with, which keeps the map in step), without their files: maps never read them. For tests
 * that need hundreds of photos in one place, which uploads would take minutes to make.
 */
export async function seedLocatedPhotos(
  server: TestServer,
  username: string,
  places: Array<[number, number]>,
  fields: { visibility?: string; location_visibility?: string } = {},
): Promise<number[]> {
  const owner = await server.context.users.findPublicUser(username);
  if (!owner) throw new Error(`no member ${username}`);
  const photos = new PhotosRepository(server.context.database.db);
  const ids: number[] = [];
  for (const [latitude, longitude] of places) {
    let id = newPhotoId(Date.now());
    while (ids.includes(id) || (await photos.findFiles(id))) id = newPhotoId(Date.now());
    const now = Date.now();
    await photos.insert(
      {
        id, owner_id: owner.id, title: `seeded ${id}`, description: "", visibility: fields.visibility ?? "public", location_visibility: fields.location_visibility ?? "everyone",
        secret: newPhotoSecret(), original_key: `seed/${id}`, original_format: "jpeg", original_bytes: 1, original_name: "seed.jpg", sha256: crypto.randomBytes(32).toString("hex"),
        width: 10, height: 10, taken_at: null, taken_at_offset: null, taken_at_utc: null, uploaded_at: now, updated_at: now,
        camera_make: null, camera_model: null, lens: null, exposure_time: null, exposure_seconds: null, f_number: null, iso: null, focal_length: null, focal_length_35mm: null,
        latitude, longitude, altitude: null, sizes: "[]", dominant_color: null,
      },
      [],
    );
    ids.push(id);
  }
  return ids;
}
