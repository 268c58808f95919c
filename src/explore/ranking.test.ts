import { test } from "node:test";
import assert from "node:assert/strict";
import { exploreDay, exploreScore, rank } from "./ranking.ts";

const HOUR = 60 * 60_000;
const now = Date.UTC(2026, 10, 29, 12);
const photo = (id: number, faves: number, comments: number, views: number, hoursOld: number) => ({ id, faves, comments, views, uploadedAt: now - hoursOld * HOUR });

test("the score is (3·faves + 2·comments + log2(1+views)) / (hours + 2)^1.5", () => {
  assert.equal(exploreScore(photo(1, 1, 0, 0, 0), now), 3 / 2 ** 1.5);
  assert.equal(exploreScore(photo(1, 0, 1, 0, 2), now), 2 / 4 ** 1.5);
  assert.equal(exploreScore(photo(1, 0, 0, 7, 7), now), 3 / 27);
  assert.equal(exploreScore(photo(1, 0, 0, 0, 1), now), 0);
  assert.equal(exploreScore({ faves: 1, comments: 0, views: 0, uploadedAt: now + HOUR }, now), 3 / 2 ** 1.5, "a clock a little behind does not divide by a negative age");
});

test("fresh attention beats old attention; nothing noticed is left out; ties go to the newer photo", () => {
  const ranked = rank([photo(1, 10, 0, 0, 48), photo(2, 2, 0, 0, 1), photo(3, 0, 0, 0, 0), photo(4, 2, 0, 0, 1)], now);
  assert.deepEqual(ranked.map((e) => e.photoId), [4, 2, 1]);
  assert.equal(rank([photo(1, 1, 0, 0, 1), photo(2, 2, 0, 0, 1)], now, 1).length, 1, "the size bounds the ranking");
  assert.equal(exploreDay(now), "2026-11-29");
});
