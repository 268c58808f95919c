import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { CORPUS_DIR, startServer, type TestServer } from "../helpers/server.ts";
import { loadManifest } from "../helpers/corpus.ts";
import { api, buildMember, photoForm, type Member, type PhotoJson } from "../helpers/client.ts";

interface ManifestEntry {
  path: string;
  expected: {
    outcome: "accept" | "reject" | "accept_or_reject" | "n/a";
    width?: number;
    height?: number;
    taken_at?: string | null;
    camera?: { make: string | null; model: string | null; lens: string | null } | null;
    exposure?: { exposure_time: string | null; f_number: number | null; iso: number | null; focal_length_mm: number | null } | null;
    gps?: { lat: number; lon: number; alt_m: number | null } | null;
    title?: string | null;
    description?: string | null;
    description_candidates?: Record<string, string>;
    keywords?: string[];
    markers?: { red: { x: number; y: number }; green: { x: number; y: number } };
    read_back_not_required?: Record<string, unknown>;
  };
}

const manifest = loadManifest<ManifestEntry>();
const uploads = manifest.files.filter((f) => f.expected.outcome !== "n/a");

let server: TestServer;
let member: Member;
before(async () => {
  server = await startServer();
  member = await buildMember(server, { username: "corpus" });
});
after(async () => {
  await server.close();
});

/** Every file under the data dir except the database files, which change on every write. */
function snapshotFiles(): string[] {
  const root = server.dataDir;
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith("pinhole.sqlite"))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

async function photoRows(): Promise<unknown[]> {
  return server.context.database.db.selectFrom("photos").select(["id", "sha256"]).orderBy("id").execute();
}

async function pixel(image: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

function assertFacts(photo: PhotoJson, entry: ManifestEntry): void {
  const e = entry.expected;
  const notRequired = e.read_back_not_required ?? {};
  if (e.width !== undefined) assert.deepEqual([photo.width, photo.height], [e.width, e.height], "size after orientation");
  if (e.taken_at !== undefined) assert.equal(photo.takenAt, e.taken_at, "taken at");
  if (e.camera !== undefined && !("camera" in notRequired)) {
    assert.deepEqual(photo.camera, e.camera && (e.camera.make || e.camera.model || e.camera.lens) ? e.camera : null, "camera");
  }
  if (e.exposure !== undefined && !("exposure" in notRequired)) {
    const x = e.exposure;
    assert.deepEqual(photo.exposure, x && (x.exposure_time || x.f_number || x.iso || x.focal_length_mm) ? { time: x.exposure_time, fNumber: x.f_number, iso: x.iso, focalLength: x.focal_length_mm } : null, "exposure");
  }
  if (e.gps !== undefined) {
    assert.deepEqual(photo.location, e.gps ? { latitude: e.gps.lat, longitude: e.gps.lon, altitude: e.gps.alt_m, visibility: "private" } : null, "location, as its owner sees it (only the owner, until they share it)");
  }
  if (e.title !== undefined && !("title" in notRequired)) {
    assert.equal(photo.title, e.title ?? path.basename(entry.path).replace(/\.[^.]+$/, ""), "title (the file name when the file has none)");
  }
  if (e.description !== undefined && !("description" in notRequired)) {
    const accepted = [e.description ?? "", ...Object.values(e.description_candidates ?? {})];
    assert.ok(accepted.includes(photo.description), `description ${JSON.stringify(photo.description)}`);
  }
  if (e.keywords !== undefined && !("keywords" in notRequired)) assert.deepEqual(photo.tags, e.keywords, "keywords become tags");
}

describe("every corpus file gets the outcome its manifest names", () => {
  for (const entry of uploads) {
    test(`${entry.path}: ${entry.expected.outcome}`, async () => {
      const filesBefore = snapshotFiles();
      const rowsBefore = await photoRows();
      const response = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(path.join(CORPUS_DIR, entry.path)) });
      const { outcome } = entry.expected;
      assert.ok(response.status < 500, `no 5xx: ${response.status} ${JSON.stringify(response.body)}`);
      if (outcome === "accept") assert.equal(response.status, 201, JSON.stringify(response.body));
      if (outcome === "reject") assert.ok([400, 413, 415, 422].includes(response.status), `refused with a 4xx, got ${response.status}`);

      if (response.status >= 400) {
        assert.ok(response.body.error.message.length > 10, "the refusal says what is wrong");
        assert.deepEqual(snapshotFiles(), filesBefore, "a refused upload leaves no file behind");
        assert.deepEqual(await photoRows(), rowsBefore, "and no row");
        if (response.status === 415) assert.match(response.body.error.message, /JPEG/, "a 415 names a format that works");
        return;
      }

      const photo = response.body as PhotoJson;
      assertFacts(photo, entry);
      const largest = photo.sizes.filter((s) => s.format === "jpeg" && !s.name.startsWith("sq")).at(-1)!;
      assert.ok(largest.width <= photo.width && largest.height <= photo.height, "never upscaled");
      const image = Buffer.from(await (await fetch(largest.url)).arrayBuffer());
      const meta = await sharp(image).metadata();
      assert.equal(meta.exif, undefined, "the derivative carries no EXIF, so no GPS");
      assert.equal(meta.space, "srgb");
      const markers = entry.expected.markers;
      if (markers) {
        // The orientation files show a red block top-left and a green one top-right when upright.
        const scale = largest.width / (entry.expected.width ?? largest.width);
        const red = await pixel(image, Math.round(markers.red.x * scale), Math.round(markers.red.y * scale));
        const green = await pixel(image, Math.round(markers.green.x * scale), Math.round(markers.green.y * scale));
        assert.ok(red[0] > 200 && red[1] < 60 && red[2] < 60, `red marker top-left, got ${red}`);
        assert.ok(green[1] > 200 && green[0] < 60 && green[2] < 60, `green marker top-right, got ${green}`);
      }
    });
  }

  test("the server stayed up and responsive, and no temporary file is left", async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.deepEqual(fs.readdirSync(path.join(server.dataDir, "tmp")), []);
  });
});

