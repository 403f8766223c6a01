/** @module A flag's string value checked and converted, or a UsageError naming the flag. */
import { checkModelsDir } from "../../models/directories.ts";
import { defaultCacheDir } from "../../models/fetch.ts";
import { UsageError } from "../errors.ts";
import { nameInAnyCase } from "../option-names.ts";

export function wholeNumber(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : "";
    throw new UsageError(`--${name} takes a whole number${range}, got "${value}"`);
  }
  return n;
}

export function fraction(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(x > 0 && x <= 1)) throw new UsageError(`--${name} takes a number in (0, 1], got "${value}"`);
  return x;
}

/** A number of seconds above 0, or "off" (Infinity: nothing is that long). */
export function secondsOrOff(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.toLowerCase() === "off") return Infinity;
  const x = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(x > 0)) throw new UsageError(`--${name} takes a number of seconds above 0 or "off", got "${value}"`);
  return x;
}

/** `value` as `allowed` writes it, in any case (`--format RTTM`, `--device CPU`). */
export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const found = nameInAnyCase(value, allowed);
  if (found === undefined) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  return found;
}

/**
 * A folder of model files (--models-dir, else SENKO_MODELS_DIR), refused at once when it cannot serve (see
 * models/directories.ts): the Diarizer would find out only after reading the inputs, a worker at its first job.
 */
export async function modelsDirectory(value: string | undefined): Promise<string | undefined> {
  // An empty SENKO_MODELS_DIR is unset, as resolveModel reads it.
  const dir = value ?? (process.env.SENKO_MODELS_DIR || undefined);
  if (dir !== undefined) await checkModelsDir(dir, value === undefined ? "SENKO_MODELS_DIR" : "--models-dir", defaultCacheDir());
  return value;
}
