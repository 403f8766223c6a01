/**
 * @module Silero VAD v5: speech probability of every 512-sample (32 ms) frame of 16 kHz audio, run
 * frame by frame as the official wrapper (silero_vad OnnxWrapper + get_speech_timestamps) does: a
 * recurrent state [2, 1, 128] starting at zero, each frame prefixed by the last 64 samples of the
 * previous model input (zeros before the first frame), and the last partial frame zero-padded.
 */
import * as ort from "onnxruntime-node";
import { runBatchLoops } from "../abort.ts";
import { defaultContext, type InContext } from "../compute-context.ts";
import { ConfigError } from "../errors.ts";
import { SAMPLE_RATE } from "../types.ts";
import { loadModel, type ModelCall } from "./session.ts";

export const SILERO_SAMPLE_RATE = SAMPLE_RATE;
export const SILERO_FRAME_SAMPLES = 512;
const CONTEXT_SAMPLES = 64;
const STATE_SIZE = 2 * 1 * 128;

/**
 * Silero over audio that arrives in pieces: `push` returns the probabilities of the whole frames it
 * completes, `finish` the one of the last partial frame (zero-padded). The frames, the context and the
 * recurrent state are those of one pass over the whole audio, so the probabilities are the same bits
 * however the audio is cut.
 */
export class SileroStream {
  readonly #call: ModelCall;
  // One input buffer reused for every frame: [context (64) | frame (512)].
  readonly #window = new Float32Array(CONTEXT_SAMPLES + SILERO_FRAME_SAMPLES);
  /** samples of the next frame received so far */
  #filled = 0;
  #state: ort.Tensor = new ort.Tensor("float32", new Float32Array(STATE_SIZE), [2, 1, 128]);
  #finished = false;
  /** frames run so far */
  frames = 0;

  constructor(call: ModelCall = {}) {
    this.#call = call;
  }

