/**
 * @module One CAM++ embedding per window and local speaker, from the fbank frames of the whole file
 * where that speaker is active (only where it speaks alone when enough such frames remain).
 *
 * The fbank is computed once for the file; each embedding gathers its frames by index and subtracts
 * their mean (CAM++'s per-utterance normalisation). Zero padding changes CAM++'s output, so no batch
 * is padded: each embedding keeps a whole number of `bucketFrames` of its frames (the middle ones), and
 * batches hold embeddings of one length only. An embedding therefore does not depend on which others
 * share its batch.
 */
import { runBatchLoops, type StopFlag } from "../../abort.ts";
import { ConfigError } from "../../errors.ts";
import { check, lib } from "../../ffi.ts";
import { FBANK_FRAME_LENGTH as FBANK_LENGTH, FBANK_FRAME_SHIFT as FBANK_SHIFT } from "../../features/fbank.ts";
import { EMBEDDING_DIM, FBANK_BINS } from "../../models/index.ts";
import {
  activeCount,
  FRAME_STEP_SAMPLES,
  FRAME_SPAN_SAMPLES,
  FRAMES_PER_WINDOW,
  LOCAL_SPEAKERS,
  usedFrames,
  windowStart,
  type LocalSegmentation,
} from "./local-segmentation.ts";

/** Frames where a speaker is alone from which its embedding uses only those (1.5 s). */
export const MIN_CLEAN_FRAMES = 150;

export interface LocalEmbeddingOptions {
  /** local speakers with fewer active fbank frames get no embedding (default 50: 0.5 s) */
  minFrames?: number;
  /** frames where the speaker is alone are used when at least this many (default MIN_CLEAN_FRAMES) */
  minCleanFrames?: number;
  /** lengths are rounded down to a multiple of this (default 50) */
  bucketFrames?: number;
  /** at most this many frames per embedding, the middle ones (default 1000: the whole window) */
  maxFrames?: number;
  /** only the central frames of each window (default: all 589) */
  centerFrames?: number;
  /** plan windows [from, to) only (default all; a live session plans each window once) */
  windows?: readonly [number, number];
  /** embeddings per model call (default 16) */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** aborting it stops the batches at once: the lanes drop those not started, and the call rejects with its reason once the running ones end */
  signal?: AbortSignal;
}

/** The frames chosen for each embedding. */
export interface EmbeddingPlan {
  readonly count: number;
  /** window and local speaker of embedding i */
  readonly window: Uint32Array;
  readonly speaker: Uint8Array;
  /** frames where the speaker is alone in its window (before cropping) */
  readonly cleanFrames: Uint32Array;
  /** fbank frame indices of embedding i: indices[offsets[i] .. offsets[i] + lengths[i]] */
  readonly indices: Uint32Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
}

export interface LocalEmbeddings extends EmbeddingPlan {
  /** count x EMBEDDING_DIM, the model's output */
  readonly data: Float32Array;
  readonly dim: number;
}

/** Local model frame of window `start` (samples) whose centre is nearest to fbank frame j's centre. */
export function localFrame(j: number, start: number): number {
  return Math.round((j * FBANK_SHIFT + FBANK_LENGTH / 2 - start - FRAME_SPAN_SAMPLES / 2) / FRAME_STEP_SAMPLES);
}

/** First fbank frame whose local model frame in the window starting at `start` (samples) is 0 or later. */
export function firstFbankFrame(start: number): number {
  return Math.max(0, Math.ceil((start + FRAME_SPAN_SAMPLES / 2 - FRAME_STEP_SAMPLES / 2 - FBANK_LENGTH / 2) / FBANK_SHIFT));
}

/** Chooses the fbank frames of every (window, local speaker) with enough speech. */
export function planEmbeddings(segmentation: LocalSegmentation, fbankFrames: number, options: LocalEmbeddingOptions = {}): EmbeddingPlan {
  const { minFrames = 50, minCleanFrames = MIN_CLEAN_FRAMES, bucketFrames = 50, maxFrames = 1000, centerFrames = FRAMES_PER_WINDOW } = options;
  const [fromWindow, toWindow] = options.windows ?? [0, segmentation.windowCount];
  if (!(Number.isInteger(fromWindow) && Number.isInteger(toWindow) && 0 <= fromWindow && fromWindow <= toWindow && toWindow <= segmentation.windowCount)) {
    throw new ConfigError(`planEmbeddings: windows [${fromWindow}, ${toWindow}) are not within the ${segmentation.windowCount} windows`);
  }
  if (!(bucketFrames >= 1 && minFrames >= bucketFrames && maxFrames >= minFrames)) {
    throw new ConfigError(`embedding frames need 1 <= bucketFrames (${bucketFrames}) <= minFrames (${minFrames}) <= maxFrames (${maxFrames})`);
  }
  const window: number[] = [];
  const speaker: number[] = [];
  const clean: number[] = [];
  const chunks: Uint32Array[] = [];
  const all: number[][] = Array.from({ length: LOCAL_SPEAKERS }, () => []);
  const alone: number[][] = Array.from({ length: LOCAL_SPEAKERS }, () => []);
  const { activity } = segmentation;
  for (let w = fromWindow; w < toWindow; w++) {
    const start = windowStart(segmentation, w);
    for (let k = 0; k < LOCAL_SPEAKERS; k++) {
      all[k]!.length = 0;
      alone[k]!.length = 0;
    }
    const [lo, hi] = usedFrames(segmentation, w, centerFrames);
    for (let j = firstFbankFrame(start); j < fbankFrames; j++) {
      const f = localFrame(j, start);
      if (f < lo) continue;
      if (f >= hi) break;
      const mask = activity[w * FRAMES_PER_WINDOW + f]!;
      if (mask === 0) continue;
      const single = activeCount(mask) === 1;
      for (let k = 0; k < LOCAL_SPEAKERS; k++) {
        if ((mask >> k) & 1) {
          all[k]!.push(j);
          if (single) alone[k]!.push(j);
        }
      }
    }
    for (let k = 0; k < LOCAL_SPEAKERS; k++) {
      const frames = alone[k]!.length >= minCleanFrames ? alone[k]! : all[k]!;
      if (frames.length < minFrames) continue;
      const length = Math.min(maxFrames, frames.length - (frames.length % bucketFrames));
      const from = (frames.length - length) >> 1;
      chunks.push(Uint32Array.from(frames.slice(from, from + length)));
      window.push(w);
      speaker.push(k);
      clean.push(alone[k]!.length);
    }
  }
  return embeddingPlan(chunks, window, speaker, clean);
}

