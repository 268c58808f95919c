import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTags, parseTags } from "./tags.ts";

test("quoted phrases stay whole and are normalised for matching", () => {
  assert.deepEqual(parseTags('sunset "Lake District" boats'), [
    { raw: "sunset", tag: "sunset" },
    { raw: "Lake District", tag: "lakedistrict" },
    { raw: "boats", tag: "boats" },
  ]);
});

test("duplicates after normalisation are dropped and empty tags ignored", () => {
  assert.deepEqual(parseTags('Boats boats BOATS "" ,,, '), [{ raw: "Boats", tag: "boats" }]);
});

test("accented, CJK and emoji tags survive", () => {
  assert.deepEqual(parseTags("érable 東京 🐈").map((t) => t.tag), ["érable", "東京", "🐈"]);
});

test("formatTags round-trips through parseTags", () => {
  const tags = parseTags('a "b c" d');
  assert.deepEqual(parseTags(formatTags(tags.map((t) => t.raw))), tags);
});
