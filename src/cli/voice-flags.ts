/**
 * @module `--voice NAME=FILE` (repeatable) and `--voice-threshold <x>`: the Diarizer's `voices` and
 * `voiceThreshold` options from the command line (`senko <audio>` and `senko submit`).
 */
import { existsSync, statSync } from "node:fs";
import type { DiarizerOptions } from "../diarizer.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { DEFAULT_PIPELINE, type PipelineName } from "../pipeline/registry.ts";
import { VOICE_MATCH_THRESHOLDS } from "../voices/name-speakers.ts";
import { checkVoiceName } from "../voices/voice-names.ts";
import { loadVoicePrint, type VoicePrint } from "../voices/voice-print.ts";
import type { Voices } from "../voices/voice-sources.ts";

/** Their parseArgs table. */
export const VOICE_FLAGS = {
  voice: { type: "string", multiple: true },
  "voice-threshold": { type: "string" },
} as const;

const FORM = "--voice takes NAME=FILE: a name (letters, digits, _ - . ') and an audio clip of that speaker alone or a saved voice print .json";

/**
 * The voices of the `--voice` values; a UsageError (one line) for a value that is not NAME=FILE of an existing
 * file, a name given twice, or a print of another pipeline than `pipeline` (`chosen`: given by --pipeline).
 */
function voiceFlags(values: readonly string[] | undefined, pipeline: PipelineName, chosen: boolean): Voices | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const voices: Voices = {};
  for (const value of values) {
    const at = value.indexOf("=");
    const name = value.slice(0, at);
    const file = value.slice(at + 1);
    if (at <= 0 || file === "") throw new UsageError(`${FORM}, got "${value}"`);
    try {
      checkVoiceName(name);
    } catch (error) {
      throw error instanceof ConfigError ? new UsageError(`--voice ${value}: ${error.message}`) : error;
    }
    if (Object.hasOwn(voices, name)) throw new UsageError(`--voice ${value}: ${name} is given twice`);
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`--voice ${value}: ${file}: no such file`);
    if (file.toLowerCase().endsWith(".json")) checkPrintPipeline(value, loadVoicePrint(file), pipeline, chosen);
    voices[name] = file;
  }
  return voices;
}

/** A print of another pipeline than the one that will run, refused in the flags' words (the Diarizer's would name itself). */
function checkPrintPipeline(value: string, print: VoicePrint, pipeline: PipelineName, chosen: boolean): void {
  if (print.pipeline === pipeline) return;
  const runs = chosen ? `--pipeline is ${pipeline}` : `the pipeline is ${pipeline} (the default)`;
  const fix = chosen ? `make the print with senko voice-print --pipeline ${pipeline}` : `add --pipeline ${print.pipeline}, or make the print with senko voice-print`;
  throw new UsageError(`--voice ${value}: a voice print of the ${print.pipeline} pipeline, but ${runs}, whose embeddings do not compare with it: ${fix}`);
}

/** `--voice-threshold`: a cosine similarity above -1 and at most 1, and only with `--voice`. */
function voiceThresholdFlag(value: string | undefined, voices: Voices | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!/^-?\d*\.?\d+$/.test(value) || !(x > -1 && x <= 1)) {
    const defaults = Object.entries(VOICE_MATCH_THRESHOLDS).map(([pipeline, threshold]) => `${threshold} ${pipeline}`);
    throw new UsageError(`--voice-threshold takes a cosine similarity above -1 and at most 1 (default ${defaults.join(", ")}), got "${value}"`);
  }
  if (voices === undefined) throw new UsageError("--voice-threshold goes with --voice: without voices it names nobody");
  return x;
}

/**
 * The Diarizer's `voices` and `voiceThreshold` from VOICE_FLAGS' values, each checked (a UsageError naming the
 * flag), for a run of `pipeline` (undefined: the default one).
 */
export function voiceOptions(values: { voice?: string[]; "voice-threshold"?: string }, pipeline: PipelineName | undefined): Pick<DiarizerOptions, "voices" | "voiceThreshold"> {
  const voices = voiceFlags(values.voice, pipeline ?? DEFAULT_PIPELINE, pipeline !== undefined);
  return { voices, voiceThreshold: voiceThresholdFlag(values["voice-threshold"], voices) };
}
