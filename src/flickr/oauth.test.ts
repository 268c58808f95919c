import { test } from "node:test";
import assert from "node:assert/strict";
import { OAuth } from "flickr-sdk";
import { authorizationParams, signatureMatches, signedUrls } from "./oauth.ts";

test("the OAuth header is read, decoded, without realm", () => {
  assert.deepEqual(authorizationParams('OAuth realm="", oauth_consumer_key="k%20ey", oauth_nonce="a%2Bb"'), { oauth_consumer_key: "k ey", oauth_nonce: "a+b" });
  assert.equal(authorizationParams("Bearer abc"), null);
  assert.equal(authorizationParams(undefined), null);
});

test("a path maps to this site's URL and Flickr's host for it", () => {
  assert.deepEqual(signedUrls("https://photos.example", "/services/rest/"), ["https://photos.example/services/rest/", "https://api.flickr.com/services/rest/"]);
  assert.deepEqual(signedUrls("https://photos.example", "/services/upload"), ["https://photos.example/services/upload", "https://up.flickr.com/services/upload"]);
  assert.equal(signedUrls("https://photos.example", "/services/oauth/access_token")[1], "https://www.flickr.com/services/oauth/access_token");
});

test("a signature made by another implementation (flickr-sdk) matches; a changed value or secret does not", () => {
  const client = new OAuth("key", "secret");
  const params: Record<string, string> = { method: "flickr.test.echo", text: "a b+c/ü", ...client.params(), oauth_token: "tok" };
  params.oauth_signature = client.signature("POST", "https://api.flickr.com/services/rest", params, "tokensecret");
  const request = { method: "POST", path: "/services/rest", params };
  const urls = signedUrls("http://127.0.0.1:3000", "/services/rest");
  assert.equal(signatureMatches(request, urls, { key: "key", secret: "secret" }, "tokensecret"), true);
  assert.equal(signatureMatches(request, urls, { key: "key", secret: "secret" }, "other"), false);
  assert.equal(signatureMatches({ ...request, params: { ...params, text: "changed" } }, urls, { key: "key", secret: "secret" }, "tokensecret"), false);
  assert.equal(signatureMatches({ ...request, method: "GET" }, urls, { key: "key", secret: "secret" }, "tokensecret"), false);
});
