/**
 * @module The "overlap-aware" pipeline: pyannote segmentation-3.0 over 10 s windows, one CAM++
 * embedding per window and local speaker, clustering under the constraint that a window's local
 * speakers are different people, then per-frame reconstruction. Turns may overlap; the result also
 * carries an exclusive view. Both models run in the context's inference lanes (on inputs of WORKER_LANES_FROM_SEC or more).
 */
import { WORKER_LANES_FROM_SEC, type ComputeContext, type InContext } from "../../compute-context.ts";
import type { WorkerLane } from "../../models/lanes.ts";
import { embedBatch, FBANK_BINS, loadModels, SEGMENTATION, segmentationScoresBatch } from "../../models/index.ts";
import type { CommonPipelineOptions, DiarizationPipeline } from "../diarization-pipeline.ts";
import type { EmbeddingRunner } from "./local-embeddings.ts";
import type { SegmentationRunner } from "./local-segmentation.ts";
import { OverlapAwareLive } from "./overlap-aware-live.ts";
import { overlapAwareDiarization, pipelineResultOf, type OverlapPipelineOptions, type OverlapRunners, type OverlapStage } from "./overlap-diarization.ts";

export interface OverlapAwareOptions extends CommonPipelineOptions {
  /** seconds between the starts of the 10 s segmentation windows (default 2.99; rounded to the model's 16.9 ms frames) */
  windowStepSec?: number;
  /**
   * Keep a speaker with fewer than 12 embeddings (pyannote's minimum, folded otherwise) when it is heard alone
   * for at least this many seconds in windows of its own and for 2.5 % of the nearest large speaker's such speech
   * (default 1.5; Infinity folds them all: BENCHMARKS.md, "overlap-aware: small clusters").
   */
  minClusterSpeechSec?: number;
}

/**
 * One runner per lane slot: the calling thread once, each worker twice (so it has the next batch while
 * this thread is busy in its own call). Chunks sent to a worker are copies: a view would move the
 * whole audio buffer to it.
 */
function laneRunners(context: ComputeContext, workers: readonly WorkerLane[], threads: number): OverlapRunners {
  const segmentation: SegmentationRunner[] = [(chunks) => segmentationScoresBatch(chunks, { context, threads })];
  const embedding: EmbeddingRunner[] = [(features, batch, frames) => embedBatch(features, batch, frames, { context, threads })];
  for (const worker of workers) {
    const segment: SegmentationRunner = (chunks, stopped) => {
      const copies = chunks.map((c) => c.slice());
      return worker.request({ kind: "segmentation", chunks: copies, threads, stopped }, copies.map((c) => c.buffer as ArrayBuffer));
    };
    const embed: EmbeddingRunner = async (features, batch, frames, stopped) =>
      (await worker.request({ kind: "campplus", features, batch, frames, threads, stopped }, [features.buffer as ArrayBuffer]))[0]!;
    segmentation.push(segment, segment);
    embedding.push(embed, embed);
  }
  return { segmentation, embedding };
}

/** The stage options of the pipeline options. */
function settingsOf(context: ComputeContext, options: OverlapAwareOptions): OverlapPipelineOptions & InContext {
  return {
    context,
    stepSec: options.windowStepSec,
    clustering: {
      numSpeakers: options.numSpeakers,
      minSpeakers: options.minSpeakers,
      maxSpeakers: options.maxSpeakers,
      minClusterSpeechSec: options.minClusterSpeechSec,
    },
  };
}

export const overlapAware: DiarizationPipeline<OverlapAwareOptions> = {
  name: "overlap-aware",
  description: "10 s segmentation windows, an embedding per local speaker, constrained clustering; reports overlapped speech",
  stages: ["segmentation", "fbank", "embeddings", "clustering", "segments"],
  ownOptions: { windowStepSec: true, minClusterSpeechSec: true },

  async prepare(context, options) {
    const threads = context.threadsPerLane(context.lanes);
    await loadModels([["pyannote-segmentation", { context, threads }], ["campplus", { context, threads }]]);
    if (options.warmup ?? true) {
      await segmentationScoresBatch([new Float32Array(SEGMENTATION.chunkSamples)], { context, threads });
      await embedBatch(new Float32Array(2 * 150 * FBANK_BINS), 2, 150, { context, threads });
    }
  },

  // One runner (this thread): an update segments a window or so. Rows do not depend on their batch, so this is batch's work.
  incremental: (run) => new OverlapAwareLive(run, settingsOf(run.context, run.options), laneRunners(run.context, [], run.context.threadsPerLane(run.context.lanes))),

  async run(audio, { context, options, stage, progress, signal }) {
    const wanted = audio.durationSec >= WORKER_LANES_FROM_SEC ? context.lanes - 1 : 0;
    const workers = context.workerLanes(wanted);
    // The threads split between the lanes that run, or all of them here when workers cannot run.
    const threads = context.threadsPerLane(workers.length < wanted ? 1 : context.lanes);
    const hooks = { stage: <T>(name: OverlapStage, work: () => T | Promise<T>) => stage(name, work), progress: (name: OverlapStage) => progress(name), signal };
    const settings = settingsOf(context, options);
    let result;
    try {
      result = await overlapAwareDiarization(audio.samples, laneRunners(context, workers, threads), settings, hooks);
    } catch (error) {
      if (!workers.some((w) => w.failed)) throw error;
      // A worker could not run at all: this thread alone from now on.
      context.disableWorkerLanes();
      result = await overlapAwareDiarization(audio.samples, laneRunners(context, [], context.threads), settings, hooks);
    }
    return pipelineResultOf(result);
  },
};
