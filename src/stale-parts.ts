/**
 * @module Temporary files ("parts") a writer renames into place once whole: each name carries a writer tag,
 * the process and the machine writing it, so that a part left by a writer killed mid-write (SIGKILL, a
 * crash) is told from one still being written, by another process or by another machine sharing the folder.
 */
import { readdir, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

/** The pattern of a writer tag in a part's name (for the patterns given to removeStaleParts). */
export const WRITER_TAG = String.raw`\d+@[\w.-]+`;

/** This process's writer tag: its pid and the machine's name. */
export function writerTag(): string {
  return `${process.pid}@${machine()}`;
}

const machine = () => hostname().replace(/[^\w.-]/g, "_");

/** True when process `pid` runs on this machine (another user's too: signalling it is refused, not failed). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/**
 * A part untouched this long is stale whoever wrote it (a pid may be reused, a machine renamed): a writer
 * writes to its part more often than this, or renames it sooner.
 */
const PART_STALE_MS = 10 * 60_000;

/**
 * Removes the parts in `dir` (the names `pattern` matches, its first group the writer tag) whose writer is a
 * process of this machine that no longer runs, or which are PART_STALE_MS old. A part another process
 * writes stays, here or on another machine.
 */
export async function removeStaleParts(dir: string, pattern: RegExp): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const tag = pattern.exec(name)?.[1];
    if (tag === undefined) continue;
    const path = join(dir, name);
    const modifiedMs = await stat(path).then((info) => info.mtimeMs, () => undefined);
    if (modifiedMs === undefined) continue;
    const [pid, host] = [Number(tag.slice(0, tag.indexOf("@"))), tag.slice(tag.indexOf("@") + 1)];
    if ((host === machine() && !processRuns(pid)) || Date.now() - modifiedMs > PART_STALE_MS) await rm(path, { force: true }).catch(() => undefined);
  }
}
