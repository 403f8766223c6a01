/** @module The native sample loop: decode any WAV encoding, average the channels, resample to 16 kHz. */
import { nativePool, type ComputeContext } from "../compute-context.ts";
import { check, lib } from "../ffi.ts";
import { SAMPLE_RATE } from "../types.ts";
import { BYTES_PER_SAMPLE, type SampleEncoding } from "./wav.ts";

export const TARGET_RATE = SAMPLE_RATE;
/** The longest output one Float32Array holds in Bun (4 GiB): about 18.6 hours at 16 kHz. */
export const MAX_OUTPUT_SAMPLES = 2 ** 30;

/** senko_audio_input_range writes the frames [begin, end) an output range reads. */
export const INPUT_RANGE_LEN = 2;

/** Values of convert.Encoding in zig/convert.zig. */
export const ENCODING_CODE: Record<SampleEncoding, number> = {
  pcm_u8: 1,
  pcm_s16: 2,
  pcm_s24: 3,
  pcm_s32: 4,
  float32: 5,
  float64: 6,
};

/** Samples at 16 kHz for `frames` input frames at `sampleRate`: one per output instant inside the input. */
export function outputLength(frames: number, sampleRate: number): number {
  // frames * 16000 stays an exact integer in a double for any input that fits in memory.
  return Math.ceil((frames * TARGET_RATE) / sampleRate);
}

/** Interleaved little-endian frames, readable a range at a time. */
export interface FrameSource {
  encoding: SampleEncoding;
  channels: number;
  sampleRate: number;
  frameCount: number;
  /** the bytes of frames [begin, end) */
  read(begin: number, end: number): Uint8Array;
}

/**
 * Converts `source` to a new 16 kHz mono Float32Array: integer samples scaled to [-1, 1),
 * NaN and infinite floats to 0, channels averaged, band-limited resampling. Each piece of about
 * `pieceBytes` of input is one native call on the context's native threads; the pieces overlap by the
 * filter's length, so the result does not depend on `pieceBytes`.
 */
export function convertToMono16k(source: FrameSource, pieceBytes = Infinity, context?: ComputeContext): Float32Array {
  const { encoding, channels, sampleRate, frameCount } = source;
  const frameBytes = channels * BYTES_PER_SAMPLE[encoding];
  const total = outputLength(frameCount, sampleRate);
  if (total > MAX_OUTPUT_SAMPLES) throw new RangeError(`${total} output samples exceed the ${MAX_OUTPUT_SAMPLES} one Float32Array holds`);
  const out = new Float32Array(total);
  const native = lib();
  const pool = nativePool(context);
  const range = new BigUint64Array(INPUT_RANGE_LEN);
  const perPiece = Math.max(1, Math.floor(((pieceBytes / frameBytes) * TARGET_RATE) / sampleRate));
  for (let first = 0; first < total; first += perPiece) {
    const count = Math.min(perPiece, total - first);
    check(native.senko_audio_input_range(sampleRate, frameCount, first, count, range), "audio input range");
    const begin = Number(range[0]);
    const data = source.read(begin, Number(range[1]));
    const piece = out.subarray(first, first + count);
    const status = native.senko_audio_to_mono16k(
      pool,
      data,
      data.byteLength,
      ENCODING_CODE[encoding],
      channels,
      sampleRate,
      frameCount,
      begin,
      piece,
      piece.length,
      first,
      count,
    );
    check(status, "decoding audio samples");
  }
  return out;
}

/** Converts frames held in memory (`data` holds exactly `frames` frames or more) in one native call. */
export function toMono16k(
  data: Uint8Array,
  encoding: SampleEncoding,
  channels: number,
  frames: number,
  sampleRate: number,
  context?: ComputeContext,
): Float32Array {
  const frameBytes = channels * BYTES_PER_SAMPLE[encoding];
  if (data.byteLength < frames * frameBytes) throw new RangeError(`toMono16k: ${frames} frames need ${frames * frameBytes} bytes, got ${data.byteLength}`);
  return convertToMono16k({
    encoding,
    channels,
    sampleRate,
    frameCount: frames,
    read: (begin, end) => data.subarray(begin * frameBytes, end * frameBytes),
  }, Infinity, context);
}
