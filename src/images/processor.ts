import os from "node:os";
import { probeImage } from "./probe.ts";
import { extractMetadata } from "./metadata.ts";
import { DEFAULT_WEBP_SIZES, dominantColor, makeDerivatives } from "./derivatives.ts";
import type { Derivative, ImageProbe, PhotoMetadata } from "./types.ts";

export interface ProcessedImage {
  probe: ImageProbe;
  metadata: PhotoMetadata;
  derivatives: Derivative[];
  dominantColor: string | null;
}

/** Everything the site needs from an original file: what it is, what it says, its display sizes. */
export interface ImageProcessor {
  /** Identifies the file and refuses what we do not accept, before any expensive work. */
  probe(filePath: string): Promise<ImageProbe>;
  process(filePath: string, probe: ImageProbe): Promise<ProcessedImage>;
}

/** Bounds concurrent CPU-heavy work so a burst of uploads queues instead of exhausting memory. */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export class SharpImageProcessor implements ImageProcessor {
  private readonly gate = new Semaphore(Math.max(1, os.availableParallelism()));

  constructor(private readonly options: { maxPixels: number; maxFrames?: number; webpSizes?: string[] }) {}

  probe(filePath: string): Promise<ImageProbe> {
    return probeImage(filePath, { maxPixels: this.options.maxPixels, maxFrames: this.options.maxFrames ?? 1000 });
  }

  process(filePath: string, probe: ImageProbe): Promise<ProcessedImage> {
    return this.gate.run(async () => {
      const [metadata, derivatives] = await Promise.all([
        extractMetadata(filePath, probe.format),
        makeDerivatives(filePath, probe, { webpSizes: this.options.webpSizes ?? DEFAULT_WEBP_SIZES }),
      ]);
      return { probe, metadata, derivatives, dominantColor: await dominantColor(derivatives) };
    });
  }
}
