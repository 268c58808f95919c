import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonBody, jsonFail, jsonOk, node, restFail, restOk, textNode } from "./views.ts";

test("a list is an array in JSON whatever its length, and a single child is an object", () => {
  const empty = node("photos", { page: 1 }, [], ["photo"]);
  assert.deepEqual(jsonOk([empty]), { photos: { page: 1, photo: [] }, stat: "ok" });
  const one = node("photos", {}, [node("photo", { id: "1" })], ["photo"]);
  assert.deepEqual(jsonOk([one]), { photos: { photo: [{ id: "1" }] }, stat: "ok" });
  assert.deepEqual(jsonOk([node("photo", { id: "2" }, [textNode("title", "Boats")])]), { photo: { id: "2", title: { _content: "Boats" } }, stat: "ok" });
});

test("XML escapes attributes and text and drops characters XML cannot carry", () => {
  const xml = restOk([node("photo", { title: 'a "b" & <c>' }, [textNode("description", "x < y & \u0001z")])]);
  assert.match(xml, /title="a &quot;b&quot; &amp; &lt;c&gt;"/);
  assert.match(xml, /<description>x &lt; y &amp; z<\/description>/);
  assert.match(restFail({ code: 1, message: "Photo not found" }), /<err code="1" msg="Photo not found" \/>/);
});

test("JSON errors and callbacks are Flickr's shape", () => {
  assert.deepEqual(jsonFail({ code: 112, message: 'Method "x" not found' }), { stat: "fail", code: 112, message: 'Method "x" not found' });
  assert.equal(jsonBody({ stat: "ok" }, null), '{"stat":"ok"}');
  assert.equal(jsonBody({ stat: "ok", t: "\u2028" }, "jsonFlickrApi"), 'jsonFlickrApi({"stat":"ok","t":"\\u2028"})');
});
