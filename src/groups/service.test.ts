import { test } from "node:test";
import assert from "node:assert/strict";
import { slugify } from "./service.ts";

test("group slugs are lowercase ASCII words joined by hyphens", () => {
  assert.equal(slugify("  Café Crème: Paris!  "), "cafe-creme-paris");
  assert.equal(slugify("日本"), "group");
  assert.ok(slugify("x".repeat(200)).length <= 60);
});
