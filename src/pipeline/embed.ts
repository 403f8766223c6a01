/**
 * @module The `embed` stage as the public API offers it: CAM++ embeddings of precomputed fbank features,
 * or straight from audio and time spans (fbank computed and freed here), for scripts that skip the rest.
 */
import { extractFbankSync } from "../features/fbank.ts";
import { campplusEmbeddings, type EmbedOptions } from "../models/index.ts";
import type { Embeddings, FbankFeatures, TimeSpan } from "../types.ts";

/** 16 kHz mono samples and the spans (seconds) to embed, one embedding per span. */
export interface SpansInput {
  samples: Float32Array;
  segments: readonly TimeSpan[];
}

export async function embed(input: FbankFeatures | SpansInput, options: EmbedOptions = {}): Promise<Embeddings> {
  if (!("samples" in input)) return campplusEmbeddings(input, options);
  const features = extractFbankSync(input.samples, input.segments, { context: options.context });
  try {
    return await campplusEmbeddings(features, options);
  } finally {
    features.free();
  }
}
