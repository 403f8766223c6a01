/** @module Where the results of `senko <audio...>` go: formats and files, checked before any work. */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { namesDescriptorNumber } from "../audio/file-kind.ts";
import { UsageError } from "../errors.ts";
import { checkWritable, formatClash, OUTPUT_FORMATS, outDirFile, replacesInput, rttmFileId, rttmUri, type OutputFormat } from "../output/writers.ts";
import { oneOf } from "./flag-values.ts";
import { STDIN } from "./inputs.ts";

export const FORMATS = Object.keys(OUTPUT_FORMATS) as OutputFormat[];

/** The formats of `--format a,b` (senko <audio> and senko submit), each known and none twice; undefined when not given. */
export function formatList(value: string | undefined): OutputFormat[] | undefined {
  const listed = value?.split(",").map((f) => oneOf("format", f.trim(), FORMATS)!);
  if (listed && new Set(listed).size !== listed.length) throw new UsageError(`--format lists a format twice: ${value}`);
  return listed;
}

/** Extensions that name a format besides its own (`--out timeline.htm` is a page, not JSON under that name). */
const EXTENSION_ALIASES: Readonly<Record<string, OutputFormat>> = { htm: "html" };

function formatFromPath(path: string): OutputFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  return FORMATS.find((f) => OUTPUT_FORMATS[f] === ext) ?? (ext === undefined ? undefined : EXTENSION_ALIASES[ext]);
}

/** The output flags as parsed. */
export interface OutputFlags {
  out?: string;
  "out-dir"?: string;
  format?: string;
  rttm?: string;
  transcript?: string;
}

/** Where each input's results go. */
export interface OutputPlan {
  inputs: string[];
  formats: OutputFormat[];
  /** a file, or undefined for stdout */
  out: string | undefined;
  outDir: string | undefined;
  rttm: string | undefined;
}

/** The plan of `values` for `inputs`, or a UsageError for outputs that clash with each other or with an input. */
export function planOutputs(values: OutputFlags, inputs: string[]): OutputPlan {
  const several = inputs.length > 1;
  const toStdout = values.out === undefined || values.out === "-";
  const out = toStdout ? undefined : values.out;
  const outDir = values["out-dir"];
  if (outDir !== undefined && values.out !== undefined) throw new UsageError("give --out or --out-dir, not both");
  if (several && out) throw new UsageError(`--out names one file, but there are ${inputs.length} inputs: use --out-dir <dir>`);
  if (several && values.rttm) throw new UsageError(`--rttm names one file, but there are ${inputs.length} inputs: use --out-dir <dir> --format json,rttm`);
  const listed = formatList(values.format);
  if (listed && listed.length > 1 && outDir === undefined) throw new UsageError("several --format values need --out-dir (one file per format)");
  const named = out && formatFromPath(out);
  // `--format srt --out talk.vtt` would write SRT (no WEBVTT header) under a name every player reads as WebVTT.
  if (listed && named && listed[0] !== named) {
    throw new UsageError(formatClash(listed[0]!, out!, named, OUTPUT_FORMATS[listed[0]!]));
  }
  const formats = listed ?? [named || (outDir !== undefined || out ? "json" : "text")];
  if (several && outDir === undefined && formats[0] !== "rttm" && formats[0] !== "text") {
    throw new UsageError(`${formats[0]} for ${inputs.length} inputs needs --out-dir <dir> (on stdout, only rttm and text can be concatenated)`);
  }
  // `senko talk.wav --out talk.wav` would replace the recording with its result, and `--transcript talk.json
  // --out-dir .` whisper's transcript.
  const read = [...inputs.filter((input) => input !== STDIN), ...(values.transcript === undefined ? [] : [values.transcript])];
  const outDirFiles = outDir === undefined ? [] : inputs.flatMap((input) => formats.map((format) => outDirFile(outDir, input, format)));
  for (const file of [out, values.rttm, ...outDirFiles]) {
    if (file !== undefined && read.some((input) => replacesInput(file, input))) throw new UsageError(`${file} is an input: writing the result there would replace it`);
  }
  // `--out r.json --rttm r.json`: the RTTM would replace the JSON without a word.
  if (values.rttm !== undefined && [out, ...outDirFiles].some((file) => file !== undefined && resolve(file) === resolve(values.rttm!))) {
    throw new UsageError(`--rttm ${values.rttm} names a file ${out !== undefined ? "--out" : "--out-dir"} writes too: give --rttm another name`);
  }
  // Output places are checked now, not after minutes of work (the directory of --out-dir is made once the inputs are checked).
  for (const file of [out, values.rttm]) {
    if (file === undefined) continue;
    // `--out-dir od --rttm od/x.rttm`: od is made later, and checked then.
    if (outDir === undefined || !madeWith(outDir, dirname(file))) checkWritable(file);
  }
  if (outDir !== undefined) {
    // <(command) gives /dev/fd/63, a number that says nothing of the recording: results named 63.json would
    // be overwritten by the next run's, and none could be told apart.
    const nameless = inputs.find(namesDescriptorNumber);
    if (nameless) {
      throw new UsageError(`${nameless} (a process substitution, <(command)) has no name for its results in --out-dir (they would be ${rttmUri(nameless)}.*): give it alone with --out <file>, or through a FIFO whose name they take (mkfifo talk.wav)`);
    }
    // Two inputs with the same base name would overwrite each other's results.
    const clash = sameName(inputs, rttmUri);
    if (clash) throw new UsageError(`${clash[0]} and ${clash[1]} would both write ${join(outDir, rttmUri(clash[1]))}.*: run them separately`);
    if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UsageError(`--out-dir ${outDir} exists and is not a directory`);
  } else if (several && formats[0] === "rttm") {
    // In one RTTM on stdout they would be one recording to any scorer, their turns mixed.
    const clash = sameName(inputs, (input) => rttmFileId(rttmUri(input)));
    if (clash) throw new UsageError(`${clash[0]} and ${clash[1]} would both be file ${rttmFileId(rttmUri(clash[1]))} in the RTTM on stdout: run them separately`);
  }
  return { inputs, formats, out, outDir, rttm: values.rttm };
}

/** The first two inputs that `name` gives the same name, or undefined. */
function sameName(inputs: readonly string[], name: (input: string) => string): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const input of inputs) {
    const other = seen.get(name(input));
    if (other !== undefined) return [other, input];
    seen.set(name(input), input);
  }
  return undefined;
}

/** `dir` does not exist yet and making `outDir` makes it (it is `outDir` or a parent of it). */
function madeWith(outDir: string, dir: string): boolean {
  const made = resolve(outDir);
  const target = resolve(dir);
  return !existsSync(target) && (made === target || made.startsWith(target.endsWith(sep) ? target : `${target}${sep}`));
}
