/**
 * @module Kaldi-compatible 80-bin log-mel filterbank of many subsegments in one native call
 * (zig/fbank.zig, zig/log-mel.zig): the CAM++ / 3D-Speaker front end (torchaudio's Kaldi fbank with
 * dither 0), followed by per-subsegment mean normalisation. The result lives in native memory; the views are zero-copy.
 */
import type { Pointer } from "bun:ffi";
import { nativePool, type InContext } from "../compute-context.ts";
import { ConfigError, NativeLibraryError, SenkoError } from "../errors.ts";
import { check, f32View, lib, u32View } from "../ffi.ts";
import { requireOptions, requireSamples } from "../stage-arguments.ts";
import { SAMPLE_RATE, type FbankFeatures, type TimeSpan } from "../types.ts";

/** The only rate the front end (and CAM++) is defined for. */
export const FBANK_SAMPLE_RATE = SAMPLE_RATE;
/** Samples of a frame (25 ms) and between frame starts (10 ms); zig/log-mel.zig frame_length, frame_shift. */
export const FBANK_FRAME_LENGTH = 400;
export const FBANK_FRAME_SHIFT = 160;

/** Every option extractFbank reads (a key missing here, or one FbankOptions lacks, fails `tsc`). */
const FBANK_OPTION_NAMES = { context: true, meanNormalize: true, shareFrames: true } as const satisfies Record<keyof FbankOptions, true>;

/** The options of `extractFbank`: 80-bin Kaldi log-mel features, 25 ms frames every 10 ms. */
export interface FbankOptions extends InContext {
  /** Subtract each subsegment's per-bin mean over its frames, as CAM++ expects (default true). */
  meanNormalize?: boolean;
  /**
   * Compute a frame shared by overlapping subsegments once (default true). The output is identical
   * either way; false exists to measure the saving.
   */
  shareFrames?: boolean;
}

/** Bits of the `flags` argument of senko_fbank_compute (zig/abi-fbank.zig flag_*; test/shared-constants.test.ts compares). */
export const FBANK_FLAGS = { shareFrames: 1, meanNormalize: 2 } as const;

/** Subsegments in seconds -> u32 [start, end) sample pairs, rounded and clamped to the signal. */
export function toSampleSpans(segments: readonly TimeSpan[], sampleCount: number): Uint32Array {
  const spans = new Uint32Array(segments.length * 2);
  const durationSec = sampleCount / FBANK_SAMPLE_RATE;
  const toSample = (sec: number) => Math.min(sampleCount, Math.max(0, Math.round(sec * FBANK_SAMPLE_RATE)));
  for (let i = 0; i < segments.length; i++) {
    const { start, end } = segments[i]!;
    if (!Number.isFinite(start) || !Number.isFinite(end) || start > end) {
      throw new ConfigError(`subsegment ${i} [${start}, ${end}] s is not a span (need finite start <= end)`);
    }
    if (end < 0 || start > durationSec) {
      throw new ConfigError(
        `subsegment ${i} [${start}, ${end}] s lies outside the signal (0 to ${durationSec} s)`,
      );
    }
    spans[2 * i] = toSample(start);
    spans[2 * i + 1] = toSample(end);
  }
  return spans;
}

function address(pointer: Pointer | bigint | null): Pointer {
  if (typeof pointer !== "number" || pointer === 0) {
    throw new NativeLibraryError(`fbank result has a bad address: ${pointer}`);
  }
  return pointer;
}

class NativeFbank implements FbankFeatures {
  readonly melBins: number;
  readonly segmentCount: number;
  #handle: Pointer | null;
  #data: Float32Array;
  #frameCounts: Uint32Array;
  #frameOffsets: Uint32Array;

