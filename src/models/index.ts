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

export interface PrepareOptions extends InContext {
  vad?: VadChoice;
  /** run each model once on dummy input, so the first real call is not slower (default true) */
  warmup?: boolean;
}

/**
 * Loads the chosen VAD and CAM++ into the context (fetching them if needed), starts its worker lanes and
 * optionally warms everything up. "auto" VAD is pyannote on CUDA, Silero on the CPU.
 */
export async function prepareModels(options: PrepareOptions = {}): Promise<{ vad: "silero" | "pyannote"; device: Device }> {
  const { vad: choice = "auto", warmup = true } = options;
  const context = options.context ?? defaultContext();
  const vad = resolveVad(choice, context.device);
  const lanes = context.lanes;
  // CAM++ runs with the threads split between the lanes (the session campplusEmbeddings will use).
  const threads = context.threadsPerLane(lanes);
  const [embedder] = await loadModels([
    ["campplus", { context, threads }],
    [vad === "silero" ? "silero-vad" : "pyannote-segmentation", { context }],
  ]);
  if (warmup) {
    if (vad === "silero") await sileroSpeechProbabilities(new Float32Array(4 * SILERO_FRAME_SAMPLES), undefined, { context });
    else await segmentationScores(new Float32Array(SEGMENTATION.chunkSamples), { context });
    await embedBatch(new Float32Array(2 * 150 * FBANK_BINS), 2, 150, { context, threads });
    // Each worker loads its own sessions: done here so the first file does not pay for it.
    await Promise.all(
      context.workerLanes(lanes - 1).map(async (worker) => {
        if (vad === "silero") await worker.request({ kind: "silero", stretches: [new Float32Array(4 * SILERO_FRAME_SAMPLES)] });
        await worker.request({ kind: "campplus", features: new Float32Array(2 * 150 * FBANK_BINS), batch: 2, frames: 150, threads });
      }),
    ).catch(() => context.disableWorkerLanes());
  }
  return { vad, device: embedder.device };
}
