/** @module The pretrained models: sessions, typed wrappers and the `embed` pipeline stage. */
import { ConfigError } from "../errors.ts";
import { embedBatch, FBANK_BINS } from "./campplus.ts";
import { SEGMENTATION, segmentationScores } from "./segmentation.ts";
import { disableWorkerLanes, laneCount, laneOptions, workerLanes } from "./lanes.ts";
import { configureModels, cudaAvailable, loadModel, type Device, type ModelOptions } from "./session.ts";
import { sileroSpeechProbabilities, SILERO_FRAME_SAMPLES } from "./silero.ts";

export { embed, embedBatch, EMBEDDING_DIM, FBANK_BINS, MIN_FRAMES, type EmbedOptions } from "./campplus.ts";
export { powersetToSpeakers, SEGMENTATION, segmentationScores, segmentationScoresBatch, segmentationSpeechFrames } from "./segmentation.ts";
export { configureModels, cudaAvailable, loadModel, releaseModels, type Device, type LoadedModel, type ModelOptions } from "./session.ts";
export {
  planSileroStretches,
  sileroSpeechProbabilities,
  sileroSpeechProbabilitiesParallel,
  sileroStretchProbabilities,
  SILERO_FRAME_SAMPLES,
  SILERO_SAMPLE_RATE,
  type SileroParallelOptions,
} from "./silero.ts";
export { laneCount, terminateWorkerLanes } from "./lanes.ts";

export interface PrepareOptions extends ModelOptions {
  vad?: "auto" | "silero" | "pyannote";
  /** run each model once on dummy input, so the first real call is not slower (default true) */
  warmup?: boolean;
  /** inference lanes to start and warm up (default: one per thread; see lanes.ts) */
  lanes?: number;
}

/**
 * Makes these options the defaults of every model function, loads the chosen VAD and CAM++ (fetching
 * them if needed) and optionally warms them up. "auto" VAD is pyannote on CUDA, Silero on the CPU.
 */
export async function prepareModels(options: PrepareOptions = {}): Promise<{ vad: "silero" | "pyannote"; device: Device }> {
  const { vad: choice = "auto", warmup = true, lanes: requestedLanes, ...modelOptions } = options;
  if (choice !== "auto" && choice !== "silero" && choice !== "pyannote") {
    throw new ConfigError(`unknown VAD "${String(choice)}": use silero, pyannote or auto`);
  }
  configureModels(modelOptions);
  const vad = choice === "auto" ? ((await cudaAvailable()) && modelOptions.device !== "cpu" ? "pyannote" : "silero") : choice;
  const lanes = laneCount(modelOptions, requestedLanes);
  // CAM++ runs with the threads split between the lanes (the session `embed` will use).
  const perLane = laneOptions(modelOptions, lanes);
  const [embedder] = await Promise.all([loadModel("campplus", perLane), loadModel(vad === "silero" ? "silero-vad" : "pyannote-segmentation", modelOptions)]);
  if (warmup) {
    if (vad === "silero") await sileroSpeechProbabilities(new Float32Array(4 * SILERO_FRAME_SAMPLES), undefined, modelOptions);
    else await segmentationScores(new Float32Array(SEGMENTATION.chunkSamples), modelOptions);
    await embedBatch(new Float32Array(2 * 150 * FBANK_BINS), 2, 150, perLane);
    // Each worker loads its own sessions: done here so the first file does not pay for it.
    await Promise.all(
      workerLanes(lanes - 1).map(async (worker) => {
        if (vad === "silero") await worker.request({ kind: "silero", stretches: [new Float32Array(4 * SILERO_FRAME_SAMPLES)], options: { ...modelOptions, threads: 1 } });
        await worker.request({ kind: "campplus", features: new Float32Array(2 * 150 * FBANK_BINS), batch: 2, frames: 150, options: perLane });
      }),
    ).catch(() => disableWorkerLanes());
  }
  return { vad, device: embedder.device };
}
