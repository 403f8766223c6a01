/** @module A flag's string value checked and converted, or a UsageError naming the flag. */
import { checkModelsDir } from "../../models/fetch.ts";
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

/** A folder of model files (--models-dir), refused at once when it is not a directory: the Diarizer would find out only after reading the inputs. */
export async function modelsDirectory(value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  await checkModelsDir(value, "--models-dir");
  return value;
}
