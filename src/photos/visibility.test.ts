import { test } from "node:test";
import assert from "node:assert/strict";
import { canView, isMorePrivate, STRANGER, VISIBILITIES } from "./visibility.ts";

test("only public photos are visible to a stranger", () => {
  for (const visibility of VISIBILITIES) assert.equal(canView(visibility, STRANGER), visibility === "public", visibility);
});

test("the owner sees every visibility", () => {
  for (const visibility of VISIBILITIES) assert.equal(canView(visibility, { ...STRANGER, isOwner: true }), true);
});

test("a friend sees friends and friends_and_family photos, not family or private ones", () => {
  const friend = { ...STRANGER, isFriend: true };
  assert.deepEqual(VISIBILITIES.filter((v) => canView(v, friend)), ["public", "friends_and_family", "friends"]);
});

test("narrowing the audience counts as more private, widening does not", () => {
  assert.equal(isMorePrivate("public", "friends"), true);
  assert.equal(isMorePrivate("friends", "family"), true);
  assert.equal(isMorePrivate("friends_and_family", "friends"), true);
  assert.equal(isMorePrivate("friends", "friends_and_family"), false);
  assert.equal(isMorePrivate("private", "public"), false);
  assert.equal(isMorePrivate("public", "public"), false);
});
