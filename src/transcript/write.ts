/**
 * @module A speaker-attributed transcript as text, SRT, WebVTT or JSON. Subtitles split long turns
 * into cues a reader can take in: at most two lines of 42 characters and 7 seconds each.
 */
import { ConfigError } from "../errors.ts";
import { nameInAnyCase } from "../option-names.ts";
import { clock } from "../output/clock.ts";
import { writeSrt, writeVtt, type Cue } from "../output/subtitles.ts";
import type { AttributedTranscript, AttributedWord } from "./attribute.ts";

/** The name written for words that no speaker was found for (a diarization without speakers). */
export const NO_SPEAKER = "UNKNOWN";

/** The formats a transcript is written in, and each one's file extension. */
export const TRANSCRIPT_FORMATS = { text: "txt", srt: "srt", vtt: "vtt", json: "json" } as const;
/** A format `formatTranscript` writes: text, srt, vtt or json. */
export type TranscriptOutputFormat = keyof typeof TRANSCRIPT_FORMATS;
const TRANSCRIPT_OUTPUT_FORMATS = Object.keys(TRANSCRIPT_FORMATS) as TranscriptOutputFormat[];

const LINE_CHARS = 42;
const CUE_SECONDS = 7;

/** `hh:mm:ss.ss - hh:mm:ss.ss  SPEAKER_01: words`, a line per speaker turn. */
export function transcriptToText(transcript: AttributedTranscript): string {
  return transcript.turns.map((t) => `${clock(t.start)} - ${clock(t.end)}  ${t.speaker ?? NO_SPEAKER}: ${t.text}\n`).join("");
}

/** SRT shows `SPEAKER_01: ` before a cue's first line; a long name counts for at most half a line. */
const srtIndent = (speaker: string) => Math.min(speaker.length + 2, LINE_CHARS / 2);

/**
 * `text` in at most two lines of LINE_CHARS, the first `indent` characters shorter, broken at the
 * space that makes the longer line shortest; undefined when it does not fit.
 */
function twoLines(text: string, indent: number): string | undefined {
  if (indent + text.length <= LINE_CHARS) return text;
  let best: string | undefined;
  let longest = Infinity;
  for (let i = text.indexOf(" "); i >= 0; i = text.indexOf(" ", i + 1)) {
    const longer = Math.max(indent + i, text.length - i - 1);
    if (longer <= LINE_CHARS && longer < longest) [best, longest] = [`${text.slice(0, i)}\n${text.slice(i + 1)}`, longer];
  }
  return best;
}

export interface TranscriptCueOptions {
  /** lines are counted with the `SPEAKER_01: ` that SRT writes before the first one */
  speakerPrefix?: boolean;
}

/**
 * Cues of at most two lines of 42 characters (a word longer than that alone in its cue) and 7 s,
 * never across a change of speaker, never overlapping.
 */
export function transcriptCues(transcript: AttributedTranscript, options: TranscriptCueOptions = {}): Cue[] {
  const cues: Cue[] = [];
  const textOf = (words: readonly AttributedWord[]) => words.map((w) => w.text).join("").trim();
  for (const turn of transcript.turns) {
    const speaker = turn.speaker ?? NO_SPEAKER;
    const indent = options.speakerPrefix ? srtIndent(speaker) : 0;
    const emit = (words: readonly AttributedWord[]) => {
      const text = textOf(words);
      if (text) cues.push({ start: words[0]!.start, end: Math.max(...words.map((w) => w.end)), speaker, text: twoLines(text, indent) ?? text });
    };
    let piece: AttributedWord[] = [];
    for (const word of turn.words) {
      if (piece.length > 0 && (word.end - piece[0]!.start > CUE_SECONDS || twoLines(textOf([...piece, word]), indent) === undefined)) {
        emit(piece);
        piece = [];
      }
      piece.push(word);
    }
    if (piece.length) emit(piece);
  }
  // Word times can overlap a little at a change of speaker: a cue ends where the next one starts.
  for (let i = 0; i + 1 < cues.length; i++) {
    const next = cues[i + 1]!;
    if (cues[i]!.end > next.start && next.start > cues[i]!.start) cues[i]!.end = next.start;
  }
  return cues;
}

const r3 = (t: number) => Math.round(t * 1000) / 1000;

/** `{ format, estimatedWordTimes, speakers, turns: [{ speaker, start, end, text, words: [{ start, end, text }] }] }` */
export function transcriptJson(transcript: AttributedTranscript) {
  return {
    format: transcript.format,
    estimatedWordTimes: transcript.estimated,
    speakers: [...new Set(transcript.turns.map((t) => t.speaker ?? NO_SPEAKER))],
    turns: transcript.turns.map((t) => ({
      speaker: t.speaker ?? NO_SPEAKER,
      start: r3(t.start),
      end: r3(t.end),
      text: t.text,
      words: t.words.map((w) => ({ start: r3(w.start), end: r3(w.end), text: w.text.trim() })),
    })),
  };
}

/** The JSON of `transcriptJson`, with `transcript` naming the source file when given. */
export function transcriptToJson(transcript: AttributedTranscript, source?: string): string {
  return `${JSON.stringify({ ...(source ? { transcript: source } : {}), ...transcriptJson(transcript) }, null, 2)}\n`;
}

/** `transcript` written in `format` (any case: `"SRT"`); a ConfigError for a format it is not written in. */
export function formatTranscript(transcript: AttributedTranscript, named: TranscriptOutputFormat, source?: string): string {
  const format = typeof named === "string" ? nameInAnyCase(named, TRANSCRIPT_OUTPUT_FORMATS) : undefined;
  if (format === undefined) throw new ConfigError(`a transcript's format must be one of ${TRANSCRIPT_OUTPUT_FORMATS.join(", ")}, got ${JSON.stringify(named)}`);
  switch (format) {
    case "text":
      return transcriptToText(transcript);
    case "srt":
      return writeSrt(transcriptCues(transcript, { speakerPrefix: true }));
    case "vtt":
      return writeVtt(transcriptCues(transcript));
    case "json":
      return transcriptToJson(transcript, source);
  }
}