describe("hostile file names", () => {
  const list = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, "bad/filenames.json"), "utf8")) as { names: Array<{ name: string; why: string }> };
  const tiny = fs.readFileSync(path.join(CORPUS_DIR, "photos/tiny-1x1.jpg"));

  test("are accepted as upload names without harm: stored under server-made names, shown escaped", async () => {
    for (const [i, { name, why }] of list.names.entries()) {
      // Bytes after the JPEG's end marker make each upload distinct without changing the image.
      const bytes = Buffer.concat([tiny, Buffer.from(`\n${i}`)]);
      const response = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(bytes, {}, name) });
      assert.equal(response.status, 201, `${why}: ${JSON.stringify(response.body)}`);
      const page = await fetch(`${server.url}/photos/${member.username}/${response.body.id}`, { headers: { authorization: `Bearer ${member.token}` } });
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.doesNotMatch(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202a-\u202e\u2066-\u2069]/u, `${why}: no control or bidi characters reach the page`);
      assert.ok(!html.includes("<script>") && !/<img[^>]+onerror/i.test(html), `${why}: markup in the name is escaped`);
    }
    const stored = snapshotFiles();
    assert.ok(stored.every((file) => /^(secret\.key|status\/incidents\.json|files\/pinhole-storage\.json|files\/(originals\/\d{3}\/\d+\.[a-z]+|derivatives\/\d{3}\/\d+\/[0-9a-f]{20}\/[a-z0-9]+\.(jpg|webp)))$/.test(file)), "only server-made paths exist");
  });
});

describe("limits", () => {
  test("an upload over PINHOLE_MAX_UPLOAD_MB is cut off with 413 and leaves nothing behind", async () => {
    const small = await startServer({ PINHOLE_MAX_UPLOAD_MB: "1" });
    try {
      const owner = await buildMember(small);
      const response = await api(small, "POST", "/api/v1/photos", { token: owner.token, form: photoForm(path.join(CORPUS_DIR, "photos/dandelions-16mp.jpg")) });
      assert.equal(response.status, 413);
      assert.match(response.body.error.message, /1 MB/);
      assert.deepEqual(fs.readdirSync(path.join(small.dataDir, "tmp")), []);
      assert.equal(fs.existsSync(path.join(small.dataDir, "files", "originals")), false);
      assert.equal((await small.context.database.db.selectFrom("photos").select("id").execute()).length, 0);
    } finally {
      await small.close();
    }
  });
});
