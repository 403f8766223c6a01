/** @module `--voice NAME=FILE` (repeatable): the Diarizer's `voices` option from the command line. */
import { existsSync, statSync } from "node:fs";
import { ConfigError, UsageError } from "../errors.ts";
import { checkVoiceName } from "../voices/voice-names.ts";
import type { Voices } from "../voices/voice-sources.ts";

const FORM = "--voice takes NAME=FILE: a name (letters, digits, _ - . ') and an audio clip of that speaker alone or a saved voice print .json";

/** The voices of the `--voice` values; a UsageError (one line) for a value that is not NAME=FILE of an existing file, or a name given twice. */
export function voiceFlags(values: readonly string[] | undefined): Voices | undefined {
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
    voices[name] = file;
  }
  return voices;
}
