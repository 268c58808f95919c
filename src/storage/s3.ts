import fs from "node:fs";
import fsp from "node:fs/promises";
import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { assertKey, assertPrefix, type BlobStore } from "./blob-store.ts";

export interface S3StoreOptions {
  endpoint: string | null;
  region: string;
  bucket: string;
  /** Prepended to every key, so one bucket can hold several sites ("" for none; else ends with "/"). */
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  scratchDir: string;
}

/** Originals above this size go up in parts, so a failed part is retried alone. */
const MULTIPART_FROM = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
const COPY_CONCURRENCY = 8;

type Sdk = typeof import("@aws-sdk/client-s3") & Pick<typeof import("@aws-sdk/lib-storage"), "Upload"> & Pick<typeof import("@aws-sdk/s3-request-presigner"), "getSignedUrl">;
let sdkLoading: Promise<Sdk> | null = null;

/**
 * The AWS SDK, loaded on first use: a site on local disk never loads it, and it is the heaviest
 * import there is (about a sixth of a server's start-up, paid again by every test server).
 */
function loadSdk(): Promise<Sdk> {
  sdkLoading ??= Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage"), import("@aws-sdk/s3-request-presigner")]).then(([s3, storage, presigner]) => ({
    ...s3,
    Upload: storage.Upload,
    getSignedUrl: presigner.getSignedUrl,
  }));
  return sdkLoading;
}

function isMissing(sdk: Sdk, error: unknown): boolean {
  if (error instanceof sdk.S3ServiceException) return error.name === "NoSuchKey" || error.name === "NotFound" || error.$metadata.httpStatusCode === 404;
  return false;
}

class KeyExistsError extends Error {
  readonly code = "EEXIST";
}

/**
 * Originals and derivatives in an S3-compatible bucket (AWS, Ceph RADOS Gateway, MinIO…).
 * A successful write is durable, so the sync methods only confirm the keys exist. Writes of one
 * key are atomic in S3: readers see the old object or the new one, never part of it.
 */
export class S3BlobStore implements BlobStore {
  readonly scratchDir: string;
  readonly location: string;
  private connection: Promise<{ sdk: Sdk; client: S3Client }> | null = null;
  private client: S3Client | null = null;

  constructor(private readonly options: S3StoreOptions) {
    if (options.prefix !== "") assertPrefix(options.prefix);
    this.scratchDir = options.scratchDir;
    this.location = `s3://${options.bucket}/${options.prefix}${options.endpoint ? ` at ${options.endpoint}` : ""}`;
    fs.mkdirSync(options.scratchDir, { recursive: true });
  }

  private connect(): Promise<{ sdk: Sdk; client: S3Client }> {
    const options = this.options;
    this.connection ??= loadSdk().then((sdk) => {
      const client = new sdk.S3Client({
        region: options.region,
        endpoint: options.endpoint ?? undefined,
        forcePathStyle: options.forcePathStyle,
        credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
        // Only where a server demands them: radosgw 16.2 refuses the SDK's default trailing checksums.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
      this.client = client;
      return { sdk, client };
    });
    return this.connection;
  }

  private objectKey(key: string): string {
    assertKey(key);
    return this.options.prefix + key;
  }

  private get bucket(): string {
    return this.options.bucket;
  }

  /**
   * Refuses (EEXIST) an existing key: originals are never replaced. The check and the write are
   * two requests; a second upload of the same key at the same instant cannot happen, because
   * keys carry a fresh photo id and secret.
   */
  async putFile(key: string, localPath: string): Promise<void> {
    const { sdk, client } = await this.connect();
    if (await this.exists(key)) throw new KeyExistsError(`storage key exists: ${key}`);
    const size = (await fsp.stat(localPath)).size;
    if (size < MULTIPART_FROM) {
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: await fsp.readFile(localPath), ContentLength: size }));
    } else {
      const upload = new sdk.Upload({ client, params: { Bucket: this.bucket, Key: this.objectKey(key), Body: fs.createReadStream(localPath) }, partSize: PART_SIZE, queueSize: 4, leavePartsOnError: false });
      await upload.done();
    }
    await fsp.unlink(localPath);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const { sdk, client } = await this.connect();
    await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data, ContentLength: data.length }));
  }

  async get(key: string): Promise<Buffer | null> {
    const found = await this.stream(key);
    if (!found) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of found.body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async stream(key: string): Promise<{ body: Readable; size: number } | null> {
    const { sdk, client } = await this.connect();
    try {
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { body: answer.Body as Readable, size: Number(answer.ContentLength ?? 0) };
    } catch (error) {
      if (isMissing(sdk, error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (error) {
      if (isMissing(sdk, error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const { sdk, client } = await this.connect();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  private async *objects(prefix: string): AsyncIterable<{ objectKey: string; size: number; modifiedAt: number }> {
    const { sdk, client } = await this.connect();
    let token: string | undefined;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.options.prefix + prefix, ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        if (item.Key) yield { objectKey: item.Key, size: Number(item.Size ?? 0), modifiedAt: item.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async deletePrefix(prefix: string): Promise<void> {
    const { sdk, client } = await this.connect();
    assertPrefix(prefix);
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const answer = await client.send(new sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      const failed = (answer.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} objects under ${prefix}: ${failed[0]?.Code} ${failed[0]?.Message}`);
      batch = [];
    };
    for await (const object of this.objects(prefix)) {
      batch.push(object.objectKey);
      if (batch.length === 1000) await flush();
    }
    await flush();
  }

  async copyPrefix(fromPrefix: string, toPrefix: string): Promise<void> {
    const { sdk, client } = await this.connect();
    assertPrefix(fromPrefix);
    assertPrefix(toPrefix);
    const from = this.options.prefix + fromPrefix;
    const pending = new Set<Promise<void>>();
    for await (const object of this.objects(fromPrefix)) {
      const target = this.options.prefix + toPrefix + object.objectKey.slice(from.length);
      const copy = client.send(new sdk.CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: `${this.bucket}/${encodeURIComponent(object.objectKey).replace(/%2F/g, "/")}` }))
        .then(() => undefined)
        .finally(() => pending.delete(copy));
      pending.add(copy);
      if (pending.size >= COPY_CONCURRENCY) await Promise.race(pending);
    }
    await Promise.all(pending);
  }

  /** A successful S3 write is already durable: nothing to flush, only whether the key is there. */
  async sync(key: string): Promise<boolean> {
    return this.exists(key);
  }

  async syncPrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number; modifiedAt: number }> {
    if (prefix !== "") assertPrefix(prefix);
    for await (const object of this.objects(prefix)) yield { key: object.objectKey.slice(this.options.prefix.length), size: object.size, modifiedAt: object.modifiedAt };
  }

  async usedBytes(): Promise<number> {
    let total = 0;
    for await (const object of this.objects("")) total += object.size;
    return total;
  }

  /**
   * A GET URL for `key` that anyone may follow until `signedAt` + `lifetimeSeconds`. Signed
   * locally: no request to the server, so it says nothing about whether the object exists.
   */
  async signedGetUrl(key: string, lifetimeSeconds: number, signedAt: Date): Promise<string> {
    const { sdk, client } = await this.connect();
    return sdk.getSignedUrl(client, new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }), { expiresIn: lifetimeSeconds, signingDate: signedAt });
  }

  /** The object's name in the bucket (the site's prefix and the key), as a URL path. */
  objectPath(key: string): string {
    // Keys are [a-z0-9_.-/] only: nothing to escape.
    return this.objectKey(key);
  }

  close(): void {
    this.client?.destroy();
  }
}

