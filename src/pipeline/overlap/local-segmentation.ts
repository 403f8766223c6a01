/**
 * @module Local segmentation: pyannote segmentation-3.0 over sliding 10 s windows, its powerset output
 * decoded to at most three local speakers per window with their activity per model frame.
 *
 * Windows start on the model's frame grid (a multiple of its 270-sample frame step), so frame f of
 * window w is global frame w * stepFrames + f exactly and aggregating windows needs no resampling.
 * Each window is decoded on its own: nothing here depends on audio after the window (what live
 * diarization needs).
 */
import { runBatchLoops, type StopFlag } from "../../abort.ts";
import { ConfigError } from "../../errors.ts";
import { SEGMENTATION } from "../../models/index.ts";
import { SAMPLE_RATE } from "../../types.ts";

/** Samples per model frame step (pyannote's SlidingWindow step of segmentation-3.0's frames). */
export const FRAME_STEP_SAMPLES = SEGMENTATION.frameStepSamples;
/** Samples of a model frame's receptive field. */
export const FRAME_SPAN_SAMPLES = SEGMENTATION.frameSpanSamples;
export const WINDOW_SAMPLES = SEGMENTATION.chunkSamples;
export const FRAMES_PER_WINDOW = SEGMENTATION.framesPerChunk;
export const LOCAL_SPEAKERS = SEGMENTATION.speakers;
const CLASSES = SEGMENTATION.classes;

/** Bit mask of the local speakers active in each powerset class ({}, {1}, {2}, {3}, {1,2}, {1,3}, {2,3}). */
const CLASS_SPEAKERS = Uint8Array.of(0b000, 0b001, 0b010, 0b100, 0b011, 0b101, 0b110);

/** Window step used when none is given: 177 frames, 2.99 s (chosen by accuracy and speed: BENCHMARKS.md, Overlap-aware pipeline). */
export const DEFAULT_STEP_FRAMES = 177;

/** Local speaker activity of every window of one file. */
export interface LocalSegmentation {
  readonly windowCount: number;
  /** window w starts at sample w * stepFrames * FRAME_STEP_SAMPLES */
  readonly stepFrames: number;
  /**
   * Bit mask of the active local speakers per window and frame: bit k of activity[w * FRAMES_PER_WINDOW + f]
   * is local speaker k of window w in its frame f (the most likely powerset class).
   */
  readonly activity: Uint8Array;
  /** samples of the audio the windows cover */
  readonly sampleCount: number;
}

/** Start sample of window w. */
export function windowStart(segmentation: Pick<LocalSegmentation, "stepFrames">, w: number): number {
  return w * segmentation.stepFrames * FRAME_STEP_SAMPLES;
}

/** Windows needed so that the last one reaches the end of the audio (at least one; the last is zero-padded). */
export function windowCount(sampleCount: number, stepFrames: number): number {
  if (!(Number.isInteger(stepFrames) && stepFrames >= 1 && stepFrames <= FRAMES_PER_WINDOW)) {
    throw new ConfigError(`the window step must be a whole number of 1 to ${FRAMES_PER_WINDOW} frames, got ${stepFrames}`);
  }
  if (sampleCount <= WINDOW_SAMPLES) return 1;
  return 1 + Math.ceil((sampleCount - WINDOW_SAMPLES) / (stepFrames * FRAME_STEP_SAMPLES));
}

/** Seconds -> the nearest whole number of frame steps (at least 1). */
export function stepFramesOf(stepSec: number): number {
  return Math.max(1, Math.round((stepSec * SAMPLE_RATE) / FRAME_STEP_SAMPLES));
}

/**
 * Decodes powerset log-probabilities (frames x 7, frame-major, any number of frames) into the bit mask
 * of each frame's most likely class; ties go to the lower class, as an argmax does.
 */
