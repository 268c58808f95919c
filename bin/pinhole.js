#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm install && npm start` needs no build step.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// glibc gives each libvips thread its own malloc arena and fragments them: measured peak memory
// during a batch of 12 MP uploads was 448 MB with the default and 300 MB with two arenas. The
// variable only works from process start, so the server re-executes itself once with it set.
if (process.argv[2] === "serve" && !process.env.MALLOC_ARENA_MAX) {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, MALLOC_ARENA_MAX: "2" },
  });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else if (process.env.PINHOLE_PREBUILT) {
  // The test runs' servers: the same sources built once into one file (scripts/test.mjs), which
  // starts in a third of the CPU time tsx needs to load them module by module.
  await import(process.env.PINHOLE_PREBUILT);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
