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

/** The same JPEG with a few bytes after its end marker: a different upload, the same image. */
export function variant(jpeg: Buffer, n: number): Uint8Array {
  return new Uint8Array(Buffer.concat([jpeg, Buffer.from(`variant-${n}`)]));
}
