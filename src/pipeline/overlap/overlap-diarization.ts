/**
 * @module The overlap-aware pipeline, stage by stage: local segmentation (pyannote segmentation-3.0
 * over 10 s windows) -> one fbank for the whole file -> one CAM++ embedding per window and local speaker
 * -> constrained clustering -> reconstruction of who speaks in each frame -> turns that may overlap,
 * and an exclusive view with one speaker at any instant.
 */
import type { InContext } from "../../compute-context.ts";
import { extractFbankSync } from "../../features/fbank.ts";
import { SAMPLE_RATE, type PipelineResult, type Segment } from "../../types.ts";
import { speakerName } from "../segments.ts";
import { constrainedClustering, type ConstrainedClusteringOptions } from "./constrained-clustering.ts";
import { embedLocalSpeakers, planEmbeddings, type EmbeddingRunner, type LocalEmbeddingOptions, type LocalEmbeddings } from "./local-embeddings.ts";
import {
  DEFAULT_STEP_FRAMES,
  FRAMES_PER_WINDOW,
  LOCAL_SPEAKERS,
  localSegmentation,
  stepFramesOf,
  type LocalSegmentation,
  type LocalSegmentationOptions,
  type SegmentationRunner,
} from "./local-segmentation.ts";
import { countAsked, embedVoicePieces, mayMissCount, planVoicePieces, splitByVoice, type LocalSpeakers, type VoicePieces } from "./voice-split.ts";
import {
  activityTurns,
  exclusiveActivity,
  minDurationFrames,
  overlapSeconds,
  reconstructActivity,
  withBorrowedVotes,
  withMinDurations,
  type FrameActivity,
  type MinDurations,
  type ReconstructionOptions,
} from "./reconstruction.ts";


export type OverlapStage = "segmentation" | "fbank" | "embeddings" | "clustering" | "segments";

export interface OverlapPipelineOptions {
  /** seconds between window starts, rounded to whole model frames (default 177 frames, 2.99 s) */
  stepSec?: number;
  /** seconds at the centre of each window whose frames are embedded (default 3; at least the step) */
  centerSec?: number;
  /** seconds at the centre of each window that vote for who speaks in a frame (default 4; at least the step) */
  voteSec?: number;
  /** seconds at the centre of each window that vote for how many speak in a frame (default 6; at least the step) */
  countSec?: number;
  segmentation?: Omit<LocalSegmentationOptions, "stepFrames" | "onProgress">;
  embeddings?: Omit<LocalEmbeddingOptions, "centerFrames" | "onProgress">;
  clustering?: Omit<ConstrainedClusteringOptions, "context">;
  reconstruction?: Omit<ReconstructionOptions, "centerFrames" | "countFrames">;
  /** rules of the merged turns (default: silences under 0.5 s filled, then turns under 0.3 s dropped) */
  minDurations?: MinDurations;
}

/** The models, each as one runner per inference lane. */
export interface OverlapRunners {
  segmentation: readonly SegmentationRunner[];
  embedding: readonly EmbeddingRunner[];
}

/** How the stages are run: the Diarizer times them and reports progress its own way. */
export interface StageHooks {
  stage<T>(stage: OverlapStage, work: () => T | Promise<T>): Promise<T>;
  progress(stage: OverlapStage): ((done: number, total: number) => void) | undefined;
  /** the call's AbortSignal: the batch loops stop at once on abort */
  signal?: AbortSignal;
}

export interface OverlapDiarization {
  /** turns straight from the frame activity (may overlap) */
  rawSegments: Segment[];
  /** the same after the minimum durations (may overlap): what most users want */
  mergedSegments: Segment[];
  /** one speaker at any instant (the most likely), for aligning with a transcript */
  exclusiveSegments: Segment[];
  /** seconds in which two or more speakers are active (merged view) */
  overlapSec: number;
  /** unit-length mean embedding of each speaker */
  speakerCentroids: Record<string, Float32Array>;
  speakers: string[];
  /** seconds per stage */
  timing: Record<OverlapStage, number>;
  /** the frame activity behind the merged segments (speakers in `speakers` order) */
  activity: FrameActivity;
}

/** Frames of a duration, at least `floor` frames. */
function framesOf(sec: number, floor: number): number {
  return Math.max(floor, stepFramesOf(sec));
}

