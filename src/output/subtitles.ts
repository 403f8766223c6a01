/**
 * @module SubRip (SRT) and WebVTT subtitles: one cue per speaker turn, named by its speaker (a WebVTT
 * voice span `<v SPEAKER_01>`), or the words a speaker said when a transcript is attributed.
 *
 * Overlap: cues come from the exclusive view (one speaker at any instant) by default, so no two cues
 * overlap and every player shows one at a time, in order. `view: "turns"` writes the turns as they are,
 * overlaps included: valid WebVTT (cues sorted by start may overlap), and SRT players show overlapping
 * cues stacked.
 */
import type { Segment } from "../pipeline/segments.ts";
import type { ResultTurns } from "../types.ts";
import { exclusiveSegmentsOf } from "./exclusive.ts";

/** A subtitle: `text` is shown, said by `speaker`; without text, the speaker's name is shown. */
export interface Cue {
  /** seconds from the start of the audio */
  start: number;
  /** seconds from the start of the audio */
  end: number;
  /** who says it */
  speaker: string;
  /** the words shown; without them, the speaker's name */
  text?: string;
}

/** "exclusive": one speaker at any instant, cues never overlap (the default); "turns": the turns as they are. */
export type SubtitleView = "exclusive" | "turns";

/** The options of `toSrt`, `toVtt` and `diarizationCues`. */
export interface SubtitleOptions {
  /** which turns become cues (default "exclusive": cues never overlap) */
  view?: SubtitleView;
}

/** One cue per turn of the chosen view, sorted by start. */
export function diarizationCues(result: ResultTurns, options: SubtitleOptions = {}): Cue[] {
  const turns: readonly Segment[] = options.view === "turns" ? result.mergedSegments : exclusiveSegmentsOf(result);
  return turns.map(({ start, end, speaker }) => ({ start, end, speaker }));
}

/** Whole milliseconds; cues are timed to the millisecond in both formats. */
function ms(seconds: number): number {
  return Math.max(0, Math.round(seconds * 1000));
}

function timestamp(millis: number, separator: "," | "."): string {
  const h = Math.floor(millis / 3_600_000);
  const m = Math.floor(millis / 60_000) % 60;
  const s = Math.floor(millis / 1000) % 60;
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${separator}${pad(millis % 1000, 3)}`;
}

/** `HH:MM:SS,mmm` (SRT; from 100 h on the hours take three digits or more, as ffmpeg writes and reads them). */
export function srtTimestamp(seconds: number): string {
  return timestamp(ms(seconds), ",");
}

/** `HH:MM:SS.mmm` (WebVTT, hours always written, in as many digits as they need). */
export function vttTimestamp(seconds: number): string {
  return timestamp(ms(seconds), ".");
}

/**
 * Cues in millisecond time, sorted by start (stable), without those that last less than a
 * millisecond once rounded (neither format allows a cue that ends where it starts) or have a time
 * that is not a finite number (no timestamp can say it).
 */
function timed(cues: readonly Cue[]): { start: number; end: number; cue: Cue }[] {
  return cues
    .map((cue) => ({ start: ms(cue.start), end: ms(cue.end), cue }))
    .filter((c) => c.end > c.start && Number.isFinite(c.end))
    .sort((a, b) => a.start - b.start);
}

/** Payload lines: no empty line (it would end the cue), no "-->" (it would read as a timing line). */
function payloadLines(text: string): string[] {
  return text
    .replaceAll("-->", "->")
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * SubRip: cues numbered from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, the text, a blank line. The text
 * reads `SPEAKER_01: words`, or just the speaker's name. SRT has no escapes; players read a few HTML
 * tags, so text is written as it is.
 */
export function writeSrt(cues: readonly Cue[]): string {
  return timed(cues)
    .map(({ start, end, cue }, i) => {
      // The name starts a payload line too: one line, no "-->".
      const name = payloadLines(cue.speaker).join(" ") || "?";
      const [first, ...rest] = payloadLines(cue.text ?? "");
      const lines = first === undefined ? [name] : [`${name}: ${first}`, ...rest];
      return `${i + 1}\n${timestamp(start, ",")} --> ${timestamp(end, ",")}\n${lines.join("\n")}\n`;
    })
    .join("\n");
}

/** WebVTT text: `&` and `<` start markup, `>` is escaped too so that no "-->" can appear. */
function escapeVtt(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * WebVTT: the `WEBVTT` header, then per cue `HH:MM:SS.mmm --> HH:MM:SS.mmm` and a voice span
 * `<v SPEAKER_01>text</v>` whose text is the words, or the speaker's name.
 */
export function writeVtt(cues: readonly Cue[]): string {
  const blocks = timed(cues).map(({ start, end, cue }) => {
    // The annotation may hold any character but LF, CR, "&" and ">" (escaped); it must not be blank.
    const name = cue.speaker.replace(/[\r\n]+/g, " ").trim() || "?";
    const words = payloadLines(cue.text ?? "");
    const lines = (words.length ? words : payloadLines(name)).map(escapeVtt);
    return `${timestamp(start, ".")} --> ${timestamp(end, ".")}\n<v ${escapeVtt(name)}>${lines.join("\n")}</v>\n`;
  });
  return ["WEBVTT\n", ...blocks].join("\n");
}

/** The diarization as SRT: one cue per turn (see SubtitleOptions for overlapping turns). */
export function toSrt(result: ResultTurns, options: SubtitleOptions = {}): string {
  return writeSrt(diarizationCues(result, options));
}

/** The diarization as WebVTT: one cue per turn, voice-tagged with the speaker. */
export function toVtt(result: ResultTurns, options: SubtitleOptions = {}): string {
  return writeVtt(diarizationCues(result, options));
}
