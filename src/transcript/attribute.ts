/**
 * @module Who said what: each word of a transcript gets the speaker whose turn it overlaps most, in the
 * exclusive view of the diarization (one speaker at any instant); a word in a gap between turns gets
 * the nearest turn's speaker. Consecutive words of one speaker make a speaker turn.
 */
import { exclusiveSegmentsOf, exclusiveView } from "../output/exclusive.ts";
import type { Segment } from "../pipeline/segments.ts";
import type { ResultTurns } from "../types.ts";
import type { TimedWord, Transcript, TranscriptFormat } from "./words.ts";

/** A transcript's word with the speaker heard at its time. */
export interface AttributedWord extends TimedWord {
  /** null only when the diarization found no speaker at all */
  speaker: string | null;
}

/** Consecutive words of one speaker. */
export interface SpeakerTurn {
  /** null only when the diarization found no speaker at all */
  speaker: string | null;
  /** seconds: the first word's start */
  start: number;
  /** seconds: the last word's end */
  end: number;
  /** the words joined as the source spaced them */
  text: string;
  /** the words, each with its times */
  words: AttributedWord[];
}

/** A transcript's words attributed to a diarization's speakers, in turns (`attributeTranscript`). */
export interface AttributedTranscript {
  /** the format the transcript was read from */
  format: TranscriptFormat;
  /** words whose times the transcript did not give (spread over their segment or cue) */
  estimated: number;
  /** who said what, in time order */
  turns: SpeakerTurn[];
}

/** The first index whose segment ends after `t` (segments sorted and disjoint, so ends increase). */
function firstEndingAfter(segments: readonly Segment[], t: number): number {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.end > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function speakerOf(word: TimedWord, segments: readonly Segment[]): string | null {
  if (segments.length === 0) return null;
  const i = firstEndingAfter(segments, word.start);
  const overlap = new Map<string, number>();
  for (let j = i; j < segments.length && segments[j]!.start < word.end; j++) {
    const s = segments[j]!;
    const shared = Math.min(s.end, word.end) - Math.max(s.start, word.start);
    if (shared > 0) overlap.set(s.speaker, (overlap.get(s.speaker) ?? 0) + shared);
  }
  let best: string | null = null;
  let most = 0;
  for (const [speaker, seconds] of overlap) {
    if (seconds > most) [best, most] = [speaker, seconds];
  }
  if (best !== null) return best;
  // A point-like word inside a turn, or a word in a gap: the nearest turn (the earlier one on a tie).
  const next = segments[i];
  if (next && next.start <= word.start) return next.speaker;
  const previous = segments[i - 1];
  if (!next) return previous!.speaker;
  if (!previous) return next.speaker;
  return next.start - word.end < word.start - previous.end ? next.speaker : previous.speaker;
}

/** Each word with the speaker it overlaps most among `turns` (made exclusive first), or the nearest. */
export function attributeWords(words: readonly TimedWord[], turns: readonly Segment[]): AttributedWord[] {
  const segments = exclusiveView(turns);
  return words.map((w) => ({ ...w, speaker: speakerOf(w, segments) }));
}

/** Consecutive words of one speaker as one turn. */
export function speakerTurns(words: readonly AttributedWord[]): SpeakerTurn[] {
  const turns: SpeakerTurn[] = [];
  for (const word of words) {
    const last = turns.at(-1);
    if (last && last.speaker === word.speaker) {
      last.words.push(word);
      last.end = Math.max(last.end, word.end);
    } else turns.push({ speaker: word.speaker, start: word.start, end: word.end, text: "", words: [word] });
  }
  for (const turn of turns) turn.text = turn.words.map((w) => w.text).join("").trim();
  return turns;
}

/** A transcript's words attributed to a diarization result's speakers (its exclusive view), in turns. */
export function attributeTranscript(
  transcript: Transcript,
  result: ResultTurns,
): AttributedTranscript {
  return {
    format: transcript.format,
    estimated: transcript.estimated,
    turns: speakerTurns(attributeWords(transcript.words, exclusiveSegmentsOf(result))),
  };
}
