import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { LogMailer } from "./mailer.ts";

test("without SMTP the mail, link included, is written to the log for the operator", async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  await new LogMailer(pino(sink)).send({ to: "op@example.test", subject: "Reset", text: "Open https://photos.example/reset-password/abc" });
  const entry = JSON.parse(lines[0] ?? "{}");
  assert.equal(entry.mailTo, "op@example.test");
  assert.match(entry.body, /https:\/\/photos\.example\/reset-password\/abc/);
  assert.match(entry.msg, /PINHOLE_SMTP_URL is not set/);
});
