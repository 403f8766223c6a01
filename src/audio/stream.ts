/**
 * @module Conversion of audio that arrives in pieces (a live stream) to 16 kHz mono: the same native
 * decode, downmix and resampling as `readAudio` (./convert.ts), so the samples are the same bits as
 * converting the whole recording at once, however it is cut. An output sample is produced as soon as
 * every input frame its filter reads has arrived; `finish` produces the rest, zero beyond the end as
 * for a whole file.
 */
import { nativePool, type ComputeContext } from "../compute-context.ts";
import { ConfigError, quoted } from "../errors.ts";
import { check, lib } from "../ffi.ts";
import { GrowableArray } from "../growable-array.ts";
import { ENCODING_CODE, INPUT_RANGE_LEN, MAX_OUTPUT_SAMPLES, outputLength, TARGET_RATE } from "./convert.ts";
import { BYTES_PER_SAMPLE, MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type SampleEncoding } from "./wav.ts";

/**
 * A frame count no stream reaches (the native limit, frames_max in zig/abi-audio.zig; test/shared-constants.test.ts
 * checks): the filter then reads past no end.
 */
export const UNBOUNDED_FRAMES = 2 ** 40;

export interface StreamFormat {
  sampleRate: number;
  /** interleaved channels (default 1), averaged to mono */
  channels?: number;
  /** of the bytes pushed (default "float32"; a Float32Array is always float32) */
  encoding?: SampleEncoding;
}

export class Mono16kStream {
  readonly sampleRate: number;
  readonly channels: number;
  readonly encoding: SampleEncoding;
  readonly #frameBytes: number;
  readonly #context: ComputeContext | undefined;
  /** input bytes kept, starting with frame `#keptFrom` (ends on a whole frame unless a frame is cut) */
  readonly #kept = new GrowableArray(Uint8Array, { minCapacity: 1 << 16 });
  #keptFrom = 0;
  /** whole input frames received */
  #frames = 0;
  /** output samples produced */
  #produced = 0;
  #finished = false;
  /** bytes of a last frame cut short, found by finish() */
  #cutBytes = 0;

  constructor(format: StreamFormat, context?: ComputeContext) {
    // JavaScript callers may leave the format out: its missing rate is then reported like a wrong one.
    const { sampleRate, channels = 1, encoding = "float32" } = format ?? {};
    if (!(Number.isInteger(sampleRate) && sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)) {
      throw new ConfigError(`sampleRate must be a whole number of Hz from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE}, got ${quoted(sampleRate)}`);
    }
    if (!(Number.isInteger(channels) && channels >= 1 && channels <= MAX_CHANNELS)) throw new ConfigError(`channels must be a whole number from 1 to ${MAX_CHANNELS}, got ${quoted(channels)}`);
    if (!Object.hasOwn(BYTES_PER_SAMPLE, encoding)) {
      const names = Object.keys(BYTES_PER_SAMPLE);
      throw new ConfigError(`unknown sample encoding "${String(encoding)}": use ${names.slice(0, -1).join(", ")} or ${names.at(-1)}`);
    }
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.encoding = encoding;
    this.#frameBytes = channels * BYTES_PER_SAMPLE[encoding];
    this.#context = context;
  }

  /** 16 kHz samples produced so far. */
  get produced(): number {
    return this.#produced;
  }

  /** Takes the next bytes (any length: a frame cut in two is completed by the next push) and returns the 16 kHz samples they complete. */
  push(bytes: Uint8Array): Float32Array {
    if (this.#finished) throw new ConfigError("audio stream: push after finish");
    this.#kept.push(bytes);
    this.#frames = this.#keptFrom + Math.floor(this.#kept.count / this.#frameBytes);
    return this.#convert(this.#ready(), this.#frames);
  }

  /** After finish(): the bytes after the last whole frame, which make no sample. */
  get cutBytes(): number {
    return this.#cutBytes;
  }

  /** The bytes of one frame (a sample of every channel). */
  get frameBytes(): number {
    return this.#frameBytes;
  }

  /** The end of the stream: the remaining samples, as converting the whole recording gives them. */
  finish(): Float32Array {
    if (this.#finished) throw new ConfigError("audio stream: finish called twice");
    this.#finished = true;
    this.#cutBytes = this.#kept.count - (this.#frames - this.#keptFrom) * this.#frameBytes;
    const out = this.#convert(outputLength(this.#frames, this.sampleRate), this.#frames);
    this.#kept.clear();
    return out;
  }

  /** Outputs whose filter reads only frames that have arrived: the largest n with inputEnd(n) <= frames. */
  #ready(): number {
    const limit = outputLength(this.#frames, this.sampleRate);
    if (this.sampleRate === TARGET_RATE) return limit;
    let lo = this.#produced;
    let hi = limit;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.#inputRange(mid - 1, 1, UNBOUNDED_FRAMES)[1] <= this.#frames) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #inputRange(first: number, count: number, totalFrames: number): [number, number] {
    const range = new BigUint64Array(INPUT_RANGE_LEN);
    check(lib().senko_audio_input_range(this.sampleRate, totalFrames, first, count, range), "audio input range");
    return [Number(range[0]), Number(range[1])];
  }

  /** Outputs [produced, end) from the kept frames of a signal of `totalFrames` frames, then drops the frames no later output reads. */
  #convert(end: number, totalFrames: number): Float32Array {
    const count = end - this.#produced;
    if (count <= 0) return new Float32Array(0);
    if (end > MAX_OUTPUT_SAMPLES) throw new RangeError(`the stream passed the ${MAX_OUTPUT_SAMPLES} samples one Float32Array holds`);
    const out = new Float32Array(count);
    const dataFrames = totalFrames - this.#keptFrom;
    const status = lib().senko_audio_to_mono16k(
      nativePool(this.#context),
      this.#kept.data,
      dataFrames * this.#frameBytes,
      ENCODING_CODE[this.encoding],
      this.channels,
      this.sampleRate,
      totalFrames,
      this.#keptFrom,
      out,
      out.length,
      this.#produced,
      count,
    );
    check(status, "decoding audio samples");
    this.#produced = end;
    if (!this.#finished) {
      const from = Math.min(this.#frames, this.#inputRange(end, 1, UNBOUNDED_FRAMES)[0]);
      const drop = (from - this.#keptFrom) * this.#frameBytes;
      if (drop > 0) {
        this.#kept.dropFront(drop);
        this.#keptFrom = from;
      }
    }
    return out;
  }
}