export function decodePowerset(scores: Float32Array, out: Uint8Array = new Uint8Array(scores.length / CLASSES)): Uint8Array {
  if (scores.length % CLASSES !== 0) throw new ConfigError(`${scores.length} scores are not frames x ${CLASSES}`);
  const frames = scores.length / CLASSES;
  if (out.length !== frames) throw new ConfigError(`decodePowerset: ${out.length} outputs for ${frames} frames`);
  for (let f = 0; f < frames; f++) {
    const row = f * CLASSES;
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (scores[row + c]! > scores[row + best]!) best = c;
    out[f] = CLASS_SPEAKERS[best]!;
  }
  return out;
}

/**
 * Runs segmentation on up to a batch of 10 s chunks (zero-padded when shorter), returning log-probabilities.
 * `stopped`: the StopFlag of the loops it runs for (src/abort.ts), for a worker lane to drop the batch if they stop before it starts.
 */
export type SegmentationRunner = (chunks: Float32Array[], stopped?: StopFlag) => Promise<Float32Array[]>;

export interface LocalSegmentationOptions {
  /** aborting it stops the batches at once: the lanes drop those not started, and the call rejects with its reason once the running ones end */
  signal?: AbortSignal;
  /** frames between window starts (default DEFAULT_STEP_FRAMES) */
  stepFrames?: number;
  /**
   * windows per model call (default 4). The CPU time per window is the same from 2 windows up, but each
   * session's arena keeps the largest batch's SincNet activations: 8 windows hold ~100 MB more per lane
   * than 4 (BENCHMARKS.md, Overlap-aware pipeline, memory).
   */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Segments `samples` (16 kHz mono) window by window, each runner (e.g. one per inference lane) taking batches in turn. */
export async function localSegmentation(
  samples: Float32Array,
  runners: readonly SegmentationRunner[],
  options: LocalSegmentationOptions = {},
): Promise<LocalSegmentation> {
  const { stepFrames = DEFAULT_STEP_FRAMES, batchSize = 4, onProgress } = options;
  if (runners.length === 0) throw new ConfigError("localSegmentation needs at least one runner");
  const count = windowCount(samples.length, stepFrames);
  const activity = new Uint8Array(count * FRAMES_PER_WINDOW);
  const result: LocalSegmentation = { windowCount: count, stepFrames, activity, sampleCount: samples.length };
  let next = 0;
  let done = 0;
  const loop = async (run: SegmentationRunner, stopped: StopFlag) => {
    while (next < count) {
      const first = next;
      const last = Math.min(count, first + batchSize);
      next = last;
      const chunks: Float32Array[] = [];
      for (let w = first; w < last; w++) {
        const start = windowStart(result, w);
        chunks.push(samples.subarray(start, Math.min(samples.length, start + WINDOW_SAMPLES)));
      }
      const scores = await run(chunks, stopped);
      scores.forEach((s, i) => decodePowerset(s, activity.subarray((first + i) * FRAMES_PER_WINDOW, (first + i + 1) * FRAMES_PER_WINDOW)));
      done += last - first;
      onProgress?.(done, count);
    }
  };
  // A failure (or an abort from onProgress) stops the other runners after their current batch.
  await runBatchLoops(runners.map((run) => (stopped) => loop(run, stopped)), () => (next = count), options.signal);
  return result;
}

/**
 * Frames [from, to) of window w that count: the central `centerFrames` of each window, extended to the
 * window's edge for the first and the last window (nothing else covers the file's ends there).
 */
export function usedFrames(segmentation: Pick<LocalSegmentation, "windowCount">, w: number, centerFrames: number): [number, number] {
  const lo = (FRAMES_PER_WINDOW - centerFrames) >> 1;
  return [w === 0 ? 0 : lo, w === segmentation.windowCount - 1 ? FRAMES_PER_WINDOW : lo + centerFrames];
}

/** Whether local speakers a and b of window w are active at one frame of it. */
export function heardTogether(segmentation: Pick<LocalSegmentation, "activity">, w: number, a: number, b: number): boolean {
  const both = (1 << a) | (1 << b);
  for (let f = w * FRAMES_PER_WINDOW; f < (w + 1) * FRAMES_PER_WINDOW; f++) if ((segmentation.activity[f]! & both) === both) return true;
  return false;
}

/** Number of bits set in a 3-bit mask. */
export function activeCount(mask: number): number {
  return (mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1);
}