  /** Probabilities of the frames `samples` completes (16 kHz mono); `onFrame(done)` after each. */
  async push(samples: Float32Array, onFrame?: (frames: number) => void): Promise<Float32Array> {
    if (this.#finished) throw new ConfigError("SileroStream: push after finish");
    const window = this.#window;
    const complete = Math.floor((this.#filled + samples.length) / SILERO_FRAME_SAMPLES);
    const out = new Float32Array(complete);
    if (complete === 0) {
      window.set(samples, CONTEXT_SAMPLES + this.#filled);
      this.#filled += samples.length;
      return out;
    }
    const run = await this.#runner();
    let at = 0;
    for (let f = 0; f < complete; f++) {
      const take = SILERO_FRAME_SAMPLES - this.#filled;
      window.set(samples.subarray(at, at + take), CONTEXT_SAMPLES + this.#filled);
      at += take;
      this.#filled = 0;
      out[f] = await run();
      onFrame?.(this.frames);
    }
    window.set(samples.subarray(at), CONTEXT_SAMPLES);
    this.#filled = samples.length - at;
    return out;
  }

  /** The probability of the last partial frame (zero-padded), if there is one; the stream then ends. */
  async finish(): Promise<Float32Array> {
    if (this.#finished) throw new ConfigError("SileroStream: finish called twice");
    this.#finished = true;
    if (this.#filled === 0) return new Float32Array(0);
    this.#window.fill(0, CONTEXT_SAMPLES + this.#filled);
    const run = await this.#runner();
    return Float32Array.of(await run());
  }

  /** One frame through the model: the window holds [context | frame]; afterwards its tail is the next context. */
  async #runner(): Promise<() => Promise<number>> {
    const { session } = await loadModel("silero-vad", this.#call);
    const [inputName, stateName, rateName] = session.inputNames as [string, string, string];
    const [outputName, nextStateName] = session.outputNames as [string, string];
    const input = new ort.Tensor("float32", this.#window, [1, this.#window.length]);
    const rate = new ort.Tensor("int64", BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE)), []);
    return async () => {
      const out = await session.run({ [inputName]: input, [stateName]: this.#state, [rateName]: rate });
      this.#state = out[nextStateName]!;
      this.frames++;
      // The new context is the tail of this input, i.e. of this frame.
      this.#window.copyWithin(0, SILERO_FRAME_SAMPLES);
      return (out[outputName]!.data as Float32Array)[0]!;
    };
  }
}

/** One probability per 512-sample frame: ceil(samples.length / 512) values. */
export async function sileroSpeechProbabilities(
  samples16k: Float32Array,
  onProgress?: (done: number, total: number) => void,
  call: ModelCall = {},
): Promise<Float32Array> {
  const frames = Math.ceil(samples16k.length / SILERO_FRAME_SAMPLES);
  const stream = new SileroStream(call);
  const progressEvery = 1000;
  const whole = await stream.push(samples16k, (done) => {
    if (onProgress && (done % progressEvery === 0 || done === frames)) onProgress(done, frames);
  });
  const last = await stream.finish();
  if (last.length === 0) return whole;
  onProgress?.(frames, frames);
  const probabilities = new Float32Array(frames);
  probabilities.set(whole);
  probabilities.set(last, whole.length);
  return probabilities;
}

/**
 * Probabilities of independent stretches run in lock step as one batch: stretch i's result is what
 * `sileroSpeechProbabilities(stretches[i])` gives (each starts from a zero state and zero context), but
 * one session call serves every stretch, which halves the per-frame cost (bench/silero-stretches.ts).
 */
export async function sileroStretchProbabilities(stretches: readonly Float32Array[], call: ModelCall = {}): Promise<Float32Array[]> {
  const batch = stretches.length;
  if (batch === 0) return [];
  const { session } = await loadModel("silero-vad", call);
  const [inputName, stateName, rateName] = session.inputNames as [string, string, string];
  const [outputName, nextStateName] = session.outputNames as [string, string];
  const frameCounts = stretches.map((s) => Math.ceil(s.length / SILERO_FRAME_SAMPLES));
  const results = frameCounts.map((n) => new Float32Array(n));
  const longest = Math.max(...frameCounts);
  const row = CONTEXT_SAMPLES + SILERO_FRAME_SAMPLES;
  const windows = new Float32Array(batch * row);
  const input = new ort.Tensor("float32", windows, [batch, row]);
  const rate = new ort.Tensor("int64", BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE)), []);
  let state: ort.Tensor = new ort.Tensor("float32", new Float32Array(2 * batch * 128), [2, batch, 128]);
  for (let f = 0; f < longest; f++) {
    const start = f * SILERO_FRAME_SAMPLES;
    for (let b = 0; b < batch; b++) {
      const at = b * row;
      windows.copyWithin(at, at + SILERO_FRAME_SAMPLES, at + row);
      // A stretch that has ended is fed zeros; its outputs are not read.
      const frame = stretches[b]!.subarray(Math.min(start, stretches[b]!.length), Math.min(start + SILERO_FRAME_SAMPLES, stretches[b]!.length));
      windows.set(frame, at + CONTEXT_SAMPLES);
      if (frame.length < SILERO_FRAME_SAMPLES) windows.fill(0, at + CONTEXT_SAMPLES + frame.length, at + row);
    }
    const out = await session.run({ [inputName]: input, [stateName]: state, [rateName]: rate });
    const p = out[outputName]!.data as Float32Array;
    for (let b = 0; b < batch; b++) if (f < frameCounts[b]!) results[b]![f] = p[b]!;
    state = out[nextStateName]!;
  }
  return results;
}

export interface SileroParallelOptions extends InContext {
  /** a file is cut into stretches of at least this many seconds (default 60); shorter files are one stretch */
  minStretchSec?: number;
  /** stretches per lane, run as one batch (default 16) */
  stretchesPerLane?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Start samples (multiples of 512, first 0) of `count` stretches of about equal length. Each inner cut
 * is moved, within 2 s of its even position, to the middle of the quietest 256 ms, so a fresh Silero
 * state starts where speech is least likely.
 */
export function planSileroStretches(samples: Float32Array, count: number): number[] {
  const frames = Math.ceil(samples.length / SILERO_FRAME_SAMPLES);
  const n = Math.max(1, Math.min(count, Math.floor(frames / 64)));
  const search = Math.round((2 * SILERO_SAMPLE_RATE) / SILERO_FRAME_SAMPLES);
  const span = 8;
  const energy = (f: number) => {
    let e = 0;
    const end = Math.min(samples.length, (f + 1) * SILERO_FRAME_SAMPLES);
    for (let i = f * SILERO_FRAME_SAMPLES; i < end; i++) e += samples[i]! * samples[i]!;
    return e;
  };
  const starts = [0];
  for (let k = 1; k < n; k++) {
    const even = Math.round((k * frames) / n);
    const lo = Math.max(starts.at(-1)! + 1, even - search);
    const hi = Math.min(frames - span, even + search);
    let best = even;
    let bestEnergy = Infinity;
    let windowEnergy = 0;
    for (let f = lo; f < lo + span; f++) windowEnergy += energy(f);
    for (let f = lo; f <= hi; f++) {
      if (windowEnergy < bestEnergy) {
        bestEnergy = windowEnergy;
        best = f + span / 2;
      }
      windowEnergy += energy(f + span) - energy(f);
    }
    starts.push(best);
  }
  return starts.map((f) => f * SILERO_FRAME_SAMPLES);
}

/**
 * Silero over a long file in independent stretches, the context's lanes (threads) at once, each lane running
 * its stretches as one batch: ceil(samples.length / 512) probabilities, as `sileroSpeechProbabilities`.
 * Every stretch starts from a fresh state, as a separate file would; Silero's state carries minutes of
 * memory, so frames after a cut differ from a single sequential pass, which is not more right: on the
 * AMI fixtures repeated, fresh states miss less speech (BENCHMARKS.md, End-to-end speed).
 */
export async function sileroSpeechProbabilitiesParallel(samples16k: Float32Array, options: SileroParallelOptions = {}): Promise<Float32Array> {
  const { minStretchSec = 60, stretchesPerLane = 16, onProgress } = options;
  const context = options.context ?? defaultContext();
  const durationSec = samples16k.length / SILERO_SAMPLE_RATE;
  const laneLimit = context.lanes;
  const count = Math.max(1, Math.min(laneLimit * stretchesPerLane, Math.floor(durationSec / minStretchSec)));
  const starts = planSileroStretches(samples16k, count);
  const stretches = starts.map((s, i) => samples16k.subarray(s, starts[i + 1] ?? samples16k.length));
  const lanes = Math.min(laneLimit, stretches.length);
  const workers = context.workerLanes(lanes - 1);
  // Contiguous groups of stretches, one group per lane; lane 0 runs here.
  const groups = Array.from({ length: workers.length + 1 }, (_, g) =>
    stretches.slice(Math.round((g * stretches.length) / (workers.length + 1)), Math.round(((g + 1) * stretches.length) / (workers.length + 1))),
  );
  let done = 0;
  const total = Math.ceil(samples16k.length / SILERO_FRAME_SAMPLES);
  const track = (parts: Float32Array[]) => {
    done += parts.reduce((n, p) => n + p.length, 0);
    onProgress?.(done, total);
    return parts;
  };
  const results: Float32Array[][] = [];
  // The workers' requests first, so that they run while this thread runs its own group.
  const runs = [
    ...workers.map((worker, i) => async () => {
      const copies = groups[i + 1]!.map((s) => s.slice());
      results[i + 1] = track(await worker.request({ kind: "silero", stretches: copies }, copies.map((c) => c.buffer as ArrayBuffer)));
    }),
    async () => {
      results[0] = track(await sileroStretchProbabilities(groups[0]!, { context }));
    },
  ];
  try {
    // One request per lane: an abort (from onProgress) waits for the others' to end.
    await runBatchLoops(runs, () => {});
  } catch (error) {
    if (workers.length === 0 || !workers.some((w) => w.failed)) throw error;
    // A worker could not run at all: everything in this thread from now on.
    context.disableWorkerLanes();
    return sileroSpeechProbabilitiesParallel(samples16k, { ...options, context });
  }
  const probabilities = new Float32Array(total);
  let at = 0;
  for (const part of results.flat()) {
    probabilities.set(part, at);
    at += part.length;
  }
  return probabilities;
}
