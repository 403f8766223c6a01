/**
 * @module `senko attribute <transcript> <diarization>`: who said what, from a transcript and a
 * diarization already made (senko's JSON, or any RTTM).
 */
import { readFileSync } from "node:fs";
import { AnnotationFormatError, readRttm } from "../eval/rttm.ts";
import { ConfigError, SenkoError, TranscriptFormatError } from "../errors.ts";
import { nameInAnyCase } from "../option-names.ts";
import { writeStdout } from "../output/stdout.ts";
import { checkWritable, formatClash, OUTPUT_FORMATS, replacesInput, writeFileAtomic } from "../output/writers.ts";
import type { Segment } from "../pipeline/segments.ts";
import { attributeTranscript, type AttributedTranscript } from "./attribute.ts";
import { parseTranscript, readTranscript } from "./read.ts";
import { formatTranscript, TRANSCRIPT_FORMATS, type TranscriptOutputFormat } from "./write.ts";

/** `senko attribute --help`, its usage line naming `command` as `senko --help` does (`senko`, or `bun run diarize.ts` in a checkout). */
export const attributeHelp = (command: string) => `usage: ${command} attribute <transcript> <diarization.json|.rttm> [--format text|srt|vtt|json] [--out <file>] [-q]

Puts each word of a word-timed transcript (whisper.cpp -ojf JSON, openai-whisper / faster-whisper JSON, SRT,
WebVTT) in the speaker turn of a diarization made before: senko's JSON, or an RTTM file of one recording.
Either file may be - (stdin).

  -f, --format <f>       ${Object.keys(TRANSCRIPT_FORMATS).join(" | ")} (default: from the --out extension, else json
                         for a file, text for stdout)
  -o, --out <file|->     where it goes; - is stdout (the default)
  -q, --quiet            nothing on stderr but errors (no summary)
  -h, --help             this text
`;

/** The text of a diarization file. */
function readDiarizationFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "cannot be read: permission denied" : (error as Error).message;
    throw new TranscriptFormatError(`${path}: ${why}`, path, { cause: error });
  }
}

