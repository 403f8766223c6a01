/** @module Checking many inputs before any is used: a few at once, each problem kept with its input. */
import { AudioFormatError } from "../errors.ts";

/** How many inputs are probed at once: a probe of a file that is not WAV runs ffmpeg (about 0.1 s). */
const PROBES_AT_ONCE = 4;

/**
 * Runs `probe` on every input, `atOnce` at a time, and returns each input's AudioFormatError (undefined: none),
 * in input order; any other error rejects.
 */
export async function probeEach<T>(inputs: readonly T[], probe: (input: T) => Promise<unknown>, atOnce = PROBES_AT_ONCE): Promise<(AudioFormatError | undefined)[]> {
  const problems: (AudioFormatError | undefined)[] = inputs.map(() => undefined);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < inputs.length; i = next++) {
      try {
        await probe(inputs[i] as T);
      } catch (error) {
        if (!(error instanceof AudioFormatError)) throw error;
        problems[i] = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, inputs.length) }, lane));
  return problems;
}
