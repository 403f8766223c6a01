/** @module A one-line progress bar per pipeline stage, for a terminal (the CLI draws it on stderr). */
import type { Progress } from "../diarizer.ts";

export interface ProgressBarOptions {
  /** where the text goes (e.g. `(s) => process.stderr.write(s)`) */
  write: (text: string) => void;
  /** columns of the terminal (the line is cut to fit; default 80, also when 0 or unknown) */
  columns?: number;
  /** milliseconds between redraws of the same stage (default 80); a stage's first and last state always draw */
  interval?: number;
  now?: () => number;
}

/** Columns of the stage name: the longest stage that reports progress, `segmentation`, so the bars line up. */
const STAGE_COLUMN = 12;

/**
 * Draws `label  stage [#####.....]  42%` on one line, redrawn in place with `\r`, and clears it
 * with `done()` so that the next output starts on a clean line. Redraws are rate-limited: the VAD
 * reports progress many times a second.
 */
export class ProgressBar {
  #label = "";
  #line = "";
  #stage = "";
  #last = -Infinity;
  readonly #options: Required<ProgressBarOptions>;

  constructor(options: ProgressBarOptions) {
    this.#options = { write: options.write, columns: options.columns || 80, interval: options.interval ?? 80, now: options.now ?? (() => performance.now()) };
  }

  /** Starts a new input, e.g. "[2/5] meeting.wav". */
  start(label: string): void {
    this.#label = label;
    this.#stage = "";
  }

  update({ stage, done, total }: Progress): void {
    const now = this.#options.now();
    const finished = done >= total;
    if (stage === this.#stage && !finished && now - this.#last < this.#options.interval) return;
    this.#stage = stage;
    this.#last = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const width = 24;
    const filled = Math.round(width * fraction);
    const bar = `${stage.padEnd(STAGE_COLUMN)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
    const room = Math.max(10, this.#options.columns - bar.length - 3);
    const label = this.#label.length > room ? `...${this.#label.slice(-(room - 3))}` : this.#label;
    this.#draw(`${label}  ${bar}`);
  }

  /** Clears the line. */
  done(): void {
    if (this.#line) this.#options.write(`\r${" ".repeat(this.#line.length)}\r`);
    this.#line = "";
  }

  #draw(line: string): void {
    if (line === this.#line) return;
    // Pad over the rest of a longer previous line.
    this.#options.write(`\r${line.padEnd(this.#line.length)}`);
    this.#line = line;
  }
}
