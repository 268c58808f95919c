import { S3BlobStore } from "../../src/storage/s3.ts";

/** Why an S3 test is skipped when no server was given (.ci/run starts one). */
export const NO_S3_SERVER = "no S3 server: set PINHOLE_TEST_S3_ENDPOINT (and _BUCKET, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY); .ci/run starts one";

/**
 * A store on the test S3 server (PINHOLE_TEST_S3_*) under its own prefix, so runs and other
 * tests sharing the bucket never meet; null without a server.
 */
export function testS3Store(prefix: string, scratchDir: string): S3BlobStore | null {
  const endpoint = process.env.PINHOLE_TEST_S3_ENDPOINT;
  if (!endpoint) return null;
  return new S3BlobStore({
    endpoint,
    region: process.env.PINHOLE_TEST_S3_REGION ?? "us-east-1",
    bucket: process.env.PINHOLE_TEST_S3_BUCKET ?? "test-bucket",
    prefix,
    accessKeyId: process.env.PINHOLE_TEST_S3_ACCESS_KEY_ID ?? "",
    secretAccessKey: process.env.PINHOLE_TEST_S3_SECRET_ACCESS_KEY ?? "",
    forcePathStyle: true,
    scratchDir,
  });
}
