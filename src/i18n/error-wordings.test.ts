import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";

const SRC = path.join(import.meta.dirname, "..");

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(full, out);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

/** AppError and every class that extends it, wherever declared, to any depth. */
function appErrorClasses(files: Map<string, string>): Set<string> {
  const classes = new Set(["AppError"]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const text of files.values()) {
      for (const match of text.matchAll(/class (\w+) extends (\w+)/g)) {
        if (classes.has(match[2]!) && !classes.has(match[1]!)) {
          classes.add(match[1]!);
          grew = true;
        }
      }
    }
  }
  return classes;
}

test("no error a person can read is written in English alone: every AppError is made from a catalog message", () => {
  const files = new Map(sources(SRC).map((file) => [file, fs.readFileSync(file, "utf8")]));
  const classes = appErrorClasses(files);
  const found: string[] = [];
  for (const [file, text] of files) {
    // A file's own class of the same name (a log-only error, say) shadows the imported one.
    const shadowed = new Set([...text.matchAll(/class (\w+) extends Error\b/g)].map((match) => match[1]!));
    const names = [...classes].filter((name) => !shadowed.has(name)).join("|");
    // `new InvalidError("…")`, `new NotFoundError(\`…\`)`, or a subclass's `super("…", …)`.
    const literal = new RegExp(`new (${names})\\(\\s*["'\`]|class \\w+ extends (${names})[\\s\\S]{0,400}?super\\(\\s*["'\`]`, "g");
    for (const match of text.matchAll(literal)) {
      const line = text.slice(0, match.index).split("\n").length;
      found.push(`${path.relative(SRC, file)}:${line}: ${match[0].split("\n")[0]!.slice(0, 80)}`);
    }
  }
  assert.ok(classes.size > 10, `found the error classes: ${[...classes].join(", ")}`);
  assert.deepEqual(found, [], "use wording(\"key\", values) with the key in a catalog (src/i18n/messages), so pages show the message in their language");
});
