import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import type { TestServer } from "./server.ts";
import { CORPUS_DIR } from "./server.ts";

export interface Member {
  username: string;
  email: string;
  password: string;
  token: string;
}

export interface PhotoJson {
  id: string;
  owner: { username: string };
  title: string;
  restricted: boolean;
  hidden: boolean;
  description: string;
  altText: string;
  tags: string[];
  visibility: string;
  takenAt: string | null;
  uploadedAt: string;
  width: number;
  height: number;
  camera: { make: string | null; model: string | null; lens: string | null } | null;
  exposure: { time: string | null; fNumber: number | null; iso: number | null; focalLength: number | null } | null;
  location: { latitude: number; longitude: number; altitude: number | null } | null;
  sizes: Array<{ name: string; width: number; height: number; format: string; url: string }>;
  pageUrl: string;
  license: { id: string; name: string; url: string | null };
  downloadAllowed: boolean;
  originalUrl: string | null;
}

/** What the API helpers need of a server: a test server, or a `pinhole serve` process. */
export type ServerUrl = Pick<TestServer, "url">;

export async function api(server: ServerUrl, method: string, urlPath: string, options: { token?: string; json?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  const response = await fetch(server.url + urlPath, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Factory: a member with an API token. */
export async function buildMember(server: ServerUrl, overrides: Partial<Pick<Member, "username" | "password">> = {}): Promise<Member> {
  const username = overrides.username ?? `m${crypto.randomBytes(5).toString("hex")}`;
  const password = overrides.password ?? `pw-${crypto.randomBytes(9).toString("base64url")}`;
  const email = `${username}@example.test`;
  const created = await api(server, "POST", "/api/v1/users", { json: { username, email, password } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const session = await api(server, "POST", "/api/v1/sessions", { json: { username, password } });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  return { username, email, password, token: session.body.token };
}

export function corpusFile(relative: string): string {
  return path.join(CORPUS_DIR, relative);
}

export function photoForm(file: string | Buffer, fields: Record<string, string> = {}, fileName?: string): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const bytes = typeof file === "string" ? fs.readFileSync(file) : file;
  form.append("file", new Blob([new Uint8Array(bytes)]), fileName ?? (typeof file === "string" ? path.basename(file) : "photo.jpg"));
  return form;
}

/** Factory: a stored photo, through the real upload API. */
export async function buildPhoto(server: ServerUrl, member: Member, fields: Record<string, string> = {}, file = corpusFile("photos/tiny-1x1.jpg")): Promise<PhotoJson> {
  // The same bytes twice are the same photo (an upload deduplicates): pass distinct files for distinct photos.
  const bytes = fs.readFileSync(file);
  const upload = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(bytes, fields, path.basename(file)) });
  assert.ok(upload.status === 201 || upload.status === 200, `upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
  return upload.body as PhotoJson;
}

/** A browser-like client without JavaScript: keeps cookies, reads the CSRF token from pages. */
export class WebClient {
  private readonly cookies = new Map<string, string>();
  csrf = "";
  constructor(private readonly server: TestServer) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** A multipart form post, as a browser sends a file form (the CSRF token goes in the URL's query). */
  async postMultipart(urlPath: string, form: FormData): Promise<{ status: number; html: string; location: string | null }> {
    const response = await fetch(this.server.url + urlPath, { method: "POST", body: form, headers: { accept: "text/html", cookie: this.cookieHeader() }, redirect: "manual" });
    this.remember(response);
    return { status: response.status, html: await response.text(), location: response.headers.get("location") };
  }

  async get(urlPath: string): Promise<{ status: number; html: string; headers: Headers }> {
    const response = await fetch(this.server.url + urlPath, { headers: { accept: "text/html", cookie: this.cookieHeader() }, redirect: "manual" });
    this.remember(response);
    const html = await response.text();
    const token = /<meta name="csrf-token" content="([^"]*)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: response.status, html, headers: response.headers };
  }

  async post(urlPath: string, fields: Record<string, string> | Array<[string, string]>, options: { withCsrf?: boolean } = {}): Promise<{ status: number; html: string; location: string | null; headers: Headers }> {
    const body = new URLSearchParams(fields);
    if (options.withCsrf !== false) body.set("_csrf", this.csrf);
    const response = await fetch(this.server.url + urlPath, {
      method: "POST",
      headers: { accept: "text/html", cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
    });
    this.remember(response);
    return { status: response.status, html: await response.text(), location: response.headers.get("location"), headers: response.headers };
  }

  async logIn(member: Pick<Member, "username" | "password">): Promise<void> {
    await this.get("/login");
    const result = await this.post("/login", { username: member.username, password: member.password });
    assert.equal(result.status, 303, result.html.slice(0, 500));
  }
}
