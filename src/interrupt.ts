/**
 * @module Ctrl-C (SIGINT) and SIGTERM during a command: one line on stderr, the temporary files of writes in
 * progress removed, then the process ends by that same signal, so a shell sees 130 / 143 and a script's loop
 * stops too. Handled in JS, a signal waits for a synchronous write in progress (writeFileAtomic's write and
 * rename): output files are either complete or absent, never cut short.
 */
import { rmSync, writeSync } from "node:fs";

/** Temporary paths that an asynchronous write (a model download) has open, removed if a signal ends the run. */
const pendingTemps = new Set<string>();

/**
 * Marks `paths` (files or directories) for removal should a signal end the process before the returned
 * function is called (by the write, once it has renamed or removed them itself).
 */
export function removeIfInterrupted(...paths: string[]): () => void {
  for (const path of paths) pendingTemps.add(path);
  return () => {
    for (const path of paths) pendingTemps.delete(path);
  };
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** What a signal that ends a run did, for the line it prints. */
export const interruption = (signal: NodeJS.Signals) => (signal === "SIGINT" ? "interrupted (Ctrl-C)" : `stopped by ${signal}`);

/**
 * Until the returned function is called, SIGINT and SIGTERM end the process: `line(signal)` (without
 * "senko: " or a newline) goes to stderr, the marked temporary paths are removed, and the signal is raised
 * again with its default action.
 */
export function endOnSignal(line: (signal: NodeJS.Signals) => string): () => void {
  const detach = () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
  const handler = (signal: NodeJS.Signals) => {
    detach();
    endBySignal(signal, line(signal));
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return detach;
}

/**
 * Ends the process by `signal` with its default action (no handler of it may be left): `line` (without
 * "senko: "), if any, to stderr, the marked temporary paths removed, then the signal raised again.
 */
export function endBySignal(signal: NodeJS.Signals, line?: string): void {
  // Synchronous: the signal raised below ends the process before an asynchronous write would flush.
  if (line !== undefined) writeSync(2, `senko: ${line}\n`);
  for (const path of pendingTemps) rmSync(path, { recursive: true, force: true });
  process.kill(process.pid, signal);
}
