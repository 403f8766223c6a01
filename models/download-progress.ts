/**
 * @module The progress line of a model download: `senko: campplus  12.3 / 28.3 MB  43%`. On a terminal it is
 * one line redrawn in place (at most every `intervalMs`) and ended when the download is; elsewhere (a log,
 * a pipe) a line is written at each quarter, so a log shows the download moving without filling up.
 */
import type { ModelId } from "./manifest.ts";

export interface DownloadProgressOptions {
  write: (text: string) => void;
  /** redraw one line in place (a terminal) */
  tty: boolean;
  /** prefix of every line (default "senko: ") */
  prefix?: string;
  intervalMs?: number;
  now?: () => number;
}

const MB = 1e6;

/** A callback for resolveModel's `onProgress`. */
export function downloadProgress(options: DownloadProgressOptions): (id: ModelId, receivedBytes: number, totalBytes: number | undefined) => void {
  const { write, tty, prefix = "senko: ", intervalMs = 100, now = () => performance.now() } = options;
  let current = "";
  let lastDraw = -Infinity;
  let lastQuarter = -1;
  let open = false;
  return (id, received, total) => {
    if (id !== current) {
      if (open) write("\n");
      current = id;
      lastDraw = -Infinity;
      lastQuarter = -1;
      open = false;
    }
    const done = total !== undefined && received >= total;
    const amount = total ? `${(received / MB).toFixed(1)} / ${(total / MB).toFixed(1)} MB  ${String(Math.floor((100 * received) / total)).padStart(3)}%` : `${(received / MB).toFixed(1)} MB`;
    const line = `${prefix}downloading ${id}  ${amount}`;
    if (tty) {
      const t = now();
      if (!done && t - lastDraw < intervalMs) return;
      lastDraw = t;
      write(`\r${line}`);
      open = !done;
      if (done) write("\n");
      return;
    }
    const quarter = total ? Math.floor((4 * received) / total) : 0;
    if (quarter === lastQuarter) return;
    lastQuarter = quarter;
    write(`${line}\n`);
  };
}
