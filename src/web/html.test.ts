import { test } from "node:test";
import assert from "node:assert/strict";
import { html, raw } from "./html.ts";

test("interpolated strings are escaped, nested Html is not", () => {
  const inner = html`<b>${"<i>"}</b>`;
  assert.equal(html`<p title="${'"x" & \'y\''}">${inner}</p>`.value, '<p title="&quot;x&quot; &amp; &#39;y&#39;"><b>&lt;i&gt;</b></p>');
});

test("arrays are joined and empty values vanish", () => {
  assert.equal(html`${["a", raw("<br>"), null, undefined, false, 3]}`.value, "a<br>3");
});
