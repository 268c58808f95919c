import crypto from "node:crypto";

const EPOCH = Date.UTC(2024, 0, 1);
const RANDOM_BITS = 4096;

/**
 * Photo ids are made by the server before anything is stored, so files can be written under
 * their final names before the database row exists. Milliseconds since 2024 × 4096 plus 12
 * random bits: ordered by upload time, unguessable enough not to enumerate in order, and
 * below 2^53 for 69 years. A collision (same millisecond, same random) fails the primary key.
 */
export function newPhotoId(now: number): number {
  return (now - EPOCH) * RANDOM_BITS + crypto.randomInt(RANDOM_BITS);
}

/** The secret in image URLs: 80 random bits. */
export function newPhotoSecret(): string {
  return crypto.randomBytes(10).toString("hex");
}

/** When the photo's id was made, in epoch milliseconds. */
export function photoIdTime(id: number): number {
  return Math.floor(id / RANDOM_BITS) + EPOCH;
}

/** The smallest id a photo uploaded at or after `ms` can have: a primary-key bound for "uploaded since". */
export function firstPhotoIdAt(ms: number): number {
  return Math.max(0, (ms - EPOCH) * RANDOM_BITS);
}
