import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidError } from "../errors.ts";
import { checkNoteText, checkRectangle, mayAddNote, NOTE_PERMISSIONS, type NotingStanding } from "./rules.ts";

const stranger: NotingStanding = { isOwner: false, contact: null, blocked: false };
const contact: NotingStanding = { isOwner: false, contact: { isFriend: false, isFamily: false }, blocked: false };
const friend: NotingStanding = { isOwner: false, contact: { isFriend: true, isFamily: false }, blocked: false };
const family: NotingStanding = { isOwner: false, contact: { isFriend: false, isFamily: true }, blocked: false };

test("who may add a note, for every setting", () => {
  const table = Object.fromEntries(NOTE_PERMISSIONS.map((p) => [p, [stranger, contact, friend, family].map((s) => mayAddNote(p, s))]));
  assert.deepEqual(table, {
    owner: [false, false, false, false],
    contacts: [false, true, true, true],
    friends: [false, false, true, true],
    everyone: [true, true, true, true],
  });
  for (const p of NOTE_PERMISSIONS) {
    assert.equal(mayAddNote(p, { isOwner: true, contact: null, blocked: false }), true, `the owner may under ${p}`);
    assert.equal(mayAddNote(p, { ...friend, blocked: true }), false, `a blocked member may not under ${p}`);
  }
});

test("a rectangle lies inside the image and has a size", () => {
  assert.deepEqual(checkRectangle({ x: 0, y: 0, width: 1, height: 1 }), { x: 0, y: 0, width: 1, height: 1 });
  const edge = checkRectangle({ x: 0.7, y: 0.1, width: 0.3, height: 0.2 });
  assert.ok(edge.x + edge.width <= 1, "a float hair past the edge is trimmed back");
  for (const bad of [
    { x: 0.5, y: 0, width: 0.6, height: 0.1 },
    { x: 0, y: 0, width: 0, height: 0.1 },
    { x: 0, y: 0, width: 0.1, height: -0.1 },
    { x: -0.01, y: 0, width: 0.1, height: 0.1 },
    { x: 1, y: 0, width: 0.1, height: 0.1 },
    { x: Number.NaN, y: 0, width: 0.1, height: 0.1 },
  ]) {
    assert.throws(() => checkRectangle(bad), InvalidError, JSON.stringify(bad));
  }
});

test("a note's text is trimmed, without control characters, and 1 to 500 characters counted as people see them", () => {
  assert.equal(checkNoteText("  a heron\u0007 "), "a heron");
  assert.equal(checkNoteText("🦩".repeat(500)).length, 1000, "500 emoji are 500 characters");
  assert.throws(() => checkNoteText(" \n "), InvalidError);
  assert.throws(() => checkNoteText("x".repeat(501)), InvalidError);
});
