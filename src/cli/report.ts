/** @module How senko's commands speak on stderr: one line per message, no stack unless SENKO_DEBUG is set. */
import { oneLine, SenkoError } from "../errors.ts";

/** `line` on stderr after "senko: ". */
export function sayOnStderr(line: string): void {
  process.stderr.write(`senko: ${line}\n`);
}

/** One line, no stack: the message of a SenkoError, or a short note for anything unexpected. */
function describe(error: unknown): string {
  if (error instanceof SenkoError) return oneLine(error.message);
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `internal error: ${text.split("\n")[0]} (run with SENKO_DEBUG=1 for details)`;
}

/** `error` as one line on stderr, and in full after it with SENKO_DEBUG. */
export function reportError(error: unknown): void {
  sayOnStderr(describe(error));
  if (process.env.SENKO_DEBUG) console.error(error);
}
