/**
 * @module SRT and WebVTT transcripts to timed words. A cue times a line, not its words, so the words
 * are spread over the cue by length, except where WebVTT cue timestamps (`<00:01:02.500>`, as in
 * word-by-word captions) time them. Lines that rolling captions carry from cue to cue count once.
 */
import { spreadWords, type TimedWord } from "./words.ts";
import { NO_SPEAKER } from "./write.ts";

export interface SubtitleWords {
  words: TimedWord[];
  estimated: number;
  cues: number;
}

/** `[hh:]mm:ss[,.]fff` (hours optional, one to three fraction digits) to seconds. */
function clockSeconds(text: string): number {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(`0.${m[4] ?? "0"}`);
}

const TIMING = /^\s*([\d:.,]+)\s*-->\s*([\d:.,]+)/;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", lrm: "", rlm: "" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** SRT/VTT styling that is not text: tags (`<i>`, `<font ...>`, `<v Name>`) and ASS overrides (`{\an8}`). */
function stripMarkup(text: string): string {
  return text.replace(/<[^>]*>/g, "").replace(/\{\\[^}]*\}/g, "");
}

/** Blocks of non-blank lines, line endings normalised. */
function blocks(text: string): string[][] {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n/)
    .map((b) => b.split("\n").filter((l) => l.trim() !== ""))
    .filter((b) => b.length > 0);
}

/**
 * WebVTT blocks. A cue ends at an empty line; a line of spaces is cue text (rolling captions write one
 * as a cue's empty upper line) unless the next cue's timing line follows it, as in hand-made files.
 */
function vttBlocks(text: string): string[][] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const timing = (i: number) => lines[i]?.includes("-->") ?? false;
  const out: string[][] = [];
  let block: string[] = [];
  lines.forEach((line, i) => {
    const blank = line.trim() === "";
    if (line === "" || (blank && (timing(i + 1) || (lines[i + 1]?.trim() !== "" && timing(i + 2))))) {
      if (block.length > 0) out.push(block);
      block = [];
    } else if (!blank || block.length > 0) block.push(line);
  });
  if (block.length > 0) out.push(block);
  return out;
}

/** A cue: its times and payload lines; undefined when the block has no timing line. */
function cue(block: string[]): RawCue | undefined {
  const at = block.findIndex((l) => l.includes("-->"));
  const m = at >= 0 ? TIMING.exec(block[at]!) : null;
  if (!m) return undefined;
  const start = clockSeconds(m[1]!);
  const end = clockSeconds(m[2]!);
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  const lines = block.slice(at + 1).filter((l) => l.trim() !== "");
  return { start, end: Math.max(start, end), lines, text: lines.join(" ") };
}

interface RawCue {
  start: number;
  end: number;
  /** payload lines that are not blank */
  lines: string[];
  /** the lines joined by spaces */
  text: string;
}

/**
 * openai-whisper's `--highlight_words True` (WhisperX and whisper-ctranslate2 share its writers): a cue per
 * word repeating its line with that word in `<u>`, and cues of the bare line over the gaps between words.
 * The words of such a file are the underlined ones, each timed by its cue (read as text, every line would
 * count once per word). Returns each cue's underlined text (undefined for the gap cues), or undefined for
 * any other file.
 */
function highlightedWords(cues: readonly RawCue[]): (string | undefined)[] | undefined {
  const marked = cues.map((c) => /<u>(.*?)<\/u>/.exec(c.text)?.[1]);
  if (marked.every((m) => m === undefined)) return undefined;
  const plain = cues.map((c) => stripMarkup(c.text).trim());
  return plain.every((p, i) => marked[i] !== undefined || p === plain[i - 1] || p === plain[i + 1]) ? marked : undefined;
}

/**
 * The speaker's name before a cue's words as senko writes SRT (`writeSrt`), a colon and a space: a name senko
 * gives (`SPEAKER_01`, `speakerName`; `UNKNOWN`, NO_SPEAKER) or a reference's (an RTTM's speaker id, as AMI's
 * `MEE068` or `spk_0`: one token with a digit or an underscore, which no word has).
 */
const SPEAKER_PREFIX = new RegExp(`^(?:[A-Za-z][\\w-]*[\\d_][\\w-]*|${NO_SPEAKER}): `);

/**
 * Each cue's text without the speaker's name before it, when every cue starts with one (senko's own SRT
 * of a transcript); otherwise undefined: a word and a colon before every cue that senko did not write
 * there (`Note: `, `Q: `), in only some cues, or after several words, is what was said.
 */
function unnamedText(cues: readonly RawCue[]): string[] | undefined {
  if (cues.length === 0 || !cues.every((c) => SPEAKER_PREFIX.test(c.text))) return undefined;
  return cues.map((c) => c.text.replace(SPEAKER_PREFIX, ""));
}

