/**
 * @module Reads a word-timed transcript: whisper.cpp full JSON, openai-whisper / faster-whisper JSON,
 * SRT or WebVTT, told apart by content (not by the file name).
 */
import { readFileSync, statSync } from "node:fs";
import { TranscriptFormatError } from "../errors.ts";
import { srtWords, vttWords } from "./subtitle-read.ts";
import { whisperJsonWords } from "./whisper-json.ts";
import { tidy, type Transcript } from "./words.ts";

const EXPECTED =
  "expected whisper.cpp JSON (-ojf, with \"transcription\"), openai-whisper / faster-whisper JSON (with \"segments\"), SRT or WebVTT";

/** Latin-1 view of bytes (one char per byte) and back: for whisper.cpp files that are not valid UTF-8. */
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");
const rebuild = (text: string): string => utf8.decode(Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff));

/** Reads a transcript from its bytes (or text); `name` is used in error messages. */
export function parseTranscript(input: Uint8Array | string, name = "<transcript>"): Transcript {
  let text: string;
  let recode = (t: string) => t;
  if (typeof input === "string") text = input;
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch {
      // whisper.cpp splits characters between tokens and writes each token's bytes alone.
      text = latin1.decode(input);
      recode = rebuild;
    }
  }
  text = text.replace(/^\uFEFF/, "");
  const head = text.trimStart();
  if (head.startsWith("{") || head.startsWith("[")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new TranscriptFormatError(`${name}: not valid JSON (${(error as Error).message})`, name, { cause: error });
    }
    const found = whisperJsonWords(json, recode);
    if (!found) throw new TranscriptFormatError(`${name}: JSON of an unknown shape; ${EXPECTED}`, name);
    if (found.untimed > 0) {
      throw new TranscriptFormatError(`${name}: ${found.untimed} word(s) without a usable time (their own or their segment's start/end is missing, negative or not a number)`, name);
    }
    return { format: found.format, words: tidy(found.words), estimated: found.estimated };
  }
  if (/^WEBVTT(?:[ \t]|\r|\n|$)/.test(head)) {
    const { words, estimated } = vttWords(recode(text));
    return { format: "vtt", words: tidy(words), estimated };
  }
  const srt = srtWords(recode(text));
  if (srt.cues === 0) {
    if (head === "") throw new TranscriptFormatError(`${name}: the transcript is empty`, name);
    throw new TranscriptFormatError(`${name}: not a transcript senko reads; ${EXPECTED}`, name);
  }
  return { format: "srt", words: tidy(srt.words), estimated: srt.estimated };
}

/** Reads a transcript file; a missing or unreadable file is a TranscriptFormatError with one line. */
export function readTranscript(path: string): Transcript {
  let bytes: Uint8Array;
  try {
    if (statSync(path).isDirectory()) throw new TranscriptFormatError(`${path}: is a directory, not a transcript`, path);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof TranscriptFormatError) throw error;
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT" ? "file not found" : code === "EACCES" ? "cannot be read: permission denied" : (error as Error).message;
    throw new TranscriptFormatError(`${path}: ${why}`, path, { cause: error });
  }
  return parseTranscript(bytes, path);
}
