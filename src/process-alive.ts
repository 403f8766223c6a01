/** @module Whether a process of this machine still runs: what tells a temporary file's writer killed mid-write from one still writing. */

/** True when process `pid` runs here (another user's too: signalling it is refused, not failed). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
