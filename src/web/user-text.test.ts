import { test } from "node:test";
import assert from "node:assert/strict";
import { userText } from "./user-text.ts";

test("plain text is escaped and keeps its line breaks", () => {
  assert.equal(userText(`<img src=x onerror="a()"> & 'b'\nnext`).value, "&lt;img src=x onerror=&quot;a()&quot;&gt; &amp; &#39;b&#39;<br>next");
});

test("web addresses become links that earn no credit and cannot reach the page", () => {
  assert.equal(
    userText("see (https://example.org/x?a=1&b=2), then http://a.test.").value,
    'see (<a href="https://example.org/x?a=1&amp;b=2" rel="nofollow ugc noopener">https://example.org/x?a=1&amp;b=2</a>), then <a href="http://a.test" rel="nofollow ugc noopener">http://a.test</a>.',
  );
});

test("only http and https addresses are linked, and a link ends where markup would start", () => {
  assert.equal(userText("javascript:alert(1) data:text/html,x").value, "javascript:alert(1) data:text/html,x");
  assert.equal(userText('https://a.test/"><script>').value, '<a href="https://a.test/" rel="nofollow ugc noopener">https://a.test/</a>&quot;&gt;&lt;script&gt;');
});
