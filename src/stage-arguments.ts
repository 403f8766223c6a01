/**
 * @module What the exported stage functions check of their arguments. Bun runs TypeScript without checking its
 * types: a plain array of samples gave no speech, and `detectSpeech(samples, { sampleRate: 44100 })` (it takes
 * 16 kHz samples only) the wrong speech, without a word.
 */
import { ConfigError } from "./errors.ts";
import { refuseUnknownOptions } from "./option-names.ts";

/** A value as a message names its kind: `an array`, `null`, `Float64Array`, `string`. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return typeof value;
}

/** A ConfigError unless `samples` is a Float32Array (16 kHz mono, as readAudio gives them). */
export function requireSamples(samples: unknown, stage: string): asserts samples is Float32Array {
  if (!(samples instanceof Float32Array)) {
    throw new ConfigError(`${stage} takes 16 kHz mono samples as a Float32Array (readAudio gives them), got ${kindOf(samples)}`);
  }
}

/** A ConfigError for options that are not an object, or for a key `names` lacks (`what` names their type). */
export function requireOptions(options: unknown, names: Readonly<Record<string, true>>, what: string): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new ConfigError(`the options are an object (${what}), got ${kindOf(options)}`);
  refuseUnknownOptions(options, names, what);
}
