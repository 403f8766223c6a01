/** @module The `senko` / `diarize.ts` command line: a thin shell over the Diarizer. */
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { probeAudio } from "./audio/index.ts";
import { readAudioStream, type StreamAudio } from "./audio/read-stream.ts";
import { CLUSTER_METHODS, UMAP_FROM_SEC } from "./cluster/cluster.ts";
import { POSTPROCESS_DEFAULTS } from "./cluster/postprocess.ts";
import { DEFAULT_MIN_CLUSTER_SIZE, DEFAULT_MIN_CLUSTER_SPEECH_SEC } from "./pipeline/overlap/constrained-clustering.ts";
import type { ComputeContext } from "./compute-context.ts";
import { Diarizer, type DiarizationResult, type DiarizerOptions } from "./diarizer.ts";
import { DEVICES } from "./models/execution-provider.ts";
import { AudioFormatError, ConfigError, isUserError, oneLine, OutputError, SenkoError, TranscriptFormatError, UsageError } from "./errors.ts";
import { EMBED_AUDIO_MAX_BYTES } from "./output/html.ts";
import { ProgressBar } from "./output/progress.ts";
import { DEFAULT_PIPELINE, foreignOptionsMessage, PIPELINES, pipelineNames, type PipelineName } from "./pipeline/registry.ts";
import { endOnSignal, interruption } from "./interrupt.ts";
import { LIVE_HELP, liveCommand } from "./live/cli.ts";
import { WINDOWS, type WindowsChoice } from "./pipeline/subsegment.ts";
import { checkWritable, formatClash, formatResult, makeOutputDir, OUTPUT_FORMATS, outDirFile, resultFiles, rttmFileId, rttmUri, writeFilesAtomic, type OutputFormat } from "./output/writers.ts";
import { attributeTranscript } from "./transcript/attribute.ts";
import { attributeCommand, attributionSummary } from "./transcript/command.ts";
import { writeStdout } from "./output/stdout.ts";
import { readTranscript } from "./transcript/read.ts";
import { THREADS_MAX } from "./thread-pool.ts";
import { VERSION } from "./version.ts";

