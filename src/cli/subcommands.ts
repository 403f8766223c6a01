/** @module senko's subcommands, and the one a misspelt first argument most likely meant. */
import { existsSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { helpHint, nearestName } from "./parse.ts";

/** What `senko <word>` runs instead of diarizing a file named <word>. */
export const SUBCOMMANDS = ["attribute", "voice-print", "models", "submit", "worker", "status"] as const;

/**
 * A UsageError when `first` (the first argument) is no file but a plain word near a subcommand (`senko model`,
 * `senko sumbit`): it would otherwise be taken as an input and reported as a missing audio file, or its
 * subcommand's options as unknown ones. A name with a dot or a slash (`status.wav`) is a file's, and says so later.
 */
export function refuseMisspeltSubcommand(first: string | undefined, command: string): void {
  if (first === undefined || !/^[a-z][a-z_-]*$/i.test(first) || (SUBCOMMANDS as readonly string[]).includes(first) || existsSync(first)) return;
  const near = nearestName(first.toLowerCase(), SUBCOMMANDS);
  if (near !== undefined) throw new UsageError(`${first}: no such file or subcommand; did you mean ${command} ${near}? ${helpHint()}`);
}
