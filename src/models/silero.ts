/**
 * @module Silero VAD v5: speech probability of every 512-sample (32 ms) frame of 16 kHz audio, run
 * frame by frame as the official wrapper (silero_vad OnnxWrapper + get_speech_timestamps) does: a
 * recurrent state [2, 1, 128] starting at zero, each frame prefixed by the last 64 samples of the
 * previous model input (zeros before the first frame), and the last partial frame zero-padded.
 */
import * as ort from "onnxruntime-node";
import { loadModel, modelDefaults, type ModelOptions } from "./session.ts";

export const SILERO_SAMPLE_RATE = 16000;
export const SILERO_FRAME_SAMPLES = 512;
const CONTEXT_SAMPLES = 64;
const STATE_SIZE = 2 * 1 * 128;

/** One probability per 512-sample frame: ceil(samples.length / 512) values. */
export async function sileroSpeechProbabilities(
  samples16k: Float32Array,
  onProgress?: (done: number, total: number) => void,
  options: ModelOptions = modelDefaults(),
): Promise<Float32Array> {
  const { session } = await loadModel("silero-vad", options);
  const [inputName, stateName, rateName] = session.inputNames as [string, string, string];
  const [outputName, nextStateName] = session.outputNames as [string, string];
  const frames = Math.ceil(samples16k.length / SILERO_FRAME_SAMPLES);
  const probabilities = new Float32Array(frames);
  // One input buffer reused for every frame: [context (64) | frame (512)].
  const window = new Float32Array(CONTEXT_SAMPLES + SILERO_FRAME_SAMPLES);
  const input = new ort.Tensor("float32", window, [1, window.length]);
  const rate = new ort.Tensor("int64", BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE)), []);
  let state: ort.Tensor = new ort.Tensor("float32", new Float32Array(STATE_SIZE), [2, 1, 128]);
  const progressEvery = 1000;
  for (let f = 0; f < frames; f++) {
    // The new context is the tail of the previous input, i.e. of the previous frame.
    window.copyWithin(0, SILERO_FRAME_SAMPLES);
    const start = f * SILERO_FRAME_SAMPLES;
    const frame = samples16k.subarray(start, Math.min(start + SILERO_FRAME_SAMPLES, samples16k.length));
    window.set(frame, CONTEXT_SAMPLES);
    if (frame.length < SILERO_FRAME_SAMPLES) window.fill(0, CONTEXT_SAMPLES + frame.length);
    const out = await session.run({ [inputName]: input, [stateName]: state, [rateName]: rate });
    probabilities[f] = (out[outputName]!.data as Float32Array)[0]!;
    state = out[nextStateName]!;
    if (onProgress && ((f + 1) % progressEvery === 0 || f + 1 === frames)) onProgress(f + 1, frames);
  }
  return probabilities;
}