/** `--help`, its usage lines naming `command`: what the user ran (see scriptCommand). */
const help = (command: string) => `senko ${VERSION}: who spoke when

usage: ${command} <audio...> [options]
       ${command} attribute <transcript> <diarization.json|.rttm> [--format text|srt|vtt|json] [--out <file>] [-q]
       ${command} models [--offline] [--json]  fetch and verify the models ahead of time (see ${command} models --help)
       ${command} submit|worker|status --redis <url> ...  a job queue for many files on many machines (see ${command} submit --help)

Inputs are WAV files (any PCM/float encoding, rate and channel count), anything ffmpeg reads
(mp3, m4a, flac, ogg, opus, video...), glob patterns ("calls/*.wav", quoted), or - for stdin;
a file whose name starts with - is given as ./-notes.wav.
All inputs are checked before the models load (a bad one is reported at once and skipped); then the
others are diarized one after another with the same models.

output:
  -o, --out <file|->     where the result goes (one input only); - is stdout (the default)
  --out-dir <dir>        one file per input and format: <dir>/<input name>.<json|rttm|csv|txt|srt|vtt|html>
                         (the directory is created if needed)
  -f, --format <f[,f...]>
                         json | rttm | csv | text | srt | vtt | html; several, comma-separated, with
                         --out-dir (default: from the --out extension, else json for files, text for
                         stdout); srt and vtt: a subtitle per speaker turn, one speaker at a time;
                         html: a page with the timeline and a player (audio embedded up to ${EMBED_AUDIO_MAX_BYTES / 2 ** 20} MiB,
                         else linked by a path relative to the page)
  --rttm <file>          also write RTTM (one input only)
  --colors               add speaker colour palettes to the JSON
  --transcript <file>    who said what: a word-timed transcript of the input (whisper.cpp -ojf JSON,
                         openai-whisper / faster-whisper JSON, SRT, WebVTT); text, srt and vtt then
                         hold its words in speaker turns, json gets a "transcript" field, html lists
                         the turns under the timeline (one input; not with rttm or csv alone)
diarization:
  --pipeline <name>      ${pipelineNames().join(" | ")} (default ${DEFAULT_PIPELINE})
${pipelineNames().map((name) => `                           ${name}: ${PIPELINES[name].description}`).join("\n")}
  --num-speakers <n>     exactly n speakers
  --min-speakers <n>     at least n speakers
  --max-speakers <n>     at most n speakers
  --min-cluster-speech <s|off>
                         overlap-aware: keep a speaker with few embeddings when heard alone for s
                         seconds in windows of its own (default ${DEFAULT_MIN_CLUSTER_SPEECH_SEC}); off: fold every speaker with
                         fewer than ${DEFAULT_MIN_CLUSTER_SIZE} embeddings (pyannote's rule)
  --cluster <method>     vad-windows: agglomerative | auto | spectral | umap-hdbscan (default
                         agglomerative; auto is Senko's: spectral under ${UMAP_FROM_SEC / 60} minutes, UMAP + HDBSCAN from ${UMAP_FROM_SEC / 60})
  --merge-cosine <x>     vad-windows: merge speakers whose mean embeddings have at least this cosine
                         (default ${POSTPROCESS_DEFAULTS.mergeCosine})
  --windows <w>          vad-windows: default (${WINDOWS.default.windowSec} s every ${WINDOWS.default.shiftSec} s) | accurate (${WINDOWS.accurate.windowSec} s every ${WINDOWS.accurate.shiftSec.toFixed(2)} s,
                         Senko's accurate)
  --vad <v>              vad-windows: silero | pyannote | auto (default auto: pyannote on CUDA, else silero)
  --device <d>           auto | cpu | cuda | coreml | directml (default auto: the
                         platform's accelerator when it can run, else the CPU)
  --threads <n>          threads for the native stages and the models (default: one per CPU;
                         at most ${THREADS_MAX})
${LIVE_HELP}
other:
  -q, --quiet            nothing on stderr but errors (no progress bar, summary or warnings)
  -v, --version          print the version
  -h, --help             this text

On a terminal a progress bar per stage is drawn on stderr; each input gets a summary there: counts,
the turns (unless they go to stdout) and the seconds each stage took.
Output files are written under a temporary name and renamed, so they are never half-written; an input's
files (its formats, --rttm) land together or not at all.
If an input fails, it gets no output, the others still run, and the exit code is 2.
Ctrl-C or SIGTERM stops at once with one line; finished inputs keep their outputs, the others none.
Exit codes: 0 done, 2 bad input or usage (one line on stderr), 1 anything else; 130 (Ctrl-C) and 143
(SIGTERM) as the shell reports a process the signal ended.

examples:
  senko meeting.wav                                  speaker turns as text on stdout
  senko meeting.mp3 --out meeting.json               the full result as JSON
  senko podcast.wav --num-speakers 2 --format rttm   RTTM on stdout
  senko talk.mp4 --out talk.srt                      subtitles: a cue per speaker turn
  senko meeting.wav --out meeting.html               a timeline to look at and listen to
  senko "calls/*.wav" --out-dir results --format json,rttm --quiet
  ffmpeg -i talk.mkv -f wav - | senko - --format csv
  senko talk.wav --transcript talk.json --out talk.vtt   subtitles of who said what
  senko attribute talk.srt talk.rttm --format text       the same from a diarization made before
  arecord -f S16_LE -r 16000 -c 1 -t wav | senko --live - --out meeting.json   who speaks, while they speak
  ffmpeg -re -i talk.mp4 -f wav - | senko --live - --out talk.rttm
`;

export const FORMATS = Object.keys(OUTPUT_FORMATS) as OutputFormat[];
const STDIN = "-";

/** The parseArgs table of the flags that decide a file's result: `senko <audio>` and `senko submit` take them alike. */
export const DIARIZATION_FLAGS = {
  pipeline: { type: "string" },
  vad: { type: "string" },
  "num-speakers": { type: "string" },
  "min-speakers": { type: "string" },
  "max-speakers": { type: "string" },
  "min-cluster-speech": { type: "string" },
  cluster: { type: "string" },
  "merge-cosine": { type: "string" },
  windows: { type: "string" },
} as const satisfies Record<string, { type: "string" }>;

