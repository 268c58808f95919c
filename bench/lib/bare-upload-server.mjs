// The ceiling for upload streaming in Node on this machine: a bare HTTP server that writes each
// request body to a file and fsyncs it, with no multipart parsing, hashing, auth or database.
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";

const [dir, port] = process.argv.slice(2);
let count = 0;
http
  .createServer(async (request, response) => {
    const file = path.join(dir, `body-${count++}`);
    await pipeline(request, fs.createWriteStream(file, { highWaterMark: 1024 * 1024 }));
    const handle = await fsp.open(file, "r+");
    await handle.sync();
    await handle.close();
    await fsp.rm(file);
    response.end("stored");
  })
  .listen(Number(port), "127.0.0.1", () => process.send?.("listening"));