/** The plan of embeddings i whose fbank frames are chunks[i], of (window[i], speaker[i]) with clean[i] frames alone. */
export function embeddingPlan(chunks: readonly ArrayLike<number>[], window: readonly number[], speaker: readonly number[], clean: readonly number[]): EmbeddingPlan {
  const offsets = new Uint32Array(chunks.length);
  let total = 0;
  chunks.forEach((c, i) => {
    offsets[i] = total;
    total += c.length;
  });
  const indices = new Uint32Array(total);
  chunks.forEach((c, i) => indices.set(c, offsets[i]));
  return {
    count: chunks.length,
    window: Uint32Array.from(window),
    speaker: Uint8Array.from(speaker),
    cleanFrames: Uint32Array.from(clean),
    indices,
    offsets,
    lengths: Uint32Array.from(chunks, (c) => c.length),
  };
}

/**
 * The [members x length x 80] CAM++ input of `members` (all of one length), each its frames of the
 * whole-file fbank minus their own mean: one native call (zig/frame-gather.zig).
 */
export function gatherFrames(fbank: Float32Array, plan: EmbeddingPlan, members: readonly number[]): Float32Array {
  if (members.length === 0) throw new ConfigError("gatherFrames: no members");
  const length = plan.lengths[members[0]!]!;
  const offsets = new Uint32Array(members.length);
  members.forEach((m, row) => {
    if (plan.lengths[m] !== length) throw new ConfigError("gatherFrames: members of different lengths");
    offsets[row] = plan.offsets[m]!;
  });
  const out = new Float32Array(members.length * length * FBANK_BINS);
  const frames = fbank.length / FBANK_BINS;
  check(lib().senko_frames_gather(fbank, fbank.length, frames, plan.indices, plan.indices.length, offsets, offsets.length, members.length, length, out, out.length), "gathering fbank frames");
  return out;
}

/**
 * Runs CAM++ on a [batch x frames x 80] buffer (which it may take over), returning [batch x 192]. `stopped`: the
 * StopFlag of the loops it runs for (src/abort.ts), for a worker lane to drop the batch if they stop before it starts.
 */
export type EmbeddingRunner = (features: Float32Array, batch: number, frames: number, stopped?: StopFlag) => Promise<Float32Array>;

/**
 * Embeds every planned (window, local speaker), batches grouped by length, results in plan order; each
 * runner (e.g. one per inference lane) takes batches in turn.
 */
export async function embedLocalSpeakers(
  fbank: Float32Array,
  plan: EmbeddingPlan,
  runners: readonly EmbeddingRunner[],
  options: LocalEmbeddingOptions = {},
): Promise<LocalEmbeddings> {
  const { batchSize = 16, onProgress } = options;
  if (runners.length === 0) throw new ConfigError("embedLocalSpeakers needs at least one runner");
  const data = new Float32Array(plan.count * EMBEDDING_DIM);
  // Longest first, so the costliest batches are not left for the end; ties keep plan order.
  const order = Array.from({ length: plan.count }, (_, i) => i).sort((a, b) => plan.lengths[b]! - plan.lengths[a]! || a - b);
  const batches: number[][] = [];
  for (const i of order) {
    const last = batches.at(-1);
    if (last && last.length < batchSize && plan.lengths[last[0]!] === plan.lengths[i]) last.push(i);
    else batches.push([i]);
  }
  let next = 0;
  let done = 0;
  const loop = async (run: EmbeddingRunner, stopped: StopFlag) => {
    while (next < batches.length) {
      const members = batches[next++]!;
      const frames = plan.lengths[members[0]!]!;
      const out = await run(gatherFrames(fbank, plan, members), members.length, frames, stopped);
      members.forEach((m, row) => data.set(out.subarray(row * EMBEDDING_DIM, (row + 1) * EMBEDDING_DIM), m * EMBEDDING_DIM));
      done += members.length;
      onProgress?.(done, plan.count);
    }
  };
  // A failure (or an abort from onProgress) stops the other runners after their current batch.
  await runBatchLoops(runners.map((run) => (stopped) => loop(run, stopped)), () => (next = batches.length), options.signal);
  return { ...plan, data, dim: EMBEDDING_DIM };
}
