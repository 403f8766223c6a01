/** @module The `hh:mm:ss.ss` times of the text outputs. */

/** `hh:mm:ss.ss`, rounded to the hundredth first (59.999 s is 00:01:00.00, not 00:00:60.00). */
export function clock(seconds: number): string {
  const cs = Math.round(Math.max(0, seconds) * 100);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(cs / 360_000))}:${pad(Math.floor(cs / 6000) % 60)}:${pad(Math.floor(cs / 100) % 60)}.${pad(cs % 100)}`;
}

/** A speaker turn as every text senko writes for a reader shows it: `hh:mm:ss.ss - hh:mm:ss.ss  SPEAKER_01`. */
export const turnLine = (turn: { start: number; end: number; speaker: string }): string => `${clock(turn.start)} - ${clock(turn.end)}  ${turn.speaker}`;
