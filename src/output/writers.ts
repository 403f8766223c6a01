/** @module Serialisations of a diarization result: JSON, RTTM, CSV, plain text, subtitles and the HTML timeline, plus atomic file writes. */
import { accessSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { DiarizationResult } from "../diarizer.ts";
import { ConfigError, OutputError } from "../errors.ts";
import { nameInAnyCase } from "../option-names.ts";
import { writeRttm } from "../eval/rttm.ts";
import { turnLine } from "./clock.ts";
import { audioSource, pageTitle, toHtml } from "./html.ts";
import { toSrt, toVtt } from "./subtitles.ts";
import { attributeTranscript, type AttributedTranscript } from "../transcript/attribute.ts";
import { formatTranscript, transcriptJson } from "../transcript/write.ts";
import type { Transcript } from "../transcript/words.ts";
import type { ResultTurns } from "../types.ts";

/** Every format the CLI writes, with its file extension. */
export const OUTPUT_FORMATS = { json: "json", rttm: "rttm", csv: "csv", text: "txt", srt: "srt", vtt: "vtt", html: "html" } as const;
/** A format `formatResult` writes: json, rttm, csv, text, srt, vtt or html. */
export type OutputFormat = keyof typeof OUTPUT_FORMATS;

/**
 * `format` as OUTPUT_FORMATS names it, in any case (`"RTTM"`); a ConfigError for any other name. Bun runs
 * TypeScript unchecked, and an unknown format would otherwise write `undefined`.
 */
export function outputFormat(format: string): OutputFormat {
  const names = Object.keys(OUTPUT_FORMATS) as OutputFormat[];
  const known = typeof format === "string" ? nameInAnyCase(format, names) : undefined;
  if (known === undefined) throw new ConfigError(`format must be one of ${names.join(", ")}, got ${JSON.stringify(format)}`);
  return known;
}

/**
 * The result (of `diarize`, or `toSegments`) as plain JSON (centroids as number arrays), pretty-printed; `extra`
 * fields are added at the end.
 */
export function toJson(result: Pick<DiarizationResult, "speakerCentroids">, source?: string, extra: Record<string, unknown> = {}): string {
  const centroids = Object.fromEntries(
    Object.entries(result.speakerCentroids).map(([k, v]) => [k, Array.from(v, (x) => +x.toPrecision(7))]),
  );
  return `${JSON.stringify({ ...(source ? { source } : {}), ...result, speakerCentroids: centroids, ...extra }, null, 2)}\n`;
}

/** RTTM file id, and the name of an input's files in an output directory: the input's base name without extension (what scoring tools match on); `stdin` for `-`. */
export function rttmUri(source: string): string {
  if (source === "-") return "stdin";
  const name = basename(source);
  return name.slice(0, name.length - extname(name).length) || name;
}

/** The file id `toRttm` writes for `uri`: whitespace (a file named "Team meeting.m4a"), which an RTTM field cannot hold, as `_`. */
export const rttmFileId = (uri: string) => uri.replace(/\s+/g, "_");

/** RTTM of the merged turns, under the file id of `uri` (rttmFileId). */
export function toRttm(result: ResultTurns, uri: string): string {
  return writeRttm(rttmFileId(uri), result.mergedSegments);
}

/** Why `--format <format>` cannot write to `out`, whose extension names `named` (`ext`: the extension of `format`). */
export const formatClash = (format: string, out: string, named: string, ext: string): string =>
  `--format ${format} would write ${format} into ${out}, a name for ${named}: leave out --format (the extension chooses) or name the file .${ext}`;

/** A CSV field as RFC 4180 writes it: quoted, its quotes doubled, when it holds a comma, a quote or a line break. */
const csvField = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** `start,end,speaker` per merged turn; a speaker renamed to `Smith, J.` is quoted. */
export function toCsv(result: ResultTurns): string {
  return `start,end,speaker\n${result.mergedSegments.map((s) => `${s.start.toFixed(3)},${s.end.toFixed(3)},${csvField(s.speaker)}\n`).join("")}`;
}

/** `hh:mm:ss.ss - hh:mm:ss.ss  SPEAKER_01` per merged turn. */
export function toText(result: ResultTurns): string {
  return result.mergedSegments.map((s) => `${turnLine(s)}\n`).join("");
}

/** What some formats need besides the result. */
export interface FormatContext {
  /**
   * a transcript of the input: text, srt and vtt then say who said what (the words in speaker turns),
   * json gets a `transcript` field with those turns, and html lists them under the timeline. Either its
   * words, attributed to the result here, or the transcript already attributed to this result
   * (`attributeTranscript`), to attribute it once for several formats
   */
  transcript?: Transcript | AttributedTranscript;
  /** html: the input's audio, a file or bytes (stdin), for the page's player */
  audio?: { path?: string; bytes?: Uint8Array };
  /** html: where the page is written (the audio link is relative to it; default the current directory) */
  outFile?: string;
}

/** The result in `named` format, as the CLI writes it; `source` is the input's name (RTTM file id, JSON `source`, page title). */
export function formatResult(result: DiarizationResult, named: OutputFormat, source: string, context: FormatContext = {}): string {
  const format = outputFormat(named);
  const given = context.transcript;
  const attributed = given && ("turns" in given ? given : attributeTranscript(given, result));
  if (attributed && (format === "text" || format === "srt" || format === "vtt" || format === "json")) {
    return format === "json" ? toJson(result, source, { transcript: transcriptJson(attributed) }) : formatTranscript(attributed, format);
  }
  switch (format) {
    case "json":
      return toJson(result, source);
    case "rttm":
      return toRttm(result, rttmUri(source));
    case "csv":
      return toCsv(result);
    case "text":
      return toText(result);
    case "srt":
      return toSrt(result);
    case "vtt":
      return toVtt(result);
    case "html":
      return toHtml(result, {
        title: pageTitle(source),
        audioSrc: context.audio && audioSource(context.audio, context.outFile),
        transcript: attributed,
      });
  }
}

const FS_PROBLEMS: Record<string, string> = {
  ENOTDIR: "a parent in the path is not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a directory",
  ENOSPC: "no space left on the device",
  EROFS: "the file system is read-only",
  EFBIG: "the file would exceed the file size limit (ulimit -f, or the file system's)",
};

/**
 * The OutputError of a failed write, in one line ("cannot write r.json: permission denied"). `where` is the
 * directory a file was being created in (default the path's own): when it exists, ENOENT means its file system
 * creates nothing there (/proc), not that it is missing.
 */
export function outputError(path: string, error: unknown, verb = "write", where = dirname(path)): OutputError {
  const code = (error as { code?: string }).code ?? "";
  const missing = existsSync(where) ? `nothing can be created in ${where}` : `the directory ${where} does not exist`;
  const problem = code === "ENOENT" ? missing : (FS_PROBLEMS[code] ?? (error instanceof Error ? error.message : String(error)));
  return new OutputError(`cannot ${verb} ${path}: ${problem}`, path, { cause: error });
}

const tmpName = (path: string) => `${path}.${process.pid}.tmp`;

/**
 * Whether `path` is an existing target that is no regular file (/dev/null, /dev/stdout, a FIFO, a terminal), or
 * an open descriptor whatever it is open on: written into, as a shell's `>` would; a file renamed over it would
 * replace the device, pipe or /dev/stdout link itself.
 */
function writtenInPlace(path: string): boolean {
  if (namesDescriptor(path)) return true;
  try {
    const stat = statSync(path);
    return !stat.isFile() && !stat.isDirectory();
  } catch {
    return false;
  }
}

/** Links followed to find a descriptor (/dev/stdout -> /proc/self/fd/1 is one). */
const DESCRIPTOR_LINKS_MAX = 8;

/**
 * Whether `path` is, or links to, an entry of a process's fd directory (/dev/stdout, /dev/fd/1, /proc/self/fd/1):
 * a stdout redirected to a regular file (`> log.txt`) is a file there, and must be written into, not replaced.
 */
function namesDescriptor(path: string): boolean {
  let at = resolve(path);
  for (let link = 0; link <= DESCRIPTOR_LINKS_MAX; link++) {
    if (/^\/proc\/[^/]+\/fd$/.test(realPath(dirname(at)))) return true;
    try {
      at = resolve(dirname(at), readlinkSync(at));
    } catch {
      return false;
    }
  }
  return false;
}

/** Creates and removes `probe`; an OutputError naming `target` if that fails. */
function probeCreate(probe: string, target: string, verb: string): void {
  try {
    closeSync(openSync(probe, "w"));
  } catch (error) {
    throw outputError(target, error, verb, dirname(probe));
  } finally {
    rmSync(probe, { force: true });
  }
}

/** `path` with its symbolic links followed, or as an absolute path where it does not exist. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Whether writing `output` replaces the file `input` reads. A write renames a new file over the output's name, so
 * the links of the output's directory are followed but not the output itself (a link there is replaced, not what
 * it points to); every link of the input is followed: `senko link.wav --out talk.wav` with link.wav -> talk.wav
 * would put the result in place of the recording.
 */
export function replacesInput(output: string, input: string): boolean {
  return join(realPath(dirname(output)), basename(output)) === realPath(input);
}

/**
 * Fails now, with the OutputError the write would give, if `path` cannot be written: its directory is missing
 * or not a directory, it is a directory, or a file cannot be created beside it (permission, read-only file
 * system). Checked before minutes of work, not after.
 */
export function checkWritable(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) throw new OutputError(`cannot write ${path}: the directory ${dir} does not exist`, path);
  if (!statSync(dir).isDirectory()) throw new OutputError(`cannot write ${path}: ${dir} is not a directory`, path);
  if (existsSync(path) && statSync(path).isDirectory()) throw new OutputError(`cannot write ${path}: it is a directory`, path);
  if (!writtenInPlace(path)) return probeCreate(tmpName(path), path, "write");
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw outputError(path, error);
  }
}

