import { test } from "node:test";
import assert from "node:assert/strict";
import { MessageCatalogs } from "../i18n/messages.ts";
import { DEFAULT_MAINTENANCE_MESSAGE } from "../ops/maintenance.ts";
import { maintenanceMessage } from "./views.ts";

test("the standard maintenance message is said in the page's language; an admin's own words stay as written", () => {
  const catalogs = new MessageCatalogs({ missing: "throw" });
  assert.equal(maintenanceMessage(DEFAULT_MAINTENANCE_MESSAGE, catalogs.for("en")), DEFAULT_MAINTENANCE_MESSAGE, "English's words are the standard message itself");
  assert.match(maintenanceMessage(DEFAULT_MAINTENANCE_MESSAGE, catalogs.for("de")), /^Pinhole ist wegen Wartung nur lesbar/);
  assert.equal(maintenanceMessage("Back at 14:00.", catalogs.for("ja")), "Back at 14:00.");
});
