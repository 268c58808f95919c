import crypto from "node:crypto";
import http from "node:http";

export interface SlowUpload {
  request: http.ClientRequest;
  /** Sends the rest of the body in `chunks` pieces, yielding to the event loop between them. */
  finish(chunks?: number): Promise<void>;
  response: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;
}

/**
 * A multipart photo upload whose body is sent in two steps: the headers and the first
 * `firstBytes` bytes at once, the rest when `finish` is called, as a slow client would.
 */
export function startSlowUpload(options: { url: string; token: string; file: Buffer; fileName?: string; firstBytes?: number; agent?: http.Agent }): SlowUpload {
  const boundary = `----pinhole-${crypto.randomBytes(8).toString("hex")}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.fileName ?? "slow.jpg"}"\r\nContent-Type: image/jpeg\r\n\r\n`),
    options.file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const first = Math.min(options.firstBytes ?? Math.floor(body.length / 2), body.length - 1);
  const request = http.request(`${options.url}/api/v1/photos`, {
    method: "POST",
    agent: options.agent ?? false,
    headers: {
      authorization: `Bearer ${options.token}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "content-length": String(body.length),
      accept: "application/json",
    },
  });
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    request.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on("error", reject);
    });
    request.on("error", reject);
  });
  // Handled by whoever awaits it; never an unhandled rejection meanwhile.
  response.catch(() => {});
  request.flushHeaders();
  request.write(body.subarray(0, first));
  return {
    request,
    response,
    finish: async (chunks = 8) => {
      const rest = body.subarray(first);
      const size = Math.ceil(rest.length / chunks);
      for (let offset = 0; offset < rest.length; offset += size) {
        request.write(rest.subarray(offset, offset + size));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      request.end();
    },
  };
}
