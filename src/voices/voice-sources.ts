/**
 * @module The `voices` option: names and where each voice's print comes from (a print, its saved .json, or
 * audio of the speaker alone), checked when the Diarizer is made and turned into prints on first use.
 */
import type { AudioInput } from "../audio/index.ts";
import { AudioFormatError, ConfigError } from "../errors.ts";
import { checkVoiceName } from "./voice-names.ts";
import { checkVoicePrint, loadVoicePrint, type VoicePrint } from "./voice-print.ts";

/** A voice print, the path of one saved as .json, or audio of the speaker alone (any input `diarize` takes). */
export type VoiceSource = VoicePrint | AudioInput;

/** Known voices by name (`{ Alice: "alice.wav", Bob: bobPrint }`). */
export type Voices = Record<string, VoiceSource>;

const isPrint = (source: VoiceSource): source is VoicePrint => typeof source === "object" && source !== null && "vector" in source && "model" in source;
const isPrintFile = (source: VoiceSource): source is string => typeof source === "string" && source.toLowerCase().endsWith(".json");

/** A ConfigError for a `voices` option that cannot work (names, prints of another model); audio is read later. */
export function checkVoices(voices: unknown, pipeline: string): void {
  if (typeof voices !== "object" || voices === null || Array.isArray(voices)) {
    throw new ConfigError(`voices is an object of names and voice prints or audio ({ Alice: "alice.wav" }), got ${Array.isArray(voices) ? "an array" : JSON.stringify(voices)}`);
  }
  for (const [name, source] of Object.entries(voices)) {
    checkVoiceName(name);
    if (source === undefined || source === null || source === "") throw new ConfigError(`voices.${name}: a voice print, its .json, or audio of ${name} alone, got ${JSON.stringify(source)}`);
    if (isPrint(source)) checkVoicePrint(source, `voices.${name}`, pipeline);
  }
}

/**
 * Each voice's print: prints as given, saved ones loaded, audio enrolled by `enroll`, `onEnrolled(done, total)`
 * told after each clip (not before the first: the models load then, and their log lines would land on a bar
 * drawn before them). Unreadable audio of a voice is the option's fault, not an input's: a ConfigError (the CLI
 * goes on past a bad input, not past a bad option).
 */
export async function voicePrints(
  voices: Voices,
  pipeline: string,
  enroll: (input: AudioInput, name: string) => Promise<VoicePrint>,
  onEnrolled?: (done: number, total: number) => void,
): Promise<Map<string, VoicePrint>> {
  const prints = new Map<string, VoicePrint>();
  const clips = Object.values(voices).filter((source) => !isPrint(source) && !isPrintFile(source)).length;
  let done = 0;
  // One after another: enrolling runs the pipeline, which uses every lane already.
  for (const [name, source] of Object.entries(voices)) {
    const enrolled = async (audio: AudioInput) => {
      const print = await enroll(audio, typeof audio === "string" ? audio : `voices.${name}`).catch((error: unknown) => {
        throw error instanceof AudioFormatError ? new ConfigError(`voice print: ${error.message}`, { cause: error }) : error;
      });
      onEnrolled?.(++done, clips);
      return print;
    };
    prints.set(name, isPrint(source) ? source : isPrintFile(source) ? loadVoicePrint(source, pipeline) : await enrolled(source));
  }
  return prints;
}
