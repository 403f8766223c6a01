/**
 * @module A speaker-attributed transcript as text, SRT, WebVTT or JSON. Subtitles split long turns
 * into cues a reader can take in: at most two lines of 42 characters and 7 seconds each.
 */
import { clock } from "../output/clock.ts";
import { writeSrt, writeVtt, type Cue } from "../output/subtitles.ts";
import type { AttributedTranscript, SpeakerTurn } from "./attribute.ts";

/** The name written for words that no speaker was found for (a diarization without speakers). */
export const NO_SPEAKER = "UNKNOWN";

export type TranscriptOutputFormat = "text" | "srt" | "vtt" | "json";

const LINE_CHARS = 42;
const CUE_SECONDS = 7;

/** `hh:mm:ss.ss - hh:mm:ss.ss  SPEAKER_01: words`, a line per speaker turn. */
export function transcriptToText(transcript: AttributedTranscript): string {
  return transcript.turns.map((t) => `${clock(t.start)} - ${clock(t.end)}  ${t.speaker ?? NO_SPEAKER}: ${t.text}\n`).join("");
}

/** Text of more than one line's worth broken in two at the space nearest the middle. */
function twoLines(text: string): string {
  if (text.length <= LINE_CHARS) return text;
  const middle = text.length / 2;
  let best = -1;
  for (let i = text.indexOf(" "); i >= 0; i = text.indexOf(" ", i + 1)) if (best < 0 || Math.abs(i - middle) < Math.abs(best - middle)) best = i;
  return best < 0 ? text : `${text.slice(0, best)}\n${text.slice(best + 1)}`;
}

/** Cues of at most 2 x 42 characters and 7 s, never across a change of speaker, never overlapping. */
export function transcriptCues(transcript: AttributedTranscript): Cue[] {
  const cues: Cue[] = [];
  const emit = (turn: SpeakerTurn, words: SpeakerTurn["words"]) => {
    const text = words.map((w) => w.text).join("").trim();
    if (text) cues.push({ start: words[0]!.start, end: Math.max(...words.map((w) => w.end)), speaker: turn.speaker ?? NO_SPEAKER, text: twoLines(text) });
  };
  for (const turn of transcript.turns) {
    let piece: SpeakerTurn["words"] = [];
    for (const word of turn.words) {
      const longer = piece.length > 0 && (piece.map((w) => w.text).join("").trim().length + word.text.length > 2 * LINE_CHARS || word.end - piece[0]!.start > CUE_SECONDS);
      if (longer) {
        emit(turn, piece);
        piece = [];
      }
      piece.push(word);
    }
    if (piece.length) emit(turn, piece);
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

export function formatTranscript(transcript: AttributedTranscript, format: TranscriptOutputFormat, source?: string): string {
  switch (format) {
    case "text":
      return transcriptToText(transcript);
    case "srt":
      return writeSrt(transcriptCues(transcript));
    case "vtt":
      return writeVtt(transcriptCues(transcript));
    case "json":
      return transcriptToJson(transcript, source);
  }
}
