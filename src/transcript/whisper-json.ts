/**
 * @module Whisper's JSON transcripts, in the three shapes found in the wild:
 * - whisper.cpp `-ojf` (`--output-json-full`): `{ transcription: [{ offsets: { from, to } (ms), text,
 *   tokens: [{ text, offsets, id, p, t_dtw }] }] }`; tokens are BPE pieces (a leading space starts a
 *   word), special tokens read `[_BEG_]`, `[_TT_150]`...; `-ojf` turns on token timestamps. Plain `-oj`
 *   has no tokens: its segments' words are spread.
 * - openai-whisper `--output_format json` (`--word_timestamps True`): `{ text, segments: [{ start, end,
 *   text, words: [{ word, start, end, probability }] }], language }`; faster-whisper segments turned into
 *   dicts (`_asdict()`, `dataclasses.asdict`) have the same fields; WhisperX adds words without times.
 * - faster-whisper segments dumped as they are: `json.dumps(list(segments))` writes each NamedTuple as
 *   an array in field order (`id, seek, start, end, text, tokens, avg_logprob, compression_ratio,
 *   no_speech_prob, words, temperature`), words as `[start, end, word, probability]`.
 */
import { fillMissingTimes, spreadWords, type TimedWord, type TranscriptFormat } from "./words.ts";

/** A whisper JSON that this module recognised, as words per segment (not yet sorted). */
export interface WhisperWords {
  format: TranscriptFormat;
  words: TimedWord[];
  estimated: number;
  /** words the source gave (or whose segment it gave) no usable time, left out of `words` */
  untimed: number;
}

const SPECIAL_TOKEN = /^(\[_[^\]]*\]|<\|[^|]*\|>)$/;

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : NaN);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * whisper.cpp writes token text byte by byte, so a character split between two tokens is invalid UTF-8
 * in each. The reader decodes such files as Latin-1 (one char per byte) and `utf8` puts the bytes of a
 * whole word back together.
 */
type Recode = (text: string) => string;

interface CppToken {
  text: string;
  from: number;
  to: number;
}

function cppSegmentWords(segment: Record<string, unknown>, recode: Recode): { words: TimedWord[]; estimated: number } {
  const offsets = (segment.offsets ?? {}) as Record<string, unknown>;
  const start = num(offsets.from) / 1000;
  const end = num(offsets.to) / 1000;
  const tokens: CppToken[] = (Array.isArray(segment.tokens) ? segment.tokens : [])
    .map((t: Record<string, unknown>) => {
      const o = (t?.offsets ?? {}) as Record<string, unknown>;
      return { text: str(t?.text), from: num(o.from) / 1000, to: num(o.to) / 1000 };
    })
    .filter((t) => t.text !== "" && !SPECIAL_TOKEN.test(t.text));
  if (tokens.length === 0 || tokens.some((t) => Number.isNaN(t.from) || Number.isNaN(t.to))) {
    const words = spreadWords(recode(str(segment.text)), start, end);
    return { words, estimated: words.length };
  }
  const words: TimedWord[] = [];
  let text = "";
  let from = 0;
  let to = 0;
  const flush = () => {
    const word = recode(text);
    if (word.trim() !== "") words.push({ text: word, start: from, end: to });
    text = "";
  };
  for (const token of tokens) {
    if (text !== "" && token.text.startsWith(" ")) flush();
    if (text === "") from = token.from;
    text += token.text;
    to = Math.max(to, token.to);
  }
  flush();
  return { words, estimated: 0 };
}

/** A segment of openai-whisper / faster-whisper, as an object or as faster-whisper's array. */
function whisperSegmentWords(segment: unknown): { words: TimedWord[]; estimated: number } {
  const s = Array.isArray(segment)
    ? { start: segment[2], end: segment[3], text: segment[4], words: segment[9] }
    : ((segment ?? {}) as Record<string, unknown>);
  const start = num(s.start);
  const end = num(s.end);
  const listed = Array.isArray(s.words) ? s.words : [];
  if (listed.length === 0) {
    const words = spreadWords(str(s.text), start, end);
    return { words, estimated: words.length };
  }
  const words = listed
    .map((w: unknown): TimedWord => {
      if (Array.isArray(w)) return { text: str(w[2]), start: num(w[0]), end: num(w[1]) };
      const o = (w ?? {}) as Record<string, unknown>;
      return { text: str(o.word ?? o.text), start: num(o.start), end: num(o.end) };
    })
    .filter((w) => w.text.trim() !== "");
  const estimated = fillMissingTimes(words, Number.isNaN(start) ? 0 : start, Number.isNaN(end) ? 0 : end);
  return { words, estimated };
}

/** Words of a parsed whisper JSON, or undefined when `json` has none of the three shapes. */
export function whisperJsonWords(json: unknown, recode: Recode = (t) => t): WhisperWords | undefined {
  const collect = (format: TranscriptFormat, segments: unknown[], read: (s: never) => { words: TimedWord[]; estimated: number }) => {
    const out: WhisperWords = { format, words: [], estimated: 0, untimed: 0 };
    for (const segment of segments) {
      const { words, estimated } = read(segment as never);
      out.words.push(...words);
      out.estimated += estimated;
    }
    // A source time that is not a number (or negative) leaves NaN: such words are counted (the reader refuses the file), not guessed at 0.
    const timed = out.words.filter((w) => Number.isFinite(w.start) && Number.isFinite(w.end));
    out.untimed = out.words.length - timed.length;
    out.words = timed;
    return out;
  };
  // Segments are objects (faster-whisper's NamedTuples: arrays); a list of anything else is another kind of JSON.
  const segmentList = (v: unknown): v is unknown[] => Array.isArray(v) && v.every((s) => s !== null && typeof s === "object");
  if (json && typeof json === "object" && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    if (segmentList(o.transcription)) return collect("whisper.cpp-json", o.transcription, (s: Record<string, unknown>) => cppSegmentWords(s, recode));
    if (segmentList(o.segments)) return collect(o.segments.some(Array.isArray) ? "faster-whisper-json" : "whisper-json", o.segments, whisperSegmentWords);
  }
  if (Array.isArray(json) && json.every((s) => (Array.isArray(s) && s.length >= 10) || (s && typeof s === "object" && "start" in s && "end" in s))) {
    return collect("faster-whisper-json", json, whisperSegmentWords);
  }
  return undefined;
}
