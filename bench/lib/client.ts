import http from "node:http";

/** Just enough of the API for the benchmarks: a member with a token, and uploads. */
export async function createMember(url: string, username: string): Promise<string> {
  const password = "benchmark password 1";
  const created = await fetch(`${url}/api/v1/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, email: `${username}@bench.test`, password }) });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${await created.text()}`);
  const session = await fetch(`${url}/api/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password }) });
  return ((await session.json()) as { token: string }).token;
}

export async function upload(url: string, token: string, bytes: Uint8Array, name = "bench.jpg"): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${url}/api/v1/photos`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: await response.json() };
}

const BOUNDARY = "----pinhole-bench-upload-boundary";

export interface EncodedUpload {
  bytes: Buffer;
  contentType: string;
}

/** A multipart body with one file field, encoded before any clock starts. */
export function encodeUpload(file: Uint8Array, name = "bench.jpg"): EncodedUpload {
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { bytes: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]), contentType: `multipart/form-data; boundary=${BOUNDARY}` };
}

/**
 * Sends an encoded upload through node:http, so what is timed is the server's: not fetch, whose
 * FormData body undici builds chunk by chunk in JavaScript (on this 2-core machine that client,
 * sharing the cores with the server, measured a bare Node server at 135 MB/s against 457 MB/s
 * with this one).
 */
export function sendUpload(agent: http.Agent, endpoint: string, token: string, body: EncodedUpload): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const target = new URL(endpoint);
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { authorization: `Bearer ${token}`, "content-type": body.contentType, "content-length": body.bytes.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body.bytes);
  });
}

/** The same JPEG with a few bytes after its end marker: a different upload, the same image. */
export function variant(jpeg: Buffer, n: number): Uint8Array {
  return new Uint8Array(Buffer.concat([jpeg, Buffer.from(`variant-${n}`)]));
}
