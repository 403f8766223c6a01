/** @module The pretrained models: sessions, typed wrappers and the `embed` pipeline stage. */
import { ConfigError } from "../errors.ts";
import { embedBatch, FBANK_BINS } from "./campplus.ts";
import { SEGMENTATION, segmentationScores } from "./segmentation.ts";
import { configureModels, cudaAvailable, loadModel, type Device, type ModelOptions } from "./session.ts";
import { sileroSpeechProbabilities, SILERO_FRAME_SAMPLES } from "./silero.ts";

export { embed, embedBatch, EMBEDDING_DIM, FBANK_BINS, MIN_FRAMES, type EmbedOptions } from "./campplus.ts";
export { powersetToSpeakers, SEGMENTATION, segmentationScores, segmentationScoresBatch, segmentationSpeechFrames } from "./segmentation.ts";
export { configureModels, cudaAvailable, loadModel, releaseModels, type Device, type LoadedModel, type ModelOptions } from "./session.ts";
export { sileroSpeechProbabilities, SILERO_FRAME_SAMPLES, SILERO_SAMPLE_RATE } from "./silero.ts";

export interface PrepareOptions extends ModelOptions {
  vad?: "auto" | "silero" | "pyannote";
  /** run each model once on dummy input, so the first real call is not slower (default true) */
  warmup?: boolean;
}

/**
 * Makes these options the defaults of every model function, loads the chosen VAD and CAM++ (fetching
 * them if needed) and optionally warms them up. "auto" VAD is pyannote on CUDA, Silero on the CPU.
 */
export async function prepareModels(options: PrepareOptions = {}): Promise<{ vad: "silero" | "pyannote"; device: Device }> {
  const { vad: choice = "auto", warmup = true, ...modelOptions } = options;
  if (choice !== "auto" && choice !== "silero" && choice !== "pyannote") {
    throw new ConfigError(`unknown VAD "${String(choice)}": use silero, pyannote or auto`);
  }
  configureModels(modelOptions);
  const vad = choice === "auto" ? ((await cudaAvailable()) && modelOptions.device !== "cpu" ? "pyannote" : "silero") : choice;
  const [embedder] = await Promise.all([loadModel("campplus", modelOptions), loadModel(vad === "silero" ? "silero-vad" : "pyannote-segmentation", modelOptions)]);
  if (warmup) {
    if (vad === "silero") await sileroSpeechProbabilities(new Float32Array(4 * SILERO_FRAME_SAMPLES), undefined, modelOptions);
    else await segmentationScores(new Float32Array(SEGMENTATION.chunkSamples), modelOptions);
    await embedBatch(new Float32Array(2 * 150 * FBANK_BINS), 2, 150, modelOptions);
  }
  return { vad, device: embedder.device };
}
