/** @module RTTM reading and writing (SPEAKER lines), the exchange format of diarization scoring tools. */
import { ConfigError, SenkoError } from "../errors.ts";

/** One speaker turn, in seconds. */
export interface Turn {
  /** seconds from the start of the recording */
  start: number;
  /** seconds from the start of the recording */
  end: number;
  /** the speaker's name, as the RTTM line gives it */
  speaker: string;
}

/** A reference/hypothesis/UEM file has a line that cannot be read. */
export class AnnotationFormatError extends SenkoError {
  override readonly name = "AnnotationFormatError";
  constructor(
    message: string,
    readonly source: string,
    readonly line: number,
  ) {
    super(`${source}:${line}: ${message}`);
  }
}

// NIST RTTM line types other than SPEAKER: valid, but not speaker turns, so skipped.
const OTHER_TYPES = new Set([
  "SEGMENT",
  "NOSCORE",
  "NO_RT_METADATA",
  "LEXEME",
  "NON-LEX",
  "NON-SPEECH",
  "FILLER",
  "EDIT",
  "IP",
  "SU",
  "CB",
  "A/P",
  "SPKR-INFO",
]);

/** Non-blank, non-comment lines (`#` or NIST `;;`), split on whitespace, with 1-based line numbers. */
export function* dataLines(text: string): Generator<{ fields: string[]; line: number }> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";;")) continue;
    yield { fields: trimmed.split(/\s+/), line: i + 1 };
  }
}

/** Parses a decimal time field; throws with the line number when it is not a finite number >= 0. */
export function parseTime(field: string, what: string, source: string, line: number): number {
  // Number("") is 0 and Number("0x10") is 16: accept only plain decimal/exponent notation.
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(field) ? Number(field) : NaN;
  if (!Number.isFinite(value)) throw new AnnotationFormatError(`${what} '${field}' is not a number`, source, line);
  if (value < 0) throw new AnnotationFormatError(`${what} ${field} is negative`, source, line);
  return value;
}

/**
 * Reads the SPEAKER lines of an RTTM text into turns per file id, in file order; `end` is
 * start + duration. Blank lines, comments and other RTTM line types are skipped; a malformed
 * SPEAKER line or an unknown line type throws AnnotationFormatError naming `source` and the line.
 */
export function readRttm(text: string, source = "<rttm>"): Map<string, Turn[]> {
  const files = new Map<string, Turn[]>();
  for (const { fields, line } of dataLines(text)) {
    const type = fields[0]!;
    if (type !== "SPEAKER") {
      if (OTHER_TYPES.has(type)) continue;
      // Control characters or undecodable bytes (an audio file given by mistake) would garble the terminal.
      if (/[\0-\x1f\x7f\ufffd]/.test(type)) throw new AnnotationFormatError("not an RTTM file: it holds binary data (an audio file?)", source, line);
      throw new AnnotationFormatError(`unknown RTTM line type '${type}' (expected SPEAKER)`, source, line);
    }
    // type file channel start duration ortho stype speaker [confidence [lookahead]]
    if (fields.length < 8 || fields.length > 10) {
      throw new AnnotationFormatError(
        `SPEAKER line has ${fields.length} fields, expected 'SPEAKER <file> <chan> <start> <dur> <NA> <NA> <speaker> <NA> <NA>'`,
        source,
        line,
      );
    }
    const start = parseTime(fields[3]!, "start", source, line);
    const duration = parseTime(fields[4]!, "duration", source, line);
    const file = fields[1]!;
    let turns = files.get(file);
    if (!turns) files.set(file, (turns = []));
    turns.push({ start, end: start + duration, speaker: fields[7]! });
  }
  return files;
}

/**
 * RTTM text for one file's turns, one SPEAKER line each, times in milliseconds precision. The
 * duration is taken between the rounded start and end so that reading back reproduces the
 * rounded end. Throws ConfigError for ids with whitespace or turns that end before they start.
 */
export function writeRttm(uri: string, turns: readonly Turn[]): string {
  checkToken(uri, "file id");
  let out = "";
  for (const t of turns) {
    checkToken(t.speaker, "speaker label");
    if (!(Number.isFinite(t.start) && Number.isFinite(t.end) && t.start >= 0 && t.end >= t.start)) {
      throw new ConfigError(`turn ${t.start}..${t.end} of ${t.speaker}: needs 0 <= start <= end`);
    }
    const start = Math.round(t.start * 1000) / 1000;
    const duration = Math.max(0, Math.round(t.end * 1000) / 1000 - start);
    out += `SPEAKER ${uri} 1 ${start.toFixed(3)} ${duration.toFixed(3)} <NA> <NA> ${t.speaker} <NA> <NA>\n`;
  }
  return out;
}

function checkToken(value: string, what: string): void {
  if (value === "" || /\s/.test(value)) {
    throw new ConfigError(`RTTM ${what} '${value}' must be non-empty without whitespace`);
  }
}
