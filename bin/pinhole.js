#!/usr/bin/env node
// Runs the TypeScript sources, bundled by esbuild as they start (see builtSources), so
// `npm install && npm start` needs no build step.
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
} else if (process.argv[2] === "build") {
  // `npm install` runs this (postinstall), so an install that is read-only at run time (the
  // systemd units' ProtectSystem=strict) has its bundle already. It never fails an install.
  await builtSources({ quiet: false });
  process.exit(0);
} else if (process.env.PINHOLE_PREBUILT) {
  // The test runs' servers: the bundle scripts/test.mjs had built, its sources not checked again
  // at each of a run's hundred-odd starts.
  await import(process.env.PINHOLE_PREBUILT);
} else {
  const built = await builtSources({ quiet: false });
  if (built) {
    await import(built);
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    await import("../src/cli/main.ts");
  }
}

/**
 * The sources as one file, built by esbuild (about a second) unless the one built last was built
 * from exactly these sources: a server loaded module by module through tsx held 40 MB more
 * memory (tsx's loader thread and its transforms; 220 MB idle against 180) and took 1.4 s more
 * CPU to start. Two levels down, so paths the sources find from their own folder
 * (../../package.json) still hold. `PINHOLE_BUILD=0`, an install it cannot write to, or a failed
 * build leave the sources to tsx, as before, said in one line.
 */
async function builtSources({ quiet }) {
  if (process.env.PINHOLE_BUILD === "0") return null;
  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = path.join(root, ".build", "pinhole");
  const outfile = path.join(dir, "main.mjs");
  const manifest = path.join(dir, "sources.json");
  const fallBack = (why) => {
    if (!quiet) console.error(`pinhole: running the sources through tsx: ${why}`);
    return null;
  };
  try {
    // Sizes and times of every source as they were before the build: a file saved during it,
    // or a copy that kept older times (rsync -a, tar), makes the next start build again.
    const sources = JSON.stringify(sourceStamps(root));
    const current = fs.existsSync(outfile) && fs.existsSync(manifest) && fs.readFileSync(manifest, "utf8") === sources;
    if (!current) {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
      const { build } = await import("esbuild");
      // Source maps without the sources' text: stack traces name the .ts lines, and each process
      // parses a fifth of the map.
      const result = await build({ entryPoints: [path.join(root, "src", "cli", "main.ts")], bundle: true, platform: "node", format: "esm", packages: "external", target: "node20", outfile, sourcemap: "linked", sourcesContent: false, write: false, logLevel: "silent" });
      const map = result.outputFiles.find((file) => file.path.endsWith(".map"));
      const code = result.outputFiles.find((file) => file.path === outfile);
      if (!map || !code) throw new Error("esbuild wrote no bundle");
      // Each written aside and renamed, the map first and the list of sources last: a process
      // starting meanwhile reads whole files, and a bundle whose list is missing is built again.
      for (const [file, contents] of [[map.path, map.contents], [code.path, code.contents], [manifest, sources]]) {
        const temp = `${file}.${process.pid}.tmp`;
        try {
          fs.writeFileSync(temp, contents);
          fs.renameSync(temp, file);
        } finally {
          fs.rmSync(temp, { force: true });
        }
      }
    }
    process.setSourceMapsEnabled(true);
    return pathToFileURL(outfile).href;
  } catch (error) {
    return fallBack(error instanceof Error ? error.message : String(error));
  }
}

/** [path, size, mtime] of package.json and of every file under src/, in a stable order. */
function sourceStamps(root) {
  const stamps = [];
  const visit = (entry) => {
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(entry).sort()) visit(path.join(entry, name));
    } else {
      stamps.push([path.relative(root, entry), stat.size, stat.mtimeMs]);
    }
  };
  visit(path.join(root, "package.json"));
  visit(path.join(root, "src"));
  return stamps;
}
