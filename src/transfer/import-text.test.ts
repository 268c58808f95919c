import { test } from "node:test";
import assert from "node:assert/strict";
import { NotFoundError, UnprocessableError, wording } from "../errors.ts";
import { MessageCatalogs } from "../i18n/messages.ts";
import { importMessage, importTextOf, readImportText, sayImportText, storeImportText } from "./import-text.ts";

const catalogs = new MessageCatalogs({ missing: "throw" });
const [en, de, ja] = [catalogs.for("en"), catalogs.for("de"), catalogs.for("ja")];

test("a reason holding an error's message is stored as JSON and read back in each reader's language, the error's values filled in", () => {
  const error = new UnprocessableError(wording("errors.upload.truncated", { format: "JPEG" }));
  const reason = importMessage("transfer.reason.detailsNotApplied", { reason: importTextOf(error) });
  const stored = storeImportText(reason);
  assert.ok(stored);
  assert.equal(JSON.parse(stored).en, `imported, but its details were not: ${error.message}`, "the English is kept beside the key");
  const read = readImportText(stored);
  assert.deepEqual(read, reason);
  assert.equal(sayImportText(read!, de), `importiert, seine Angaben aber nicht: ${de.t("errors.upload.truncated", { format: "JPEG" })}`);
  assert.match(sayImportText(read!, ja), /^読み込みましたが、詳細は反映できませんでした：JPEG /);
});

test("plain text (rows from before, a library's own error) reads as written; a key this version lacks reads as its English; broken JSON as it is", () => {
  assert.equal(readImportText(null), null);
  assert.equal(readImportText("imported before, unchanged"), "imported before, unchanged");
  assert.equal(sayImportText(readImportText("imported before, unchanged")!, de), "imported before, unchanged");
  assert.equal(readImportText(JSON.stringify({ key: "transfer.reason.gone", en: "an old reason" })), "an old reason");
  assert.equal(readImportText(JSON.stringify({ key: "transfer.reason.about", values: { subject: "x", reason: { key: "no.such.key" } }, en: "x: why" })), "x: why", "a nested key counts too");
  assert.equal(readImportText("{ not json"), "{ not json");
  assert.equal(storeImportText("no member named kim here"), "no member named kim here");
});

test("an error becomes its catalog message when it has one, else its English; a full disk is said in the reader's language", () => {
  assert.deepEqual(importTextOf(new NotFoundError()), { key: "errors.notFound" });
  assert.equal(importTextOf(new NotFoundError("Plain English.")), "Plain English.");
  assert.equal(importTextOf(new Error("end of central directory record signature not found")), "end of central directory record signature not found");
  const full = importTextOf(Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }));
  assert.equal(sayImportText(full, en), "The server's disk is full.");
  assert.equal(sayImportText(full, de), "Die Festplatte des Servers ist voll.");
});
