import yauzl from "yauzl";
import { ZipFile } from "yazl";

export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated. */
  method: number;
  data: Buffer;
}

/** Every entry of a zip held in memory (tests only: the server never does this). */
export async function readZip(buffer: Buffer): Promise<Map<string, ZipEntry>> {
  const zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true });
  const entries = new Map<string, ZipEntry>();
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("error", reject);
        stream.on("end", () => {
          entries.set(entry.fileName, { name: entry.fileName, method: entry.compressionMethod, data: Buffer.concat(chunks) });
          zip.readEntry();
        });
      });
    });
    zip.once("end", () => resolve());
    zip.once("error", reject);
    zip.readEntry();
  });
  return entries;
}

/** A zip of these files, as a buffer; JSON values are written as JSON. */
export async function makeZip(files: Record<string, Buffer | string | object>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(typeof content === "string" ? content : JSON.stringify(content));
    zip.addBuffer(data, name);
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export function json(entries: Map<string, ZipEntry>, name: string): any {
  const entry = entries.get(name);
  if (!entry) throw new Error(`no ${name} in the zip; it holds ${[...entries.keys()].join(", ")}`);
  return JSON.parse(entry.data.toString("utf8"));
}
