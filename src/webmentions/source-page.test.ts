import { test } from "node:test";
import assert from "node:assert/strict";
import { linksTo, readSourcePage } from "./source-page.ts";

test("a source page's links are read resolved against the page, with entities decoded, and not from comments or scripts", () => {
  const page = readSourcePage(
    `<html><head><title>My &amp; your trip &#8211; day 2</title><meta name="author" content="Ann &quot;A&quot; Lee"><link rel="author" href="/about"></head>
<body><!-- <a href="https://pinhole.test/photos/ann/2">not this</a> --><script>var s = '<a href="https://pinhole.test/photos/ann/3">';</script>
<p><a href='../photos/ann/1?x=1&amp;y=2'>relative</a> <img src="https://pinhole.test/img/1/abc/500.jpg"> <a href=https://pinhole.test/photos/ann/4/#c>unquoted</a></p></body></html>`,
    "https://pinhole.test/blog/post",
  );
  assert.equal(page.title, "My & your trip – day 2");
  assert.equal(page.authorName, 'Ann "A" Lee');
  assert.equal(page.authorUrl, "https://pinhole.test/about");
  assert.ok(page.links.has("https://pinhole.test/photos/ann/1?x=1&y=2"));
  assert.equal(linksTo(page, "https://pinhole.test/photos/ann/4"), true, "a fragment and a trailing slash do not matter");
  assert.equal(linksTo(page, "https://pinhole.test/photos/ann/2"), false, "a link in a comment is no link");
  assert.equal(linksTo(page, "https://pinhole.test/photos/ann/3"), false, "nor one in a script");
  assert.equal(linksTo(page, "https://pinhole.test/photos/ann/40"), false);
});

test("a page without a title is named by its host; og:title wins over <title>", () => {
  assert.equal(readSourcePage("<p>hi</p>", "https://blog.example/x").title, "blog.example");
  assert.equal(readSourcePage('<title>Plain</title><meta property="og:title" content="Rich">', "https://blog.example/x").title, "Rich");
});