/**
 * Fails now, with the OutputError `makeOutputDir` would give, if `dir` could not be made or written in; makes
 * nothing (a job refused later for its options leaves no directory behind).
 */
export function checkOutputDir(dir: string): void {
  const existing = nearestExisting(dir);
  if (existing === dir && !statSync(dir).isDirectory()) throw new OutputError(`cannot write to ${dir}: it exists and is not a directory`, dir);
  if (!statSync(existing).isDirectory()) throw new OutputError(`cannot create ${dir}: a parent in the path is not a directory`, dir);
  probeCreate(join(existing, `.senko-${process.pid}.tmp`), dir, existing === dir ? "write to" : "create");
}

/** `path` if it exists, else its nearest parent that does: where `mkdir -p path` starts creating. */
export function nearestExisting(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return existing;
}

/** Creates an output directory (and its parents) and checks that files can be written in it; an OutputError if not. */
export function makeOutputDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new OutputError(`cannot write to ${dir}: it exists and is not a directory`, dir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw outputError(dir, error, "create");
  }
  probeCreate(join(dir, `.senko-${process.pid}.tmp`), dir, "write to");
}

/** A file to write and its text. */
export interface OutputFile {
  path: string;
  text: string;
}

/** Where the CLI puts a result */
export interface ResultPlaces {
  formats: readonly OutputFormat[];
  /** one file of formats[0] */
  out?: string;
  /** a file per format, named for the input */
  outDir?: string;
  /** also RTTM, here */
  rttm?: string;
}

