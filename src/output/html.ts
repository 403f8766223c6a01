/**
 * @module `--format html`: one self-contained page per input, offline (no script, font or style from
 * anywhere else): a lane per speaker along the time axis in the speaker colours, overlapping speech
 * visible, zoom and scroll, talk time per speaker, and a player for the audio (linked by a relative
 * path, or embedded when small) that plays a turn when it is clicked; with a transcript, who said what,
 * line by line, following playback. The page draws only what is
 * near the view (timeline.html), so hours of audio with thousands of turns stay fluid.
 */
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, relative, resolve, sep } from "node:path";
import type { DiarizationResult } from "../diarizer.ts";
import { overlapSeconds, overlapSpans, type Segment } from "../pipeline/segments.ts";
import type { AttributedTranscript } from "../transcript/attribute.ts";
import { NO_SPEAKER } from "../transcript/write.ts";
import type { ResultTurns } from "../types.ts";
import { speakerColors } from "./colors.ts";
import timelinePage from "./timeline.html" with { type: "text" };

// Imported as text, a string at run time (and in the compiled executable); bun-types declares *.html as an HTML bundle.
const page = timelinePage as unknown as string;

/** Audio up to this size is embedded in the page (as a data: URI); larger files are linked. */
export const EMBED_AUDIO_MAX_BYTES = 8 * 1024 * 1024;

/** The options of `toHtml` and `timelineData`: the title, the player's audio and a transcript. */
export interface HtmlOptions {
  /** the page's heading (default "senko") */
  title?: string;
  /** what the player plays: a URL (a path relative to the page, or a data: URI); none without it */
  audioSrc?: string;
  /** who said what: the page lists the turns with their words, and plays the one clicked */
  transcript?: AttributedTranscript;
}

/** Seconds covered by at least one turn. */
function speechSeconds(turns: readonly Segment[]): number {
  let total = 0;
  let end = -Infinity;
  for (const t of [...turns].sort((a, b) => a.start - b.start)) {
    if (t.end <= end) continue;
    total += t.end - Math.max(t.start, end);
    end = t.end;
  }
  return total;
}

/**
 * What the timeline page draws: a `diarize` result, or `toSegments`' turns (stage by stage), whose timeline
 * then ends with the last turn.
 */
export type TimelineInput = ResultTurns & Partial<Pick<DiarizationResult, "durationSec" | "overlapSec" | "speakerColorSets">>;

/** The numbers the page draws, compact: turns as `[start, end, speaker index]`. */
export function timelineData(result: TimelineInput, options: HtmlOptions = {}) {
  const turns = result.mergedSegments;
  const colors = result.speakerColorSets?.["0"] ?? speakerColors(turns);
  const talk = new Map<string, { talk: number; turns: number }>();
  for (const t of turns) {
    const s = talk.get(t.speaker) ?? { talk: 0, turns: 0 };
    s.talk += t.end - t.start;
    s.turns++;
    talk.set(t.speaker, s);
  }
  const names = [...talk.keys()].sort((a, b) => talk.get(b)!.talk - talk.get(a)!.talk || a.localeCompare(b));
  const index = new Map(names.map((n, i) => [n, i]));
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const overlaps = overlapSpans(turns);
  return {
    title: options.title ?? "senko",
    duration: r3(result.durationSec ?? turns.reduce((end, t) => Math.max(end, t.end), 0)),
    speakers: names.map((name) => ({ name, color: colors[name] ?? "#888888", talk: r3(talk.get(name)!.talk), turns: talk.get(name)!.turns })),
    turns: turns.map((t) => [r3(t.start), r3(t.end), index.get(t.speaker)!]),
    overlaps: overlaps.map((o) => [r3(o.start), r3(o.end)]),
    speechSec: r3(speechSeconds(turns)),
    overlapSec: r3(result.overlapSec ?? overlapSeconds(turns)),
    transcript: options.transcript?.turns.map((t) => [r3(t.start), r3(t.end), t.speaker ?? NO_SPEAKER, t.text]) ?? null,
    audio: options.audioSrc ?? null,
    audioEmbedded: options.audioSrc?.startsWith("data:") ?? false,
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The timeline page of a result. */
export function toHtml(result: TimelineInput, options: HtmlOptions = {}): string {
  // "<" escaped, so that no "</script>" or "<!--" in a name can end the data block.
  const json = JSON.stringify(timelineData(result, options)).replace(/</g, "\\u003c");
  const fill = { __SENKO_TITLE__: escapeHtml(options.title ?? "senko"), __SENKO_DATA__: json };
  // One pass: a title holding "__SENKO_DATA__" stays text, and a replacement's "$&" means nothing.
  return page.replace(/__SENKO_(?:TITLE|DATA)__/g, (slot) => fill[slot as keyof typeof fill]);
}

/** A MIME type from the first bytes (the file's own word), else from the extension. */
export function audioMime(bytes: Uint8Array, name = ""): string {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if ((ascii(0, 4) === "RIFF" || ascii(0, 4) === "RF64") && ascii(8, 12) === "WAVE") return "audio/wav";
  if (ascii(0, 4) === "fLaC") return "audio/flac";
  if (ascii(0, 4) === "OggS") return "audio/ogg";
  if (ascii(4, 8) === "ftyp") return "audio/mp4";
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return "audio/webm";
  if (ascii(0, 3) === "ID3" || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0)) return "audio/mpeg";
  const byExtension: Record<string, string> = { ".wav": "audio/wav", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".mp4": "video/mp4", ".flac": "audio/flac", ".ogg": "audio/ogg", ".opus": "audio/ogg", ".webm": "audio/webm" };
  return byExtension[extname(name).toLowerCase()] ?? "application/octet-stream";
}

/**
 * The player's source for a page written to `pageFile` (undefined: the current directory): the audio
 * embedded when it is at most `embedMaxBytes`, else the audio file's path relative to the page.
 * Bytes without a file (stdin) that are too large give no source.
 */
export function audioSource(audio: { path?: string; bytes?: Uint8Array }, pageFile?: string, embedMaxBytes = EMBED_AUDIO_MAX_BYTES): string | undefined {
  const size = audio.bytes?.length ?? (audio.path ? statSync(audio.path).size : Infinity);
  if (size <= embedMaxBytes) {
    const bytes = audio.bytes ?? readFileSync(audio.path!);
    return `data:${audioMime(bytes, audio.path)};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")}`;
  }
  if (!audio.path) return undefined;
  const from = pageFile ? dirname(resolve(pageFile)) : process.cwd();
  return relative(from, resolve(audio.path)).split(sep).map(encodeURIComponent).join("/");
}

/** The page's heading for an input: its file name. */
export function pageTitle(source: string): string {
  return source === "-" ? "stdin" : basename(source);
}