/** The options of `senko <audio>` (and `senko attribute`); `--help` and the README list each of them (test/docs.test.ts). */
export const CLI_OPTIONS = {
  out: { type: "string", short: "o" },
  "out-dir": { type: "string" },
  format: { type: "string", short: "f" },
  rttm: { type: "string" },
  transcript: { type: "string" },
  ...DIARIZATION_FLAGS,
  device: { type: "string" },
  threads: { type: "string" },
  colors: { type: "boolean" },
  live: { type: "boolean" },
  "raw-rate": { type: "string" },
  "raw-format": { type: "string" },
  "raw-channels": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: CLI_OPTIONS, tokens: true });
  } catch (error) {
    throw argumentError(error, argv, CLI_OPTIONS);
  }
  refuseAttachedValues(argv, parsed.tokens);
  return parsed;
}

/**
 * A value attached to a short option (`-output.wav` is -o utput.wav, `-o=x` is -o =x) is refused: it is most
 * often a file whose name starts with -, and would otherwise be read silently as an option.
 */
export function refuseAttachedValues(argv: readonly string[], tokens: readonly { kind: string; rawName?: string; value?: string; inlineValue?: boolean; index: number }[]): void {
  const attached = tokens.find((t) => t.kind === "option" && t.inlineValue === true && !t.rawName!.startsWith("--"));
  if (attached === undefined) return;
  const argument = argv[attached.index]!;
  const apart = `${attached.rawName} ${attached.value}`;
  throw new UsageError(`${argument} reads as ${apart}: give an option's value apart (${apart}), and a file whose name starts with - as ./${argument} (see --help)`);
}

/**
 * A parseArgs error as one line. Node's messages run over several lines: all are kept (an ambiguous value such as
 * `--threads -1` is explained only by the later ones), but not the hint about positionals after `--`, which names
 * the letter rather than the argument, nor the attached form of an ambiguous short option's value (`-o-x.json`),
 * which refuseAttachedValues refuses. An unknown option of `argv` says instead how to give a file whose name
 * starts with - (`-notes.wav` reads as -n and -o tes.wav): as ./-notes.wav. Not `senko -- -notes.wav`: Bun drops
 * a `--` that comes first (oven-sh/bun#13984), so the CLI would see what it refused.
 */
export function argumentError(error: unknown, argv: readonly string[] = [], options: ParseArgsOptionsConfig = {}): UsageError {
  const message = oneLine((error as Error).message.replace(/\. To specify a positional argument.*$/s, "").replace(/ or '-\w-XYZ'\.$/, "."));
  const unknown = (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? unknownOption(argv, options) : undefined;
  if (unknown === undefined) return new UsageError(`${message} (see --help)`);
  const { option, argument } = unknown;
  const from = argument === option ? "" : ` (in ${argument})`;
  return new UsageError(`Unknown option '${option}'${from}; a file whose name starts with - is given as ./${argument} (see --help)`);
}

/** The first option of `argv` that `options` lacks, as written, and the argument it is in. */
function unknownOption(argv: readonly string[], options: ParseArgsOptionsConfig): { option: string; argument: string } | undefined {
  const { tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  const token = tokens.find((t) => t.kind === "option" && !Object.hasOwn(options, t.name));
  return token?.kind === "option" ? { option: token.rawName, argument: argv[token.index]! } : undefined;
}

export function wholeNumber(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : "";
    throw new UsageError(`--${name} takes a whole number${range}, got "${value}"`);
  }
  return n;
}

function fraction(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(x > 0 && x <= 1)) throw new UsageError(`--${name} takes a number in (0, 1], got "${value}"`);
  return x;
}

/** A number of seconds above 0, or "off" (Infinity: nothing is that long). */
function secondsOrOff(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === "off") return Infinity;
  const x = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(x > 0)) throw new UsageError(`--${name} takes a number of seconds above 0 or "off", got "${value}"`);
  return x;
}

