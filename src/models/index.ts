/** @module The pretrained models: typed wrappers, CAM++ embeddings of fbank features, and loading ahead of time. */
import { defaultContext, type InContext } from "../compute-context.ts";
import { embedBatch, FBANK_BINS } from "./campplus.ts";
import { SEGMENTATION, segmentationScores } from "./segmentation.ts";
import { loadModels, resolveVad, type Device, type VadChoice } from "./session.ts";
import { sileroSpeechProbabilities, SILERO_FRAME_SAMPLES } from "./silero.ts";

export { campplusEmbeddings, embedBatch, embeddingBatches, embedInBatches, EMBEDDING_BATCH_SIZE, EMBEDDING_DIM, FBANK_BINS, MIN_FRAMES, type EmbeddingBatch, type EmbedOptions } from "./campplus.ts";
export { powersetToSpeakers, SEGMENTATION, segmentationScores, segmentationScoresBatch, segmentationSpeechFrames } from "./segmentation.ts";
export { loadModel, loadModels, resolveVad, type Device, type LoadedModel, type ModelCall, type SessionOptions, type VadChoice } from "./session.ts";
export {
  planSileroStretches,
  sileroSpeechProbabilities,
  sileroSpeechProbabilitiesParallel,
  sileroStretchProbabilities,
  SileroStream,
  SILERO_FRAME_SAMPLES,
  SILERO_SAMPLE_RATE,
  type SileroParallelOptions,
} from "./silero.ts";

/** The options of `prepareModels`: which VAD to load, and the warm-up. */
export interface PrepareOptions extends InContext {
  /** the VAD whose model is loaded besides CAM++ (default "auto") */
  vad?: VadChoice;
  /** run each model once on dummy input, so the first real call is not slower (default true) */
  warmup?: boolean;
}

/**
 * Loads the chosen VAD and CAM++ into the context (fetching them if needed) and optionally warms them up.
 * The worker lanes start when an input needs them (WORKER_LANES_FROM_SEC). "auto" VAD is pyannote on CUDA,
 * Silero on the CPU.
 */
export async function prepareModels(options: PrepareOptions = {}): Promise<{ vad: "silero" | "pyannote"; device: Device }> {
  const { vad: choice = "auto", warmup = true } = options;
  const context = options.context ?? defaultContext();
  const vad = resolveVad(choice, context.device);
  // CAM++ runs with the threads split between the lanes (the session campplusEmbeddings will use).
  const threads = context.threadsPerLane(context.lanes);
  const [embedder] = await loadModels([
    ["campplus", { context, threads }],
    [vad === "silero" ? "silero-vad" : "pyannote-segmentation", { context }],
  ]);
  if (warmup) {
    if (vad === "silero") await sileroSpeechProbabilities(new Float32Array(4 * SILERO_FRAME_SAMPLES), undefined, { context });
    else await segmentationScores(new Float32Array(SEGMENTATION.chunkSamples), { context });
    await embedBatch(new Float32Array(2 * 150 * FBANK_BINS), 2, 150, { context, threads });
  }
  return { vad, device: embedder.device };
}
