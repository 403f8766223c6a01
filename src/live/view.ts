/**
 * @module What `senko --live` shows while it listens: on a terminal, the latest turns redrawn in place
 * (final ones plain, those that may still change marked); elsewhere (a pipe, a file), one line per turn
 * as it becomes final, each written once.
 */
import { clock, turnLine } from "../output/clock.ts";
import type { LiveSnapshot } from "./session.ts";

export interface LiveDisplay {
  /** shows a snapshot (the terminal view may skip one that comes too soon after the last) */
  show(snapshot: LiveSnapshot): void;
  /** the end: the session's last snapshot, after close (every turn final) */
  end(snapshot: LiveSnapshot): void;
}

/** One line per turn once it is final; at the end, the turns that became final at the close. */
export class SettledLines implements LiveDisplay {
  readonly #write: (text: string) => void;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  show(snapshot: LiveSnapshot): void {
    if (snapshot.settled.length > 0) this.#write(snapshot.settled.map((t) => `${turnLine(t)}\n`).join(""));
  }

  end(snapshot: LiveSnapshot): void {
    this.show(snapshot);
  }
}

export interface TerminalViewOptions {
  write: (text: string) => void;
  columns?: number;
  rows?: number;
  /** milliseconds between redraws (default 250) */
  interval?: number;
  now?: () => number;
}

/** The latest turns, redrawn in place: a status line, then as many turns as the terminal has rows for. */
export class TerminalView implements LiveDisplay {
  readonly #options: Required<TerminalViewOptions>;
  #drawn = 0;
  #last = -Infinity;
  /** the latest snapshot shown or skipped, drawn again under a note */
  #latest: LiveSnapshot | undefined;

  constructor(options: TerminalViewOptions) {
    this.#options = { columns: 80, rows: 24, interval: 250, now: () => performance.now(), ...options };
    this.#options.columns ||= 80;
    this.#options.rows ||= 24;
  }

  show(snapshot: LiveSnapshot): void {
    this.#latest = snapshot;
    const now = this.#options.now();
    if (now - this.#last < this.#options.interval) return;
    this.#last = now;
    this.#draw(snapshot, false);
  }

  /**
   * `line` (a message in the session, e.g. that a file stopped growing) above the view, drawn again under it.
   * Written between two redraws, it would push the view down by its lines, which the next redraw does not go
   * back over: the old status line stayed, and the line itself was cleared.
   */
  note(line: string): void {
    this.#options.write(`${this.#back()}${line}\n`);
    this.#drawn = 0;
    if (this.#latest) this.#draw(this.#latest, false);
  }

  end(snapshot: LiveSnapshot): void {
    this.#draw(snapshot, true);
  }

  #draw(snapshot: LiveSnapshot, done: boolean): void {
    const { columns, rows, write } = this.#options;
    const fit = (text: string) => (text.length > columns - 1 ? text.slice(0, columns - 1) : text);
    const speakers = `${snapshot.speakers.length} speaker${snapshot.speakers.length === 1 ? "" : "s"}`;
    const facts = `${done ? "ended" : "live"}: ${clock(snapshot.durationSec)} heard, ${speakers}${done ? "" : `, final to ${clock(snapshot.finalSec)}`}`;
    // The hint goes when the terminal is too narrow for it: the times stay whole.
    const hint = "  (~ may still change)";
    const status = done || facts.length + hint.length > columns - 1 ? facts : facts + hint;
    const room = Math.max(1, Math.min(rows - 2, 30));
    const turns = snapshot.turns.slice(-room).map((t) => fit(`${t.final || done ? " " : "~"} ${turnLine(t)}`));
    write(`${this.#back()}${fit(status)}\n${turns.map((t) => `${t}\n`).join("")}`);
    this.#drawn = 1 + turns.length;
  }

  /** Back to the first line drawn and clear to the end of the screen (nothing before the first drawing). */
  #back(): string {
    return this.#drawn > 0 ? `\x1b[${this.#drawn}F\x1b[J` : "";
  }
}