/** The files of a result, for writeFilesAtomic: none when it goes to stdout alone. */
export function resultFiles(result: DiarizationResult, input: string, places: ResultPlaces, context: FormatContext = {}): OutputFile[] {
  const { formats, out, outDir, rttm } = places;
  const targets = outDir !== undefined ? formats.map((format) => ({ format, path: outDirFile(outDir, input, format) })) : out !== undefined ? [{ format: formats[0]!, path: out }] : [];
  const files = targets.map(({ format, path }) => ({ path, text: formatResult(result, format, input, { ...context, outFile: path }) }));
  return rttm === undefined ? files : [...files, { path: rttm, text: toRttm(result, rttmUri(input)) }];
}

/** The file `--out-dir <outDir>` gives `input`'s result in `format`. */
export function outDirFile(outDir: string, input: string, format: OutputFormat): string {
  return join(outDir, `${rttmUri(input)}.${OUTPUT_FORMATS[format]}`);
}

/**
 * Writes `text` to a temporary name beside `path`, syncs it, renames it over `path` and syncs the directory:
 * readers never see half a file, a failure leaves the previous file (or none) and no temporary one, and a
 * machine that dies after the call still has the file. Synchronous, so a Ctrl-C handled in JS
 * (src/interrupt.ts) comes before or after it, never inside. Throws an OutputError with a one-line message.
 */
export function writeFileAtomic(path: string, text: string): void {
  writeFilesAtomic([{ path, text }]);
}

/**
 * Writes the files of one result (its formats, its --rttm) as writeFileAtomic does, all or none: every file is
 * written and synced under its temporary name before the first rename, so a full disk or a size limit leaves
 * none of them and the previous files as they were; a rename that fails (rare: the temporary file is beside
 * its target) removes those renamed before it. A path given twice is written once, with its last text. A
 * target that is no regular file (/dev/null, a FIFO) or a descriptor (/dev/stdout) is written into, after the
 * temporary files and before the renames.
 */
export function writeFilesAtomic(files: readonly OutputFile[]): void {
  const unique = [...new Map(files.map((file) => [file.path, file])).values()];
  const inPlace = unique.filter(({ path }) => writtenInPlace(path));
  const replaced = unique.filter((file) => !inPlace.includes(file));
  const temporary: string[] = [];
  const renamed: string[] = [];
  let current = "";
  try {
    for (const { path, text } of replaced) {
      current = path;
      temporary.push(tmpName(path));
      writeSynced(tmpName(path), text);
    }
    for (const { path, text } of inPlace) {
      current = path;
      writeInto(path, text);
    }
    for (const { path } of replaced) {
      current = path;
      renameSync(tmpName(path), path);
      renamed.push(path);
    }
  } catch (error) {
    for (const path of [...temporary, ...renamed]) rmSync(path, { force: true });
    throw outputError(current, error);
  }
  for (const dir of new Set(replaced.map(({ path }) => dirname(path)))) syncDirectory(dir);
}

/** Writes `text` to a new file `path` and syncs it. */
function writeSynced(path: string, text: string): void {
  const fd = openSync(path, "w");
  try {
    writeAll(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `text` into the device, pipe or descriptor `path` (fsync has no meaning there, and a pipe refuses it);
 * appended, so a redirected stdout keeps what was written to it before, as the shell's `>` would.
 */
function writeInto(path: string, text: string): void {
  const fd = openSync(path, "a");
  try {
    writeAll(fd, text);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, text: string): void {
  // A write may be cut short (a full disk, a size limit): the rest is written again, and then fails.
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

/** Makes a rename in `dir` durable: a machine that dies later still has the file. */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return; // a directory that cannot be opened for reading (Windows) cannot be synced either
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is done
  } finally {
    closeSync(fd);
  }
}
