/**
 * @module `senko voice-print <clip> --out <print.json>`: a known speaker's voice print, made from a clip of that
 * speaker alone and saved for `--voice NAME=<print.json>` (or the `voices` option) to use.
 */
import { modelsDirectory, oneOf, wholeNumber } from "../cli/flag-values.ts";
import { helpHint, parseOptions } from "../cli/parse.ts";
import { Diarizer } from "../diarizer.ts";
import { UsageError } from "../errors.ts";
import { DEVICES } from "../models/execution-provider.ts";
import { writeStdout } from "../output/stdout.ts";
import { checkWritable } from "../output/writers.ts";
import { pipelineNames } from "../pipeline/registry.ts";
import { THREADS_MAX } from "../thread-pool.ts";
import { saveVoicePrint } from "./voice-print.ts";

const VOICE_PRINT_OPTIONS = {
  out: { type: "string", short: "o" },
  pipeline: { type: "string" },
  device: { type: "string" },
  threads: { type: "string" },
  "models-dir": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/** `senko voice-print --help`, its usage line naming `command` (`senko voice-print`, `bun run diarize.ts voice-print`). */
const voicePrintHelp = (command: string) => `usage: ${command} <clip> --out <print.json> [--pipeline <name>] [--device <name>] [--threads <n>] [--models-dir <dir>] [-q]

Makes the voice print of the speaker heard most in <clip> (a few seconds of that speaker alone, any audio senko
reads) and saves it as JSON, for senko <audio> --voice NAME=<print.json>. A print is made by one pipeline and
names speakers of that pipeline only.

  -o, --out <file>       the print's .json (written whole or not at all)
  --pipeline <name>      overlap-aware (default) or vad-windows: the pipeline the print is for
  --device <name>        as senko <audio> --device
  --threads <n>          as senko <audio> --threads
  --models-dir <dir>     as senko <audio> --models-dir
  -q, --quiet            nothing on stderr but errors (no summary)
  -h, --help             this text`;

/** Runs `senko voice-print <argv>`; errors are thrown (a UsageError, ConfigError or AudioFormatError for bad input) for the CLI to report. */
export async function voicePrintCommand(argv: string[], command: string): Promise<void> {
  const { values, positionals } = parseOptions(argv, VOICE_PRINT_OPTIONS, () => command);
  if (values.help) {
    await writeStdout(`${voicePrintHelp(command)}\n`);
    return;
  }
  if (positionals.length !== 1) throw new UsageError(`voice-print takes one clip of the speaker, got ${positionals.length} ${helpHint(command)}`);
  const out = values.out;
  if (out === undefined || !out.toLowerCase().endsWith(".json")) throw new UsageError(`--out <file>.json names where the print goes, got ${out === undefined ? "none" : JSON.stringify(out)} ${helpHint(command)}`);
  // Before the clip is read: a print that cannot be saved is not worth making.
  checkWritable(out);
  const diarizer = new Diarizer({
    pipeline: oneOf("pipeline", values.pipeline, pipelineNames()),
    device: oneOf("device", values.device, DEVICES),
    threads: wholeNumber("threads", values.threads, 0, THREADS_MAX),
    modelsDir: await modelsDirectory(values["models-dir"]),
  });
  try {
    const clip = positionals[0]!;
    const print = await diarizer.voicePrint(clip);
    saveVoicePrint(out, print);
    // As senko <audio> and attribute end: one line saying what was made, unless --quiet.
    if (!values.quiet) process.stderr.write(`${clip}: the voice print of ${print.speechSec.toFixed(1)} s of speech (pipeline ${print.pipeline}) is in ${out}\n`);
  } finally {
    await diarizer.close();
  }
}
