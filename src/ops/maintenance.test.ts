import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_MAINTENANCE_MESSAGE, MaintenanceMode, type SettingsStore } from "./maintenance.ts";

class MemorySettings implements SettingsStore {
  readonly values = new Map<string, string>();
  failing = false;
  async get(key: string) {
    if (this.failing) throw new Error("connect ECONNREFUSED");
    return this.values.get(key) ?? null;
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

const clock = { now: () => 1_700_000_000_000 };

test("switching on stores the message and time; off removes it; an empty message is the standard one", async () => {
  const settings = new MemorySettings();
  const mode = new MaintenanceMode(settings, clock);
  assert.deepEqual(mode.current(), { enabled: false, message: DEFAULT_MAINTENANCE_MESSAGE, since: null });
  assert.deepEqual(await mode.set(true, "  Back at 15:00.  "), { enabled: true, message: "Back at 15:00.", since: clock.now() });
  assert.equal((await mode.set(true, "")).message, DEFAULT_MAINTENANCE_MESSAGE);
  assert.equal((await mode.set(false)).enabled, false);
  assert.equal(settings.values.size, 0);
});

test("another process's switch is seen at the next poll; a failing read keeps the last known state", async () => {
  const settings = new MemorySettings();
  const mode = new MaintenanceMode(settings, clock, undefined, 20);
  await mode.start();
  try {
    await new MaintenanceMode(settings, clock).set(true, "Elsewhere");
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(mode.current().message, "Elsewhere");
    settings.failing = true;
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(mode.current().enabled, true, "the database being down does not switch maintenance off");
  } finally {
    mode.stop();
  }
});

test("a row written by hand that is not our JSON still means on", async () => {
  const settings = new MemorySettings();
  settings.values.set("maintenance", "yes please");
  const state = await new MaintenanceMode(settings, clock).read();
  assert.deepEqual(state, { enabled: true, message: DEFAULT_MAINTENANCE_MESSAGE, since: null });
});
