/** @module Timed words, the common form every transcript reader produces. */

/**
 * A word and its time in seconds. `text` is as the source has it, with the space that separates it
 * from the previous word ("␣Hello,"): joining words' texts gives the sentence back, in languages with
 * spaces and without.
 */
export interface TimedWord {
  /** the word, with the spacing the source gave it */
  text: string;
  /** seconds from the start of the audio */
  start: number;
  /** seconds from the start of the audio */
  end: number;
}

/** Where a reader found the words and how they were timed. */
export interface Transcript {
  /** the format the words were read from */
  format: TranscriptFormat;
  /** sorted by start */
  words: TimedWord[];
  /** words whose times the source did not give: spread over their segment or cue by length */
  estimated: number;
}

/** A transcript format `readTranscript` reads (found from the content, not the name). */
export type TranscriptFormat = "whisper.cpp-json" | "whisper-json" | "faster-whisper-json" | "srt" | "vtt";

/**
 * The words of `text` spread over [start, end] in proportion to their length, for sources that time
 * a segment or cue but not its words.
 */
export function spreadWords(text: string, start: number, end: number): TimedWord[] {
  const parts = text.split(/\s+/).filter((w) => w !== "");
  const total = parts.reduce((sum, w) => sum + w.length, 0);
  const span = Math.max(0, end - start);
  let done = 0;
  return parts.map((w) => {
    const from = start + (span * done) / total;
    done += w.length;
    return { text: ` ${w}`, start: from, end: start + (span * done) / total };
  });
}

/**
 * Gives words that lack a time (NaN) one between their neighbours: from the previous word's end (or
 * `start`) to the next timed word's start (or `end`), shared by the untimed words in a row.
 * Returns how many were filled.
 */
export function fillMissingTimes(words: TimedWord[], start: number, end: number): number {
  let filled = 0;
  for (let i = 0; i < words.length; ) {
    if (Number.isFinite(words[i]!.start) && Number.isFinite(words[i]!.end)) {
      i++;
      continue;
    }
    let j = i;
    while (j < words.length && !(Number.isFinite(words[j]!.start) && Number.isFinite(words[j]!.end))) j++;
    const from = i > 0 ? words[i - 1]!.end : start;
    const to = Math.max(from, j < words.length ? words[j]!.start : end);
    const step = (to - from) / (j - i);
    for (let k = i; k < j; k++) words[k] = { text: words[k]!.text, start: from + step * (k - i), end: from + step * (k - i + 1) };
    filled += j - i;
    i = j;
  }
  return filled;
}

/** Sorted by start (stable), ends never before starts. */
export function tidy(words: TimedWord[]): TimedWord[] {
  return words.map((w) => (w.end < w.start ? { ...w, end: w.start } : w)).sort((a, b) => a.start - b.start);
}
