/** @module The `senko` / `diarize.ts` command line: a thin shell over the Diarizer. */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Diarizer, type DiarizationResult, type Progress } from "./diarizer.ts";
import { AudioFormatError, ConfigError, SenkoError } from "./errors.ts";
import { formatResult, rttmUri, toRttm, writeFileAtomic, type OutputFormat } from "./output/writers.ts";
import { VERSION } from "./version.ts";

const HELP = `senko ${VERSION}: who spoke when

usage: bun run diarize.ts <audio...> [options]

  --out <path|->         write the result (default format json) to a file, or - for stdout
  --format <f>           json | rttm | csv | text (for --out; default json)
  --rttm <path>          also write RTTM
  --vad <v>              silero | pyannote | auto (default auto: pyannote on CUDA, else silero)
  --device <d>           cpu | cuda | auto (default auto)
  --num-speakers <n>     fix the number of speakers
  --min-speakers <n>     at least n speakers
  --max-speakers <n>     at most n speakers
  --threads <n>          native threads (default: one per CPU)
  --colors               add speaker colour palettes to the JSON
  --quiet                no table, timings or progress on stderr
  --version, --help

With several inputs, --out and --rttm name directories; each file gets <name>.<ext> there.

examples:
  bun run diarize.ts meeting.wav
  bun run diarize.ts meeting.wav --out meeting.json --rttm meeting.rttm
  bun run diarize.ts podcast.wav --num-speakers 2 --format text --out -
  bun run diarize.ts calls/*.wav --out results/ --quiet
`;

const FORMATS: readonly OutputFormat[] = ["json", "rttm", "csv", "text"];
const EXTENSIONS: Record<OutputFormat, string> = { json: "json", rttm: "rttm", csv: "csv", text: "txt" };

class UsageError extends SenkoError {
  override readonly name = "UsageError";
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        format: { type: "string" },
        rttm: { type: "string" },
        vad: { type: "string" },
        device: { type: "string" },
        "num-speakers": { type: "string" },
        "min-speakers": { type: "string" },
        "max-speakers": { type: "string" },
        threads: { type: "string" },
        colors: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        version: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} takes a whole number, got "${value}"`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

function progressBar(quiet: boolean): ((p: Progress) => void) | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  let lastLine = "";
  return ({ stage, done, total }) => {
    const width = 30;
    const filled = total > 0 ? Math.round((width * done) / total) : width;
    const line = `  ${stage.padEnd(11)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
    if (line === lastLine) return;
    lastLine = line;
    process.stderr.write(`\r${line}${done >= total ? "\n" : ""}`);
  };
}

function summary(file: string, result: DiarizationResult): string {
  const rows = result.mergedSegments.slice(0, 20).map((s) => `  ${s.start.toFixed(2).padStart(9)}  ${s.end.toFixed(2).padStart(9)}  ${s.speaker}`);
  const more = result.mergedSegments.length > 20 ? [`  ... ${result.mergedSegments.length - 20} more`] : [];
  const t = result.timingStats;
  const rtf = result.durationSec > 0 ? t.total / result.durationSec : 0;
  return [
    `${file}: ${result.durationSec.toFixed(1)} s of audio, ${result.mergedSpeakersDetected} speaker(s), ${result.mergedSegments.length} segment(s)`,
    "      start        end  speaker",
    ...rows,
    ...more,
    `  timings (s): audio ${t.audio.toFixed(2)}  vad(${result.vad}) ${t.vad.toFixed(2)}  fbank ${t.fbank.toFixed(2)}  ` +
      `embeddings ${t.embeddings.toFixed(2)}  clustering(${result.clustering}) ${t.clustering.toFixed(2)}  total ${t.total.toFixed(2)}  (RTF ${rtf.toFixed(4)})`,
    "",
  ].join("\n");
}

function outputPath(target: string, file: string, ext: string, several: boolean): string {
  if (!several) return target;
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new UsageError(`with several inputs, ${target} must be an existing directory`);
  }
  return join(target, `${rttmUri(file)}.${ext}`);
}

/** Runs the CLI; returns the process exit code (0 ok, 2 user error, 1 anything else). */
export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (values.version) {
      process.stdout.write(`senko ${VERSION}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError("no input file given (see --help)");
    const format = oneOf("format", values.format, FORMATS) ?? "json";
    const quiet = values.quiet ?? false;
    const several = positionals.length > 1;
    if (several && values.out === "-") throw new UsageError("--out - takes a single input file");
    const diarizer = new Diarizer({
      vad: oneOf("vad", values.vad, ["silero", "pyannote", "auto"] as const),
      device: oneOf("device", values.device, ["cpu", "cuda", "auto"] as const),
      numSpeakers: wholeNumber("num-speakers", values["num-speakers"]),
      minSpeakers: wholeNumber("min-speakers", values["min-speakers"]),
      maxSpeakers: wholeNumber("max-speakers", values["max-speakers"]),
      threads: wholeNumber("threads", values.threads),
      colors: values.colors ?? false,
      quiet,
      onProgress: progressBar(quiet),
    });
    for (const file of positionals) {
      const result = await diarizer.diarize(file);
      if (!quiet) process.stderr.write(summary(file, result));
      if (values.out === "-") process.stdout.write(formatResult(result, format, file));
      else if (values.out) writeFileAtomic(outputPath(values.out, file, EXTENSIONS[format], several), formatResult(result, format, file));
      if (values.rttm) writeFileAtomic(outputPath(values.rttm, file, "rttm", several), toRttm(result, rttmUri(file)));
      if (!values.out && !values.rttm && quiet) process.stdout.write(formatResult(result, "text", file));
    }
    return 0;
  } catch (error) {
    const userError = error instanceof UsageError || error instanceof AudioFormatError || error instanceof ConfigError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`senko: ${message}\n`);
    if (!(error instanceof SenkoError) && process.env.SENKO_DEBUG) console.error(error);
    return userError ? 2 : 1;
  }
}
