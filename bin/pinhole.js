#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm install && npm start` needs no build step.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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
  const built = await builtSources();
  if (built) {
    await import(built);
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    await import("../src/cli/main.ts");
  }
}

/**
 * The sources as one file, built by esbuild (about a second) whenever a source is newer than it:
 * a server loaded module by module through tsx held 40 MB more memory (tsx's loader thread and
 * its transforms; 220 MB idle against 180) and took 1.4 s more CPU to start. Two levels down, so
 * paths the sources find from their own folder (../../package.json) still hold. Anything in the
 * way (a read-only install, `PINHOLE_BUILD=0`) leaves the sources to tsx, as before.
 */
async function builtSources() {
  if (process.env.PINHOLE_BUILD === "0") return null;
  const root = fileURLToPath(new URL("..", import.meta.url));
  const outfile = path.join(root, ".build", "pinhole", "main.mjs");
  try {
    if (!isFresh(outfile, [path.join(root, "src"), path.join(root, "package.json")])) {
      const { build } = await import("esbuild");
      const result = await build({ entryPoints: [path.join(root, "src", "cli", "main.ts")], bundle: true, platform: "node", format: "esm", packages: "external", target: "node20", outfile, sourcemap: "linked", write: false, logLevel: "silent" });
      fs.mkdirSync(path.dirname(outfile), { recursive: true });
      // Written aside and renamed, map first: a process starting meanwhile reads a whole file.
      for (const file of [...result.outputFiles].sort((a) => (a.path.endsWith(".map") ? -1 : 1))) {
        const temp = `${file.path}.${process.pid}.tmp`;
        fs.writeFileSync(temp, file.contents);
        fs.renameSync(temp, file.path);
      }
    }
    process.setSourceMapsEnabled(true);
    return pathToFileURL(outfile).href;
  } catch {
    return null;
  }
}

function isFresh(outfile, sources) {
  let built;
  try {
    built = fs.statSync(outfile).mtimeMs;
  } catch {
    return false;
  }
  const newer = (entry) => {
    const stat = fs.statSync(entry);
    if (stat.mtimeMs > built) return true;
    return stat.isDirectory() && fs.readdirSync(entry).some((name) => newer(path.join(entry, name)));
  };
  return !sources.some(newer);
}