export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

/** Characters that make an argument a glob (local paths and s3:// URLs alike). */
export const GLOB_CHARS = /[*?[{]/;

/** The flags that set a Diarizer option, by parse name, and that option: the registry knows which pipeline reads it. */
const OPTION_FLAGS = {
  vad: "vad",
  "num-speakers": "numSpeakers",
  "min-speakers": "minSpeakers",
  "max-speakers": "maxSpeakers",
  "min-cluster-speech": "minClusterSpeechSec",
  cluster: "clusterMethod",
  "merge-cosine": "mergeCosine",
  windows: "windows",
  threads: "threads",
  device: "device",
} as const satisfies Record<string, keyof DiarizerOptions>;

type OptionFlag = keyof typeof OPTION_FLAGS;

/**
 * Flags of options that only another pipeline than `pipeline` reads (the default is overlap-aware): a usage
 * error naming the flags, rather than the Diarizer's ConfigError naming its options.
 */
function checkPipelineOptions(pipeline: PipelineName | undefined, values: Partial<Record<OptionFlag, unknown>>): void {
  const flags = Object.keys(OPTION_FLAGS) as OptionFlag[];
  const given = Object.fromEntries(flags.map((flag) => [OPTION_FLAGS[flag], values[flag]]));
  const foreign = foreignOptionsMessage(pipeline ?? DEFAULT_PIPELINE, given, { spell: optionFlag, choose: (owner) => `add --pipeline ${owner}` });
  if (foreign !== undefined) throw new UsageError(foreign);
}

/** The flag that sets Diarizer option `key`. */
function optionFlag(key: string): string {
  return `--${(Object.keys(OPTION_FLAGS) as OptionFlag[]).find((flag) => OPTION_FLAGS[flag] === key)}`;
}

/**
 * The Diarizer options of DIARIZATION_FLAGS, each value checked (a UsageError naming the flag), and flags of a
 * pipeline other than the chosen one refused.
 */
export function diarizationOptions(values: Partial<Record<keyof typeof DIARIZATION_FLAGS, string>>) {
  const options = {
    pipeline: oneOf("pipeline", values.pipeline, pipelineNames()),
    vad: oneOf("vad", values.vad, ["silero", "pyannote", "auto"] as const),
    numSpeakers: wholeNumber("num-speakers", values["num-speakers"], 1),
    minSpeakers: wholeNumber("min-speakers", values["min-speakers"], 1),
    maxSpeakers: wholeNumber("max-speakers", values["max-speakers"], 1),
    minClusterSpeechSec: secondsOrOff("min-cluster-speech", values["min-cluster-speech"]),
    clusterMethod: oneOf("cluster", values.cluster, CLUSTER_METHODS),
    mergeCosine: fraction("merge-cosine", values["merge-cosine"]),
    windows: oneOf("windows", values.windows, Object.keys(WINDOWS) as WindowsChoice[]),
  } satisfies DiarizerOptions;
  checkPipelineOptions(options.pipeline, values);
  return options;
}

/** Positional arguments to input paths: existing paths as given, patterns expanded (sorted), - kept. */
export function expandInputs(args: readonly string[], cwd = process.cwd()): string[] {
  const inputs: string[] = [];
  for (const arg of args) {
    if (arg === STDIN || !GLOB_CHARS.test(arg) || existsSync(arg)) {
      inputs.push(arg);
      continue;
    }
    const absolute = isAbsolute(arg);
    const matches = [...new Bun.Glob(absolute ? arg.slice(1) : arg).scanSync({ cwd: absolute ? "/" : cwd, onlyFiles: true, dot: false })]
      .map((m) => (absolute ? `/${m}` : m))
      .sort();
    if (matches.length === 0) throw new UsageError(`no file matches ${arg}`);
    inputs.push(...matches);
  }
  if (inputs.filter((i) => i === STDIN).length > 1) throw new UsageError("- (stdin) can be given only once");
  return inputs;
}

function formatFromPath(path: string): OutputFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  return FORMATS.find((f) => OUTPUT_FORMATS[f] === ext);
}

/** Where each input's results go. */
interface Plan {
  inputs: string[];
  formats: OutputFormat[];
  /** a file, or undefined for stdout */
  out: string | undefined;
  outDir: string | undefined;
  rttm: string | undefined;
}

function plan(values: ReturnType<typeof parse>["values"], inputs: string[]): Plan {
  const several = inputs.length > 1;
  const toStdout = values.out === undefined || values.out === "-";
  const out = toStdout ? undefined : values.out;
  const outDir = values["out-dir"];
  if (outDir !== undefined && values.out !== undefined) throw new UsageError("give --out or --out-dir, not both");
  if (several && out) throw new UsageError(`--out names one file, but there are ${inputs.length} inputs: use --out-dir <dir>`);
  if (several && values.rttm) throw new UsageError(`--rttm names one file, but there are ${inputs.length} inputs: use --out-dir <dir> --format json,rttm`);
  const listed = values.format?.split(",").map((f) => oneOf("format", f.trim(), FORMATS)!);
  if (listed && new Set(listed).size !== listed.length) throw new UsageError(`--format lists a format twice: ${values.format}`);
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
  const read = [...inputs.filter((input) => input !== STDIN), ...(values.transcript === undefined ? [] : [values.transcript])].map((file) => resolve(file));
  const outDirFiles = outDir === undefined ? [] : inputs.flatMap((input) => formats.map((format) => outDirFile(outDir, input, format)));
  for (const file of [out, values.rttm, ...outDirFiles]) {
    if (file !== undefined && read.includes(resolve(file))) throw new UsageError(`${file} is an input: writing the result there would replace it`);
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

/** What the user reads on stderr: counts and time, the turns (unless they went to stdout), time per stage. */
function summary(input: string, result: DiarizationResult, withTurns: boolean): string {
  const t = result.timingStats;
  const rtf = result.durationSec > 0 ? ` (RTF ${(t.total / result.durationSec).toFixed(3)})` : "";
  const turns = withTurns ? result.mergedSegments.slice(0, 20).map((s) => `  ${s.start.toFixed(2).padStart(9)}  ${s.end.toFixed(2).padStart(9)}  ${s.speaker}\n`) : [];
  const more = withTurns && result.mergedSegments.length > 20 ? `  ... ${result.mergedSegments.length - 20} more\n` : "";
  const label: Record<string, string> = { vad: `vad(${result.vad})`, clustering: `clustering(${result.clustering})` };
  const stages = Object.entries(t)
    .filter(([stage]) => stage !== "total")
    .map(([stage, sec]) => `${label[stage] ?? stage} ${sec.toFixed(2)}`)
    .join("  ");
  const overlap = result.overlapSec > 0 ? `, ${result.overlapSec.toFixed(1)} s overlapped` : "";
  return (
    `${input}: ${result.durationSec.toFixed(1)} s of audio, ${result.mergedSpeakersDetected} speaker(s), ` +
    `${result.mergedSegments.length} segment(s)${overlap}, ${t.total.toFixed(2)} s${rtf} (pipeline ${result.pipeline})\n` +
    turns.join("") +
    more +
    `  stages (s): ${stages}\n`
  );
}

/** One line, no stack: the message of a SenkoError, or a short note for anything unexpected. */
export function describe(error: unknown): string {
  if (error instanceof SenkoError) return oneLine(error.message);
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `internal error: ${text.split("\n")[0]} (run with SENKO_DEBUG=1 for details)`;
}

/** How many inputs are probed at once (ffmpeg runs for non-WAV files). */
const PROBES_AT_ONCE = 4;

/**
 * Each input's problem found by `probeAudio` (undefined: none), in input order, and the audio of stdin
 * (read now, to its end, so that it is checked with the files: it cannot be read twice; a problem its first
 * bytes show is found before the rest is waited for).
 */
async function probeInputs(inputs: readonly string[], context: ComputeContext): Promise<{ problems: (AudioFormatError | undefined)[]; stdin: StreamAudio | undefined }> {
  const problems: (AudioFormatError | undefined)[] = inputs.map(() => undefined);
  let stdin: StreamAudio | undefined;
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < inputs.length; i = next++) {
      const input = inputs[i]!;
      try {
        if (input === STDIN) stdin = await readAudioStream(Bun.stdin.stream(), { name: STDIN, keepBytes: EMBED_AUDIO_MAX_BYTES, context });
        else await probeAudio(input, { name: input });
      } catch (error) {
        if (!(error instanceof AudioFormatError)) throw error;
        problems[i] = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, inputs.length) }, lane));
  return { problems, stdin };
}

