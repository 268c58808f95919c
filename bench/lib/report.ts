import fs from "node:fs";
import path from "node:path";

export interface Row {
  section: string;
  measure: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run. */
  reference?: { name: string; value: number };
  /** value / reference, or reference / value when lower is better. */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export function printTable(rows: Row[]): void {
  const header = ["section", "measure", "value", "reference", "ratio", "target", "met"];
  const lines = rows.map((r) => [
    r.section,
    r.measure,
    `${round(r.value)} ${r.unit}`,
    r.reference ? `${r.reference.name}: ${round(r.reference.value)} ${r.unit}` : "",
    r.ratio === undefined ? "" : `${round(r.ratio)}×`,
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(format(line));
}

export function writeJson(rows: Row[], extra: Record<string, unknown>): string {
  const dir = path.join(import.meta.dirname, "..", "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "latest.json");
  fs.writeFileSync(file, JSON.stringify({ ...extra, rows }, null, 2) + "\n");
  return file;
}

function round(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
