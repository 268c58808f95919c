import { test } from "node:test";
import assert from "node:assert/strict";
import { QuotaExceededError } from "../errors.ts";
import type { QuotaRepository, QuotaRow } from "./quota-repository.ts";
import { effectiveLimits, formatMegabytes, megabytes, UploadQuotas } from "./quotas.ts";
import { MessageCatalogs } from "../i18n/messages.ts";

const MB = 1024 * 1024;
const noLimits = { photos: null, bytes: null, proPhotos: null, proBytes: null };

function repositoryOf(row: QuotaRow): QuotaRepository {
  return { find: async () => row } as unknown as QuotaRepository;
}

test("a member's own limit beats the default for their kind; Pro members get the Pro defaults", () => {
  const defaults = { photos: 500, bytes: 1000 * MB, proPhotos: null, proBytes: 50_000 * MB };
  assert.deepEqual(effectiveLimits({ isPro: false, quotaPhotos: null, quotaBytes: null }, defaults), { photos: 500, bytes: 1000 * MB });
  assert.deepEqual(effectiveLimits({ isPro: true, quotaPhotos: null, quotaBytes: null }, defaults), { photos: null, bytes: 50_000 * MB });
  assert.deepEqual(effectiveLimits({ isPro: false, quotaPhotos: 2000, quotaBytes: null }, defaults), { photos: 2000, bytes: 1000 * MB });
  assert.deepEqual(effectiveLimits({ isPro: true, quotaPhotos: 10, quotaBytes: 5 * MB }, defaults), { photos: 10, bytes: 5 * MB });
  assert.deepEqual(effectiveLimits({ isPro: false, quotaPhotos: null, quotaBytes: null }, noLimits), { photos: null, bytes: null });
});

test("megabytes read as people write them", () => {
  assert.equal(formatMegabytes(12.3 * MB), "12.3");
  assert.equal(formatMegabytes(1000 * MB), "1,000");
  assert.equal(formatMegabytes(1010.2 * MB, "up"), "1,011");
  assert.equal(formatMegabytes(4291, "up"), "0.1");
  // Pages write the number the locale's way: it must stay a number from 1,000 MB on (it once went through "1,000" and read NaN).
  assert.equal(megabytes(1010.2 * MB, "up"), 1011);
  assert.equal(megabytes(12.34 * MB), 12.3);
  assert.equal(new MessageCatalogs({ missing: "throw" }).for("de").number(megabytes(10_240.5 * MB)), "10.241");
});

test("the photo limit is stated with the use; Pro members are not told to ask for Pro", async () => {
  const quotas = new UploadQuotas(repositoryOf({ photo_count: 500, bytes_stored: 0, is_pro: 0, quota_photos: null, quota_bytes: null }), { ...noLimits, photos: 500 });
  await assert.rejects(quotas.admit(1, 1000), (error: unknown) => {
    assert.ok(error instanceof QuotaExceededError);
    assert.equal(error.status, 403);
    assert.equal(error.message, "You have 500 of 500 photos allowed; delete some or ask for Pro.");
    return true;
  });
  const pro = new UploadQuotas(repositoryOf({ photo_count: 3, bytes_stored: 0, is_pro: 1, quota_photos: 3, quota_bytes: null }), noLimits);
  await assert.rejects(pro.admit(1, 1000), /You have 3 of 3 photos allowed; delete some or ask the site's operator for more room\./);
});

test("the byte limit counts the declared size before the body, and the real size after it", async () => {
  const quotas = new UploadQuotas(repositoryOf({ photo_count: 1, bytes_stored: 997.7 * MB, is_pro: 0, quota_photos: null, quota_bytes: null }), { ...noLimits, bytes: 1000 * MB });
  await assert.rejects(quotas.admit(1, 12.3 * MB), /^QuotaExceededError: This upload of 12\.3 MB would bring you to 1,010 MB of your 1,000 MB; delete some photos or ask for Pro\.$/);
  const hold = await quotas.admit(1, 2 * MB);
  await assert.rejects(hold.confirm(2.5 * MB), /This upload of 2\.5 MB would bring you to 1,001 MB of your 1,000 MB/);
  await hold.confirm(1 * MB);
  hold.release();
});

test("uploads in flight hold their place: two at once cannot together pass the limit", async () => {
  const quotas = new UploadQuotas(repositoryOf({ photo_count: 8, bytes_stored: 0, is_pro: 0, quota_photos: 10, quota_bytes: null }), noLimits);
  const first = await quotas.admit(1, 100);
  const second = await quotas.admit(1, 100);
  await assert.rejects(quotas.admit(1, 100), /You have 10 of 10 photos allowed/);
  assert.ok(await quotas.admit(2, 100), "other members are not affected");
  first.release();
  first.release();
  const third = await quotas.admit(1, 100);
  second.release();
  third.release();
});

test("a chunked upload (no declared size) is refused before its body only when the member is already full", async () => {
  const full = new UploadQuotas(repositoryOf({ photo_count: 1, bytes_stored: 10 * MB, is_pro: 0, quota_photos: null, quota_bytes: 10 * MB }), noLimits);
  await assert.rejects(full.admit(1, null), /You have used 10 MB of your 10 MB; delete some photos or ask for Pro\./);
  const roomy = new UploadQuotas(repositoryOf({ photo_count: 1, bytes_stored: 9 * MB, is_pro: 0, quota_photos: null, quota_bytes: 10 * MB }), noLimits);
  const hold = await roomy.admit(1, null);
  await assert.rejects(hold.confirm(2 * MB), /would bring you to 11 MB of your 10 MB/);
  hold.release();
});