/** The command that runs the script at `path` (diarize.ts): `senko` where it is installed, `bun run diarize.ts` in a checkout. */
export const scriptCommand = (path: string) => (/[\\/]node_modules[\\/]/.test(path) ? "senko" : "bun run diarize.ts");

/**
 * Runs the CLI; returns the process exit code (0 ok, 2 bad input or usage, 1 anything else). `command` is
 * what the user ran, for `--help`: `senko`, the executable's name, or `bun run diarize.ts`.
 */
export async function main(argv: string[], command = "senko"): Promise<number> {
  // Subcommands, each in its own module.
  if (argv[0] === "submit" || argv[0] === "worker" || argv[0] === "status") {
    // Loaded only here: diarizing files does not need BullMQ. Workers handle signals themselves.
    const { queueMain } = await import("./queue/cli.ts");
    return queueMain(argv[0], argv.slice(1));
  }
  const err = (line: string) => process.stderr.write(`senko: ${line}\n`);
  const report = (error: unknown) => {
    err(describe(error));
    if (process.env.SENKO_DEBUG) console.error(error);
  };
  let failed = false;
  let done = 0;
  // Ctrl-C or SIGTERM: one line, and the process ends by the signal (--live handles them itself).
  let describeInterruption = interruption;
  const stopOnSignal = endOnSignal((signal) => describeInterruption(signal));
  try {
    if (argv[0] === "models") return await (await import("../models/cli.ts")).modelsCommand(argv.slice(1));
    const { values, positionals } = parse(argv);
    if (values.help || values.version) {
      await writeStdout(values.help ? help(command) : `senko ${VERSION}\n`);
      return 0;
    }
    for (const flag of ["out", "out-dir", "rttm", "transcript"] as const) {
      if (values[flag] === "") throw new UsageError(`--${flag} needs a ${flag === "out-dir" ? "directory" : "file"} name, got an empty one`);
    }
    if (positionals[0] === "attribute") {
      const { out, format, quiet, ...others } = values;
      await attributeCommand(positionals.slice(1), { out, format, quiet, others: Object.keys(others) });
      return 0;
    }
    if (positionals.length === 0) throw new UsageError("no input file given (see --help)");
    const quiet = values.quiet ?? false;
    const options = {
      ...diarizationOptions(values),
      device: oneOf("device", values.device, DEVICES),
      threads: wholeNumber("threads", values.threads, 0, THREADS_MAX),
    };
    const { inputs, formats, out, outDir, rttm } = plan(values, expandInputs(positionals));
    if (values.transcript !== undefined && inputs.length > 1) throw new UsageError(`--transcript is the transcript of one recording, but there are ${inputs.length} inputs`);
    if (values.transcript !== undefined && formats.every((f) => f === "rttm" || f === "csv")) {
      throw new UsageError(`--transcript goes with --format text, srt, vtt, json or html; ${formats.join(" and ")} cannot hold words`);
    }
    if (values.live) {
      if (inputs.length !== 1 || values.transcript !== undefined) throw new UsageError("--live takes one input (- or a file being written) and no --transcript");
      const raw = { rate: wholeNumber("raw-rate", values["raw-rate"], 1), format: values["raw-format"], channels: wholeNumber("raw-channels", values["raw-channels"], 1) };
      // stdout carries the turns as they settle: a --format (or --out -) for it would be dropped without a word.
      if (out === undefined && outDir === undefined && (values.format !== undefined || values.out === STDIN)) {
        throw new UsageError("--live prints the turns on stdout as they settle; its final result goes to --out <file> or --out-dir <dir>");
      }
      // Options the live form cannot take are refused before any model loads (the input's header is checked next, in liveCommand).
      const refusal = await PIPELINES[options.pipeline ?? DEFAULT_PIPELINE].liveRefusal?.(options, options.device ?? "auto", (key, value) => `${optionFlag(key)} ${value}`);
      if (refusal !== undefined) throw new UsageError(refusal);
      if (outDir !== undefined) makeOutputDir(outDir);
      const live = { input: inputs[0]!, options: { ...options, colors: values.colors ?? false }, raw, formats, out, outDir, rttm, quiet };
      const running = liveCommand({ ...live, usage: (message) => new UsageError(message) });
      // Its own signal handling is on by now (set before its first await): Ctrl-C ends the stream there.
      stopOnSignal();
      return await running;
    }
    if ([values["raw-rate"], values["raw-format"], values["raw-channels"]].some((v) => v !== undefined)) throw new UsageError("--raw-rate, --raw-format and --raw-channels go with --live");
    const transcript = values.transcript === undefined ? undefined : readTranscript(values.transcript);

    const bar = !quiet && process.stderr.isTTY ? new ProgressBar({ write: (s) => process.stderr.write(s), columns: process.stderr.columns }) : undefined;
    // Made now (its models load on the first diarize): stdin is decoded on its native threads.
    const diarizer = new Diarizer({ ...options, colors: values.colors ?? false, quiet, onProgress: bar && ((p) => bar.update(p)) });
    // Every input is checked before the models load: a bad file is reported at once and skipped, the others run.
    const { problems, stdin } = await probeInputs(inputs, diarizer.context);
    for (const problem of problems) if (problem) report(problem);
    const readable = inputs.filter((_, i) => problems[i] === undefined);
    failed = readable.length < inputs.length;
    if (readable.length === 0) return 2;
    if (outDir !== undefined) makeOutputDir(outDir);

    describeInterruption = (signal) => {
      bar?.done();
      return `${interruption(signal)}${readable.length > 1 ? `: ${done} of ${readable.length} inputs done` : ""}`;
    };
    for (const [index, input] of readable.entries()) {
      bar?.start(readable.length > 1 ? `[${index + 1}/${readable.length}] ${input}` : input);
      let result: DiarizationResult;
      // stdin, decoded by probeInputs; its warnings are the reading's.
      const read = input === STDIN ? stdin!.audio : undefined;
      try {
        result = await diarizer.diarize(read ? { samples: read.samples, sampleRate: read.sampleRate } : input, { name: input });
        if (read) result = { ...result, warnings: [...read.warnings, ...result.warnings] };
      } catch (error) {
        bar?.done();
        // A bad input spoils only itself; anything else (models, native library) stops the run.
        if (!(error instanceof AudioFormatError)) throw error;
        report(error);
        failed = true;
        continue;
      }
      bar?.done();
      if (!quiet) {
        for (const warning of result.warnings) err(`warning: ${input}: ${warning}`);
        process.stderr.write(summary(input, result, outDir !== undefined || out !== undefined));
      }
      // Attributed once for the summary and every format.
      const attributed = transcript && attributeTranscript(transcript, result);
      if (attributed && !quiet) process.stderr.write(attributionSummary(values.transcript!, attributed));
      // A stdin too large to embed in a page gives it no player.
      const context = { transcript: attributed, audio: input !== STDIN ? { path: input } : stdin!.bytes && { bytes: stdin!.bytes } };
      let stdoutGone = false;
      if (outDir === undefined && out === undefined) {
        const text = formatResult(result, formats[0]!, input, context);
        stdoutGone = !(await writeStdout(inputs.length > 1 && formats[0] === "text" ? `# ${input}\n${text}` : text));
      }
      // All of the input's files or none (a full disk half-way leaves no format written).
      writeFilesAtomic(resultFiles(result, input, { formats, out, outDir, rttm }, context));
      done++;
      if (stdoutGone) break;
    }
  } catch (error) {
    report(error);
    return isUserError(error) ? 2 : 1;
  } finally {
    stopOnSignal();
  }
  return failed ? 2 : 0;
}
