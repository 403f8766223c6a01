/**
 * @module Options a function does not read are refused. Bun runs TypeScript without checking its types, so a
 * misspelt option (`channel: 2` for `channels`, `numSpeaker`) would otherwise be dropped without a word, and
 * its default used: stereo samples read as mono of twice the length.
 */
import { ConfigError } from "./errors.ts";

/** Throws a ConfigError naming the keys of `options` (given, not undefined) that `names` lacks; `what` names the type. */
export function refuseUnknownOptions(options: object, names: Readonly<Record<string, true>>, what: string): void {
  const unknown = Object.entries(options).filter(([key, value]) => value !== undefined && !Object.hasOwn(names, key));
  if (unknown.length > 0) throw new ConfigError(`unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map(([key]) => key).join(", ")} (see ${what})`);
}

/** `value` as `names` write it, whatever its case (`RTTM`, `Json`: what a user types for `rttm`, `json`), or undefined. */
export function nameInAnyCase<T extends string>(value: string, names: readonly T[]): T | undefined {
  const lower = value.toLowerCase();
  return names.find((name) => name.toLowerCase() === lower);
}

/** Option `key`'s `value` as `names` write it, whatever its case; a ConfigError naming the choices for anything else. */
export function spellChoice<T extends string>(key: string, value: unknown, names: readonly T[]): T {
  const name = typeof value === "string" ? nameInAnyCase(value, names) : undefined;
  if (name === undefined) throw new ConfigError(`${key} must be one of ${names.join(", ")}, got ${JSON.stringify(value)}`);
  return name;
}