  constructor(handle: Pointer, segmentCount: number) {
    const native = lib();
    this.#handle = handle;
    this.melBins = native.senko_fbank_mel_bins();
    this.segmentCount = segmentCount;
    const totalFrames = native.senko_fbank_total_frames(handle);
    // An empty Zig slice has a dangling address, so it is never read.
    const floats = totalFrames * this.melBins;
    this.#data = floats === 0 ? new Float32Array(0) : f32View(address(native.senko_fbank_data(handle)), floats);
    if (segmentCount === 0) {
      this.#frameCounts = new Uint32Array(0);
      this.#frameOffsets = new Uint32Array(0);
    } else {
      this.#frameCounts = u32View(address(native.senko_fbank_frame_counts(handle)), segmentCount);
      this.#frameOffsets = u32View(address(native.senko_fbank_frame_offsets(handle)), segmentCount);
    }
  }

  #live<T>(view: T): T {
    if (this.#handle === null) throw new SenkoError("fbank features used after free()");
    return view;
  }

  get data(): Float32Array {
    return this.#live(this.#data);
  }

  get frameCounts(): Uint32Array {
    return this.#live(this.#frameCounts);
  }

  get frameOffsets(): Uint32Array {
    return this.#live(this.#frameOffsets);
  }

  free(): void {
    if (this.#handle === null) return;
    lib().senko_fbank_free(this.#handle);
    this.#handle = null;
    // Drop the views over the freed memory so nothing reachable from here points into it.
    this.#data = new Float32Array(0);
    this.#frameCounts = new Uint32Array(0);
    this.#frameOffsets = new Uint32Array(0);
  }
}

/**
 * Fbank features of every subsegment of a 16 kHz mono signal (floats in [-1, 1]), one native call
 * spread over the context's native threads. Subsegment times are rounded to samples and clamped to the
 * signal; one that lies wholly outside it, or has start > end, is a ConfigError. A subsegment shorter
 * than 25 ms has 0 frames. Call `free()` on the result when done.
 */
export function extractFbankSync(
  samples: Float32Array,
  segments: readonly TimeSpan[],
  options: FbankOptions = {},
): FbankFeatures {
  requireSamples(samples, "extractFbank");
  requireOptions(options, FBANK_OPTION_NAMES, "FbankOptions");
  if (samples.length > 0xffffffff) {
    throw new ConfigError(`signal of ${samples.length} samples is too long for fbank`);
  }
  return fbankOfSpans(samples, toSampleSpans(segments, samples.length), options);
}

/**
 * Fbank features of sample spans ([start, end) pairs of `samples`, e.g. from `toSampleSpans`): what
 * `extractFbankSync` computes once the times are samples. A span's features depend on its samples only.
 */
export function fbankOfSpans(samples: Float32Array, spans: Uint32Array, options: FbankOptions = {}): FbankFeatures {
  if (spans.length % 2 !== 0) throw new ConfigError(`fbank spans come in [start, end) pairs, got ${spans.length} values`);
  for (let i = 0; i < spans.length; i += 2) {
    if (!(spans[i]! <= spans[i + 1]! && spans[i + 1]! <= samples.length)) {
      throw new ConfigError(`fbank span [${spans[i]}, ${spans[i + 1]}) lies outside the ${samples.length} samples`);
    }
  }
  const flags =
    (options.shareFrames === false ? 0 : FBANK_FLAGS.shareFrames) |
    (options.meanNormalize === false ? 0 : FBANK_FLAGS.meanNormalize);
  const slot = new BigUint64Array(1);
  const count = spans.length / 2;
  const native = lib();
  check(native.senko_fbank_compute(nativePool(options.context), samples, samples.length, spans, spans.length, count, flags, slot), "fbank extraction");
  const handle = Number(slot[0]) as Pointer;
  try {
    return new NativeFbank(handle, count);
  } catch (error) {
    // The wrapper owns the result only once it exists; until then it is freed here.
    native.senko_fbank_free(handle);
    throw error;
  }
}

/** Async form of `extractFbankSync` (the native call itself runs on the context's threads and returns when done). */
export async function extractFbank(
  samples: Float32Array,
  segments: readonly TimeSpan[],
  options: FbankOptions = {},
): Promise<FbankFeatures> {
  return extractFbankSync(samples, segments, options);
}