/** The turns of a diarization: `mergedSegments` (and `exclusiveSegments`) of senko's JSON, or an RTTM's SPEAKER lines. */
function readDiarization(path: string, text: string): { mergedSegments: Segment[]; exclusiveSegments?: Segment[]; durationSec?: number } {
  // An audio file given by mistake would otherwise be reported as an RTTM line of binary garbage.
  if (text.includes("\0")) throw new TranscriptFormatError(`${path}: not senko's JSON or an RTTM file (it holds binary data: an audio file?)`, path);
  if (/^\s*[{[]/.test(text)) {
    let json: { mergedSegments?: unknown; exclusiveSegments?: unknown; durationSec?: unknown };
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new TranscriptFormatError(`${path}: not valid JSON (${(error as Error).message})`, path, { cause: error });
    }
    const segments = (value: unknown, field: string): Segment[] | undefined => {
      if (value === undefined) return undefined;
      const ok = Array.isArray(value) && value.every((s) => typeof s?.start === "number" && typeof s?.end === "number" && typeof s?.speaker === "string");
      if (!ok) throw new TranscriptFormatError(`${path}: "${field}" is not a list of { start, end, speaker }`, path);
      return value as Segment[];
    };
    const mergedSegments = segments(json?.mergedSegments, "mergedSegments");
    if (!mergedSegments) throw new TranscriptFormatError(`${path}: not a senko diarization result (no "mergedSegments"); give senko's JSON or an RTTM file`, path);
    const exclusiveSegments = segments(json.exclusiveSegments, "exclusiveSegments");
    const durationSec = typeof json.durationSec === "number" ? json.durationSec : undefined;
    return { mergedSegments, ...(exclusiveSegments && { exclusiveSegments }), durationSec };
  }
  let files: Map<string, Segment[]>;
  try {
    files = readRttm(text, path);
  } catch (error) {
    // senko's text, CSV or SRT given for its JSON: no SPEAKER line at all, so not an RTTM with one bad line.
    if (error instanceof AnnotationFormatError && !/^\s*SPEAKER\s/m.test(text)) {
      const first = text.split("\n")[error.line - 1]!.trim().slice(0, 40);
      throw new TranscriptFormatError(`${path}: not senko's JSON or an RTTM file (line ${error.line} is "${first}"); give the result of senko --format json or rttm`, path, { cause: error });
    }
    throw new TranscriptFormatError(error instanceof SenkoError ? error.message : String(error), path, { cause: error });
  }
  if (files.size > 1) throw new TranscriptFormatError(`${path}: holds ${files.size} recordings (${[...files.keys()].join(", ")}); give the RTTM of one`, path);
  return { mergedSegments: [...files.values()][0] ?? [] };
}

export interface AttributeOptions {
  out?: string;
  format?: string;
  quiet?: boolean;
  /** options of a diarizing run that mean nothing here */
  others: string[];
}

function outputFormat(options: AttributeOptions): TranscriptOutputFormat {
  const formats = Object.keys(TRANSCRIPT_FORMATS) as TranscriptOutputFormat[];
  const ext = /\.([a-z]+)$/i.exec(options.out ?? "")?.[1]?.toLowerCase();
  const found = formats.find((f) => TRANSCRIPT_FORMATS[f] === ext);
  if (options.format !== undefined) {
    const format = nameInAnyCase(options.format, formats);
    if (format === undefined) throw new ConfigError(`attribute: --format must be one of ${formats.join(", ")}, got "${options.format}"`);
    if (found && found !== format) {
      throw new ConfigError(`attribute: ${formatClash(format, options.out!, found, TRANSCRIPT_FORMATS[format])}`);
    }
    return format;
  }
  // An extension of senko's other outputs would otherwise get JSON written under it.
  const other = Object.entries(OUTPUT_FORMATS).find(([, e]) => e === ext)?.[0];
  if (!found && other) {
    throw new ConfigError(`attribute writes ${formats.join(", ")}, not ${other} (--out ${options.out})${other === "html" ? "; for a page with who said what: senko <audio> --transcript <file> --format html" : ""}`);
  }
  return found ?? (options.out && options.out !== "-" ? "json" : "text");
}

/**
 * One line for stderr: what was attributed and how well the words were timed; with the recording's length
 * (`durationSec`), a warning when words start after its end: a transcript of another recording, attributed
 * without a word (each took the last turn's speaker).
 */
export function attributionSummary(name: string, transcript: AttributedTranscript, durationSec?: number): string {
  const all = transcript.turns.flatMap((t) => t.words);
  const speakers = new Set(transcript.turns.map((t) => t.speaker)).size;
  const timing = transcript.estimated > 0 ? `; ${transcript.estimated} word(s) without their own times, spread over their segment` : "";
  const late = durationSec === undefined ? 0 : all.filter((w) => w.start >= durationSec).length;
  const warning = late > 0 ? `senko: warning: ${name}: ${late} of ${all.length} word(s) start after the recording ends (${durationSec!.toFixed(1)} s): is it the transcript of this recording?\n` : "";
  return `${name}: ${all.length} word(s), ${speakers} speaker(s), ${transcript.turns.length} turn(s) (${transcript.format}${timing})\n${warning}`;
}

/** Runs `senko attribute <transcript> <diarization>`; throws a SenkoError with one line on any problem. */
export async function attributeCommand(args: readonly string[], options: AttributeOptions): Promise<void> {
  if (options.others.length > 0) throw new ConfigError(`attribute takes --out, --format and --quiet, not ${options.others.map((o) => `--${o}`).join(", ")}`);
  if (args.length !== 2) throw new ConfigError(`attribute takes two files, a transcript and a diarization (senko JSON or RTTM), got ${args.length}`);
  const format = outputFormat(options);
  const [transcriptPath, diarizationPath] = args as [string, string];
  const out = options.out;
  if (out !== undefined && out !== "-" && args.some((input) => input !== "-" && replacesInput(out, input))) {
    throw new ConfigError(`${out} is an input: writing the result there would replace it`);
  }
  // Before stdin is read: a result that cannot be written is not worth making.
  if (out !== undefined && out !== "-") checkWritable(out);
  if (transcriptPath === "-" && diarizationPath === "-") throw new ConfigError("- (stdin) can be given only once");
  if (args.includes("-") && process.stdin.isTTY) throw new ConfigError("-: stdin is a terminal: pipe the file in (cat talk.json | senko attribute - talk.rttm)");
  // `-` is stdin, as for senko <audio>: a transcript (or diarization) piped from the program that made it.
  const stdin = transcriptPath === "-" || diarizationPath === "-" ? await Bun.stdin.bytes() : undefined;
  if (stdin?.length === 0) throw new TranscriptFormatError("-: no bytes on stdin", "-");
  const transcript = transcriptPath === "-" ? parseTranscript(stdin!, "-") : readTranscript(transcriptPath);
  const diarization = diarizationPath === "-" ? new TextDecoder().decode(stdin) : readDiarizationFile(diarizationPath);
  const turns = readDiarization(diarizationPath, diarization);
  const attributed = attributeTranscript(transcript, turns);
  const text = formatTranscript(attributed, format, transcriptPath);
  if (options.out === undefined || options.out === "-") await writeStdout(text);
  else writeFileAtomic(options.out, text);
  if (!options.quiet) process.stderr.write(attributionSummary(transcriptPath, attributed, turns.durationSec));
}
