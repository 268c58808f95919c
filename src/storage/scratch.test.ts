import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { cleanScratch, removeTempFile, scratchName } from "./scratch.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-scratch-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
/** Descriptors of this process open on `file`, even after its name is gone ("… (deleted)"). */
function descriptorsOn(file: string): string[] {
  return fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
    } catch {
      return false; // closed between the listing and the read
    }
  });
}

test("a removed temp file's name is gone when the call returns, and its descriptor closes just after", async () => {
  const file = path.join(dir, scratchName("upload", "gone.part"));
  const fd = fs.openSync(file, "wx");
  fs.writeSync(fd, crypto.randomBytes(3_000_000));
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  await removeTempFile(file);
  assert.equal(fs.existsSync(file), false);
  assert.deepEqual(fs.readdirSync(dir), []);
  // Counting all descriptors raced with the process's own; only the ones on this file matter.
  for (let i = 0; i < 100 && descriptorsOn(file).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(descriptorsOn(file), [], "the blocks are freed by a close that does happen");
});

test("removing a temp file that is not there is no error; one that cannot be opened is still removed", async () => {
  await removeTempFile(path.join(dir, "never-was"));
  const unreadable = path.join(dir, scratchName("upload", "unreadable.part"));
  fs.writeFileSync(unreadable, "x");
  fs.chmodSync(unreadable, 0o000);
  // root opens it anyway; others fall back to a plain unlink: either way it goes.
  await removeTempFile(unreadable);
  assert.equal(fs.existsSync(unreadable), false);
});

test("the start-up clean-up removes a dead writer's temp files and keeps a live one's", async () => {
  // At start-up a file with the process's own pid is from an earlier life of that pid.
  const earlierLife = path.join(dir, scratchName("upload", "earlier.part"));
  const dead = path.join(dir, "upload-p999999999-dead.part");
  fs.writeFileSync(earlierLife, "earlier");
  fs.writeFileSync(dead, "dead");
  // A live writer: the process that started this one.
  const sibling = path.join(dir, `upload-p${process.ppid}-sibling.part`);
  fs.writeFileSync(sibling, "sibling");
  assert.equal(await cleanScratch(dir, 60_000), 2);
  assert.deepEqual(fs.readdirSync(dir).sort(), [path.basename(sibling)]);
});