export interface WindowFrames {
  stepFrames: number;
  /** central frames of a window that are embedded */
  centerFrames: number;
  /** central frames of a window that vote for who speaks */
  voteFrames: number;
  /** central frames of a window that vote for how many speak */
  countFrames: number;
}

/**
 * Window step and the central frames that embed and vote, in model frames. Votes reach wider than the
 * embedded centre, so that with 3 s steps a frame near a window's edge still hears two windows: on both
 * accuracy sets 4 s (who) and 6 s (how many) did better than 3 s (BENCHMARKS.md, Overlap-aware pipeline).
 */
export function windowFrames(options: Pick<OverlapPipelineOptions, "stepSec" | "centerSec" | "voteSec" | "countSec">): WindowFrames {
  const stepFrames = options.stepSec === undefined ? DEFAULT_STEP_FRAMES : framesOf(options.stepSec, 1);
  const central = (sec: number) => Math.min(FRAMES_PER_WINDOW, framesOf(sec, stepFrames));
  return { stepFrames, centerFrames: central(options.centerSec ?? 3), voteFrames: central(options.voteSec ?? 4), countFrames: central(options.countSec ?? 6) };
}

/**
 * Rules of the merged turns when none are given: a speaker's silences under 0.5 s are filled, then turns
 * under 0.3 s dropped (down to one 17 ms frame otherwise; on both accuracy sets the DER moved less than
 * 0.05 points: BENCHMARKS.md, "overlap-aware: minimum turn duration").
 */
export const DEFAULT_MIN_DURATIONS: MinDurations = { minDurationOffSec: 0.5, minDurationOnSec: 0.3 };

/** Hooks that only time the stages. */
const NO_HOOKS: StageHooks = { stage: async (_, work) => work(), progress: () => undefined };

export async function overlapAwareDiarization(
  samples: Float32Array,
  runners: OverlapRunners,
  options: OverlapPipelineOptions & InContext = {},
  hooks: StageHooks = NO_HOOKS,
): Promise<OverlapDiarization> {
  const timing: Record<OverlapStage, number> = { segmentation: 0, fbank: 0, embeddings: 0, clustering: 0, segments: 0 };
  const timed = <T>(stage: OverlapStage, run: () => T | Promise<T>): Promise<T> =>
    hooks.stage(stage, async () => {
      const start = performance.now();
      const out = await run();
      timing[stage] += (performance.now() - start) / 1000;
      return out;
    });
  const { context } = options;
  const { stepFrames, centerFrames } = windowFrames(options);
  const durationSec = samples.length / SAMPLE_RATE;

  const segmentation = await timed("segmentation", () =>
    localSegmentation(samples, runners.segmentation, {
      ...options.segmentation,
      stepFrames,
      onProgress: hooks.progress("segmentation"),
      signal: hooks.signal,
    }),
  );
  const fbank = await timed("fbank", () => extractFbankSync(samples, [{ start: 0, end: durationSec }], { meanNormalize: false, context }));
  let embedded: { embeddings: LocalEmbeddings; pieces?: VoicePieces };
  try {
    embedded = await timed("embeddings", async () => {
      const fbankFrames = fbank.frameCounts[0] ?? 0;
      const embeddings = await embedLocalSpeakers(fbank.data, planEmbeddings(segmentation, fbankFrames, { ...options.embeddings, centerFrames }), runners.embedding, {
        ...options.embeddings,
        onProgress: hooks.progress("embeddings"),
        signal: hooks.signal,
      });
      if (!mayMissCount(embeddings.cleanFrames, options.clustering ?? {})) return { embeddings };
      return { embeddings, pieces: await embedVoicePieces(fbank.data, planVoicePieces(segmentation, fbankFrames, embeddings), runners.embedding) };
    });
  } finally {
    fbank.free();
  }
  return { ...(await clusteredResult(segmentation, embedded.embeddings, options, timed, embedded.pieces)), timing };
}

/**
 * The stages after the embeddings: constrained clustering (with a local speaker split by voice when it
 * finds fewer speakers than asked for and `pieces` are given: ./voice-split.ts), then reconstruction of the
 * frames, turns and speakers named by talk time (live sessions end with it too).
 */
