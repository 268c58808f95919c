import { test } from "node:test";
import assert from "node:assert/strict";
import { ImageCache } from "./image-cache.ts";

test("the cache stays within its byte budget, dropping the least recently used first", () => {
  const cache = new ImageCache(300, 200);
  cache.set("a", Buffer.alloc(100));
  cache.set("b", Buffer.alloc(100));
  cache.get("a");
  cache.set("c", Buffer.alloc(150));
  assert.ok(cache.get("a"));
  assert.equal(cache.get("b"), undefined);
  assert.ok(cache.size.bytes <= 300);
});

test("a read that started before an invalidation does not put the old bytes back", () => {
  const cache = new ImageCache(1000);
  const before = cache.currentGeneration;
  cache.deletePrefix("derivatives/001/1/oldsecret/");
  cache.set("derivatives/001/1/oldsecret/500.jpg", Buffer.alloc(10), before);
  assert.equal(cache.get("derivatives/001/1/oldsecret/500.jpg"), undefined);
});

test("invalidations are published for sibling processes", () => {
  const cache = new ImageCache(1000);
  const published: string[] = [];
  cache.onInvalidate = (prefix) => published.push(prefix);
  cache.set("derivatives/001/1/s/500.jpg", Buffer.alloc(10));
  cache.deletePrefix("derivatives/001/1/s/");
  cache.dropPrefix("derivatives/002/2/t/");
  assert.deepEqual(published, ["derivatives/001/1/s/"], "only local invalidations are published, not relayed ones");
  assert.equal(cache.get("derivatives/001/1/s/500.jpg"), undefined);
});

test("an entry is served from memory for ten seconds at most, then read again: another machine's deletion reaches this one's cache", () => {
  let now = 1_000_000;
  const cache = new ImageCache(1000, 500, 10_000, () => now);
  cache.set("derivatives/001/1/s/500.jpg", Buffer.alloc(10));
  now += 9_999;
  assert.ok(cache.get("derivatives/001/1/s/500.jpg"), "still fresh");
  now += 1;
  assert.equal(cache.get("derivatives/001/1/s/500.jpg"), undefined, "too old: the store is asked again");
  assert.deepEqual(cache.size, { entries: 0, bytes: 0 });
});