/**
 * WhisperX's mark of the speaker its diarization gave a cue (pyannote's name in brackets, `[SPEAKER_00]: `),
 * in SRT and WebVTT, on the cues it found a speaker for: never said.
 */
const WHISPERX_SPEAKER = /^\[SPEAKER_\d+\]: /;

export function srtWords(text: string): SubtitleWords {
  const cues = blocks(text).flatMap((b) => cue(b) ?? []);
  const marked = highlightedWords(cues);
  const unnamed = marked ? undefined : unnamedText(cues);
  const out: SubtitleWords = { words: [], estimated: 0, cues: cues.length };
  cues.forEach((c, i) => {
    const said = marked ? marked[i] : unnamed ? unnamed[i] : c.text;
    if (said === undefined) return;
    const words = spreadWords(stripMarkup(said.replace(WHISPERX_SPEAKER, "")), c.start, c.end);
    out.words.push(...words);
    // A cue of one word times it exactly (whisper.cpp -ml 1 writes such cues); longer cues are spread.
    if (words.length > 1) out.estimated += words.length;
  });
  return out;
}

/** A payload line's words, for comparing lines. */
const plainLine = (line: string) => decodeEntities(stripMarkup(line)).replace(/\s+/g, " ").trim();

/**
 * Rolling captions (YouTube's automatic captions, roll-up live captions): a cue shows the previous cue's
 * last line again above its new words, often with a 10 ms cue holding the line alone in between. A line
 * carried over is not new speech. Returns each cue's text without it, or undefined when the file does not
 * roll: the cues of several lines that start with the line the cue before ended with, and the repeating
 * cues too short to be speech, must be at least as many as the cues of several lines that do not (a
 * subtitle repeating a line by chance is read as it is).
 */
function rollingText(cues: readonly RawCue[]): string[] | undefined {
  let last = "";
  let rolls = 0;
  let stays = 0;
  const carried = cues.map((c) => {
    const lines = c.lines.map(plainLine).filter((l) => l !== "");
    const repeats = lines.length > 0 && lines[0] === last;
    if (repeats && (lines.length > 1 || c.end - c.start < 0.05)) rolls++;
    else if (lines.length > 1) stays++;
    if (lines.length > 0) last = lines.at(-1)!;
    return repeats;
  });
  if (rolls === 0 || rolls < stays) return undefined;
  return cues.map((c, i) => {
    // The carried line is the first non-empty one (markup alone, as in "<c></c>", says nothing).
    const first = c.lines.findIndex((l) => plainLine(l) !== "");
    return carried[i] ? c.lines.slice(first + 1).join(" ") : c.text;
  });
}

const CUE_TIMESTAMP = /<((?:\d+:)?\d{2}:\d{2}\.\d{3})>/;

/**
 * The pieces of a cue's text between its cue timestamps, each from its timestamp (or the cue's start) to
 * the next (or the cue's end). WebVTT requires a cue timestamp to lie within its cue and after the one
 * before; one that does not (a file cut and shifted by hand, timestamps of another clock) times nothing:
 * its words join the piece before, spread by length, and never leave their cue or their order.
 */
function timedPieces(text: string, cue: RawCue): { text: string; from: number; to: number }[] {
  const parts = text.split(CUE_TIMESTAMP);
  const pieces = [{ text: parts[0]!, from: cue.start, to: cue.end }];
  for (let k = 1; k < parts.length; k += 2) {
    const at = clockSeconds(parts[k]!);
    const last = pieces.at(-1)!;
    if (at >= last.from && at <= cue.end) {
      last.to = at;
      pieces.push({ text: parts[k + 1]!, from: at, to: cue.end });
    } else last.text += parts[k + 1]!;
  }
  return pieces;
}

export function vttWords(text: string): SubtitleWords {
  const cues = vttBlocks(text.replace(/^\uFEFF/, ""))
    .slice(1)
    .filter((b) => !/^(NOTE|STYLE|REGION)(\s|$)/.test(b[0]!))
    .flatMap((b) => cue(b) ?? []);
  const marked = highlightedWords(cues);
  const rolling = marked ? undefined : rollingText(cues);
  const out: SubtitleWords = { words: [], estimated: 0, cues: cues.length };
  cues.forEach((c, i) => {
    const said = marked ? marked[i] : rolling ? rolling[i] : c.text;
    if (said === undefined) return;
    for (const piece of timedPieces(said.replace(WHISPERX_SPEAKER, ""), c)) {
      const words = spreadWords(decodeEntities(stripMarkup(piece.text)), piece.from, piece.to);
      // A piece of one word is timed exactly by its timestamps; longer pieces are spread.
      if (words.length > 1) out.estimated += words.length;
      out.words.push(...words);
    }
  });
  return out;
}
