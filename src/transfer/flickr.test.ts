import { test } from "node:test";
import assert from "node:assert/strict";
import { flickrAlbums, flickrLicense, flickrLocation, flickrPhoto, flickrPhotoFileId, flickrPhotoJsonId, flickrVisibility } from "./flickr.ts";

test("Flickr photo files and JSON files are recognised by the id before _o, whatever the title slug", () => {
  assert.equal(flickrPhotoFileId("the-harbour_52345678901_o.jpg"), "52345678901");
  assert.equal(flickrPhotoFileId("data-download-1/2012_06_02_123_o.JPG"), "123");
  assert.equal(flickrPhotoFileId("12345_abcdef0123_o.png"), "12345", "the older layout: the id, then the secret");
  assert.equal(flickrPhotoFileId("photo_123.json"), null);
  assert.equal(flickrPhotoJsonId("part1/photo_123.json"), "123");
  assert.equal(flickrPhotoJsonId("photos_comments_part001.json"), null);
});

test("Flickr's locations: millionths of a degree or decimal degrees, an array or one object; 0,0 and nonsense are no location", () => {
  assert.deepEqual(flickrLocation([{ latitude: "54580012", longitude: "-3138641", accuracy: "16" }]), { latitude: 54.580012, longitude: -3.138641 });
  assert.deepEqual(flickrLocation({ latitude: "51.5", longitude: "-0.12" }), { latitude: 51.5, longitude: -0.12 });
  assert.deepEqual(flickrLocation({ latitude: 40.7, longitude: -74 }), { latitude: 40.7, longitude: -74 });
  assert.equal(flickrLocation([{ latitude: "0", longitude: "0" }]), null);
  assert.equal(flickrLocation([]), null);
  assert.equal(flickrLocation({ latitude: "north", longitude: "1" }), null);
  assert.equal(flickrLocation({ latitude: "95.5", longitude: "1.5" }), null);
});

test("Flickr's licences map to the Creative Commons 4.0 licence of the same terms, and anything unknown to all rights reserved", () => {
  assert.equal(flickrLicense("All Rights Reserved"), "all-rights-reserved");
  assert.equal(flickrLicense("Attribution License"), "cc-by-4.0");
  assert.equal(flickrLicense("Attribution-ShareAlike License"), "cc-by-sa-4.0");
  assert.equal(flickrLicense("Attribution-NoDerivs License"), "cc-by-nd-4.0");
  assert.equal(flickrLicense("Attribution-NonCommercial License"), "cc-by-nc-4.0");
  assert.equal(flickrLicense("Attribution-NonCommercial-ShareAlike License"), "cc-by-nc-sa-4.0");
  assert.equal(flickrLicense("Attribution-NonCommercial-NoDerivs License"), "cc-by-nc-nd-4.0");
  assert.equal(flickrLicense("CC BY-NC 4.0 Attribution-NonCommercial 4.0 International"), "cc-by-nc-4.0");
  assert.equal(flickrLicense("Public Domain Dedication (CC0)"), "cc0-1.0");
  assert.equal(flickrLicense("Public Domain Mark"), "pdm-1.0");
  assert.equal(flickrLicense("No known copyright restrictions"), "all-rights-reserved");
  assert.equal(flickrLicense(undefined), "all-rights-reserved");
});

test("Flickr's privacy maps to Pinhole's visibility; anything unknown is private", () => {
  assert.equal(flickrVisibility("public"), "public");
  assert.equal(flickrVisibility("friends"), "friends");
  assert.equal(flickrVisibility("family"), "family");
  assert.equal(flickrVisibility("friends & family"), "friends_and_family");
  assert.equal(flickrVisibility("Friends and Family"), "friends_and_family");
  assert.equal(flickrVisibility("private"), "private");
  assert.equal(flickrVisibility("only you"), "private");
  assert.equal(flickrVisibility(undefined), "private");
});

test("a photo's JSON: tags as objects or strings, the date taken only when real, comments with the commenter's name", () => {
  const photo = flickrPhoto(
    {
      name: "Title",
      description: "Desc",
      date_taken: "2012-06-02 18:30:00",
      tags: [{ tag: "a" }, "b"],
      privacy: "family",
      safety: "moderate",
      comments: [{ user: "https://www.flickr.com/people/anna/", comment: "Hi", date: "2013-01-01 10:00:00" }, { user: "bob", message: "  " }],
    },
    0,
  );
  assert.equal(photo.title, "Title");
  assert.deepEqual(photo.tags, ["a", "b"]);
  assert.deepEqual(photo.takenAt, { value: "2012-06-02T18:30:00", offset: null, onlyIfMissing: true });
  assert.equal(photo.restricted, true);
  assert.deepEqual(photo.comments, [{ author: "anna", text: "Hi", createdAt: Date.UTC(2013, 0, 1, 10) }]);
  assert.equal(flickrPhoto({ date_taken: "0000-00-00 00:00:00" }, 0).takenAt, undefined);
});

test("albums.json: photos and the cover by id, the cover also from a photo page URL", () => {
  assert.deepEqual(flickrAlbums({ albums: [{ id: "7", title: "T", description: "D", photos: ["1", "2", "x"], cover_photo: "https://www.flickr.com/photos/me/2/" }, { title: "no id" }] }), [
    { id: "7", title: "T", description: "D", photoIds: ["1", "2"], coverPhotoId: "2" },
  ]);
  assert.deepEqual(flickrAlbums(null), []);
});
