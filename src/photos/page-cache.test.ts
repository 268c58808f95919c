import { test } from "node:test";
import assert from "node:assert/strict";
import { PhotoPageCache } from "./page-cache.ts";

test("a kept page comes back only for the version it was made from; another version drops it", () => {
  const cache = new PhotoPageCache(10_000);
  cache.set("en /photos/a/1", ["v1"], Buffer.from("<p>one</p>"));
  assert.equal(cache.get("en /photos/a/1", ["v1"])?.toString(), "<p>one</p>");
  assert.equal(cache.get("de /photos/a/1", ["v1"]), undefined, "another language is another page");
  assert.equal(cache.get("en /photos/a/1", ["v2"]), undefined, "the row changed: not shown");
  assert.equal(cache.get("en /photos/a/1", ["v1"]), undefined, "and the stale page is gone");
  assert.equal(cache.size, 0);
  assert.equal(cache.heldBytes, 0);
});

test("versions are compared value by value: a read answering the same values is the same version", () => {
  const cache = new PhotoPageCache(10_000);
  cache.set("k", [1, "title", null, false], Buffer.from("page"));
  assert.equal(cache.get("k", [1, "title", null, false])?.toString(), "page", "another array with the same values");
  assert.equal(cache.get("k", ["1", "title", null, false]), undefined, "a number is not its text");
  cache.set("k", [1, "title", null, false], Buffer.from("page"));
  assert.equal(cache.get("k", [1, "title", null]), undefined, "one answer fewer");
});

test("the cache holds at most its size, the least recently used page out first", () => {
  const page = Buffer.from("x".repeat(100));
  const key = (i: number) => `en /photos/a/${i}`;
  const one = key(0).length + 2 + page.length;
  const cache = new PhotoPageCache(one * 3, one);
  for (let i = 0; i < 3; i++) cache.set(key(i), ["v1"], page);
  assert.equal(cache.get(key(0), ["v1"]), page, "0 is now the most recently used");
  cache.set(key(3), ["v1"], page);
  assert.equal(cache.size, 3);
  assert.equal(cache.get(key(1), ["v1"]), undefined, "1 went: least recently used");
  for (const i of [0, 2, 3]) assert.equal(cache.get(key(i), ["v1"]), page);
  assert.ok(cache.heldBytes <= one * 3);

  cache.set(key(2), ["v2"], page);
  assert.equal(cache.size, 3, "a page made again replaces its older self");
  assert.equal(cache.heldBytes, one * 3);
});

test("a page larger than an entry may be is not kept, and a size of 0 keeps nothing", () => {
  const cache = new PhotoPageCache(1000, 100);
  cache.set("k", ["v"], Buffer.from("y".repeat(101)));
  assert.equal(cache.get("k", ["v"]), undefined);
  const off = new PhotoPageCache(0);
  assert.equal(off.enabled, false);
  off.set("k", ["v"], Buffer.from("small"));
  assert.equal(off.get("k", ["v"]), undefined);
});