export async function clusteredResult(
  segmentation: LocalSegmentation,
  embeddings: LocalEmbeddings,
  options: OverlapPipelineOptions & InContext,
  timed: <T>(stage: OverlapStage, work: () => T | Promise<T>) => Promise<T>,
  pieces?: VoicePieces,
): Promise<Omit<OverlapDiarization, "timing">> {
  const durationSec = segmentation.sampleCount / SAMPLE_RATE;
  const { voteFrames, countFrames } = windowFrames(options);
  const speakers = await timed("clustering", () => {
    const clustering = constrainedClustering(embeddings, { ...options.clustering, context: options.context }, segmentation);
    const labels = new Int32Array(segmentation.windowCount * LOCAL_SPEAKERS).fill(-1);
    for (let i = 0; i < embeddings.count; i++) labels[embeddings.window[i]! * LOCAL_SPEAKERS + embeddings.speaker[i]!] = clustering.labels[i]!;
    const local: LocalSpeakers = { segmentation, labels, clusterCount: clustering.clusterCount, centroids: clustering.centroids };
    return pieces === undefined ? local : splitByVoice(local, pieces, countAsked(options.clustering ?? {}));
  });

  return timed("segments", () => {
    const { clusterCount } = speakers;
    const reconstruction = { ...options.reconstruction, centerFrames: voteFrames, countFrames };
    const raw = withBorrowedVotes(reconstructActivity(speakers.segmentation, speakers.labels, clusterCount, reconstruction), reconstruction);
    const minDurations = options.minDurations ?? DEFAULT_MIN_DURATIONS;
    const merged = withMinDurations(raw, minDurations);
    const mergedTurns = activityTurns(merged, durationSec);
    // Speakers by talk time in the merged view, longest first (ties: lower cluster first).
    const talk = new Float64Array(clusterCount);
    for (const t of mergedTurns) talk[t.speaker]! += t.end - t.start;
    const order = Array.from(talk.keys())
      .filter((c) => talk[c]! > 0)
      .sort((a, b) => talk[b]! - talk[a]! || a - b);
    const name = new Map(order.map((c, i) => [c, speakerName(i)]));
    const named = (turns: ReturnType<typeof activityTurns>): Segment[] =>
      turns.filter((t) => name.has(t.speaker)).map((t) => ({ start: t.start, end: t.end, speaker: name.get(t.speaker)! }));
    const dim = speakers.centroids.length / Math.max(1, clusterCount);
    const speakerCentroids: Record<string, Float32Array> = {};
    for (const c of order) speakerCentroids[name.get(c)!] = speakers.centroids.slice(c * dim, (c + 1) * dim);
    return {
      rawSegments: named(activityTurns(raw, durationSec)),
      mergedSegments: named(mergedTurns),
      exclusiveSegments: named(activityTurns(exclusiveActivity(merged, minDurationFrames(minDurations).minOn), durationSec)),
      overlapSec: overlapSeconds(merged),
      speakerCentroids,
      speakers: order.map((c) => name.get(c)!),
      activity: reorderSpeakers(merged, order),
    };
  });
}

/** The pipeline's result of an overlap-aware diarization. */
export function pipelineResultOf(result: Omit<OverlapDiarization, "timing">): PipelineResult {
  const speakersIn = (segments: { speaker: string }[]) => new Set(segments.map((s) => s.speaker)).size;
  return {
    rawSegments: result.rawSegments,
    mergedSegments: result.mergedSegments,
    exclusiveSegments: result.exclusiveSegments,
    overlapSec: result.overlapSec,
    rawSpeakersDetected: speakersIn(result.rawSegments),
    mergedSpeakersDetected: speakersIn(result.mergedSegments),
    speakerCentroids: result.speakerCentroids,
    vad: "pyannote",
    clustering: result.speakers.length === 0 ? "none" : "agglomerative",
    noiseReassigned: 0,
  };
}

/** The activity with its speakers in `order` (speakers not in it dropped). */
function reorderSpeakers(activity: FrameActivity, order: readonly number[]): FrameActivity {
  const { frameCount, speakers } = activity;
  const k = order.length;
  const active = new Uint8Array(frameCount * k);
  const scores = new Float32Array(frameCount * k);
  for (let t = 0; t < frameCount; t++) {
    order.forEach((c, s) => {
      active[t * k + s] = activity.active[t * speakers + c]!;
      scores[t * k + s] = activity.scores[t * speakers + c]!;
    });
  }
  return { frameCount, speakers: k, active, scores, count: activity.count };
}
