/** @module The `senko` / `diarize.ts` command line: a thin shell over the Diarizer, dispatching to ./cli/ and the subcommands. */
import { diarizationOptions, optionFlag } from "./cli/diarization-flags.ts";
import { diarizeFiles } from "./cli/diarize-files.ts";
import { modelsDirectory, oneOf, wholeNumber } from "./cli/flag-values.ts";
import { expandInputs, STDIN } from "./cli/inputs.ts";
import { planOutputs, type OutputPlan } from "./cli/output-plan.ts";
import { helpHint, parseOptions } from "./cli/parse.ts";
import { reportError } from "./cli/report.ts";
import { refuseMisspeltSubcommand } from "./cli/subcommands.ts";
import { voiceOptions } from "./cli/voice-flags.ts";
import { CLI_OPTIONS, help } from "./cli/usage.ts";
import type { DiarizerOptions } from "./diarizer.ts";
import { isUserError, UsageError } from "./errors.ts";
import { endOnSignal, interruption } from "./interrupt.ts";
import { liveCommand } from "./live/cli.ts";
import { DEVICES } from "./models/execution-provider.ts";
import { writeStdout } from "./output/stdout.ts";
import { makeOutputDir, rttmUri } from "./output/writers.ts";
import { DEFAULT_PIPELINE, PIPELINES } from "./pipeline/registry.ts";
import { THREADS_MAX } from "./thread-pool.ts";
import { attributeCommand, attributeHelp } from "./transcript/command.ts";
import { readTranscript } from "./transcript/read.ts";
import { VERSION } from "./version.ts";
import { voicePrintCommand } from "./voices/voice-print-command.ts";

// What test/docs.test.ts and test/cli.test.ts read from the command line's module.
export { CLI_OPTIONS } from "./cli/usage.ts";
export { expandInputs } from "./cli/inputs.ts";

/** The command that runs the script at `path` (diarize.ts): `senko` where it is installed, `bun run diarize.ts` in a checkout. */
export const scriptCommand = (path: string) => (/[\\/]node_modules[\\/]/.test(path) ? "senko" : "bun run diarize.ts");

type Values = ReturnType<typeof parseOptions<typeof CLI_OPTIONS>>["values"];

/**
 * Runs the CLI; returns the process exit code (0 ok, 2 bad input or usage, 1 anything else). `command` is
 * what the user ran, for `--help`: `senko`, the executable's name, or `bun run diarize.ts`.
 */
export async function main(argv: string[], command = "senko"): Promise<number> {
  // Subcommands, each in its own module.
  if (argv[0] === "submit" || argv[0] === "worker" || argv[0] === "status") {
    // Loaded only here: diarizing files does not need BullMQ. Workers handle signals themselves.
    const { queueMain } = await import("./queue/cli.ts");
    return queueMain(argv[0], argv.slice(1), command);
  }
  // Ctrl-C or SIGTERM: one line, and the process ends by the signal (--live handles them itself).
  let describeInterruption = interruption;
  const stopOnSignal = endOnSignal((signal) => describeInterruption(signal));
  try {
    if (argv[0] === "models") return await (await import("../models/cli.ts")).modelsCommand(argv.slice(1), undefined, `${command} models`);
    if (argv[0] === "voice-print") {
      await voicePrintCommand(argv.slice(1), `${command} voice-print`);
      return 0;
    }
    refuseMisspeltSubcommand(argv[0], command);
    const { values, positionals } = parseOptions(argv, CLI_OPTIONS, (positionals) => (positionals[0] === "attribute" ? `${command} attribute` : undefined));
    if (values.help || values.version) {
      await writeStdout(values.help ? (positionals[0] === "attribute" ? attributeHelp(command) : help(command)) : `senko ${VERSION}\n`);
      return 0;
    }
    for (const flag of ["out", "out-dir", "rttm", "transcript"] as const) {
      if (values[flag] === "") throw new UsageError(`--${flag} needs a ${flag === "out-dir" ? "directory" : "file"} name, got an empty one`);
    }
    // Only --out takes - (stdout): the others would make a file or folder named "-", or look for one.
    const noDash = [
      ["out-dir", "directory", "for the result on stdout, leave --out-dir out"],
      ["rttm", "file", "for RTTM on stdout: --format rttm"],
      ["transcript", "file", "give the transcript's file"],
    ] as const;
    for (const [flag, kind, instead] of noDash) if (values[flag] === STDIN) throw new UsageError(`--${flag} takes a ${kind} name, not - (${instead})`);
    if (positionals[0] === "attribute") {
      const { out, format, quiet, ...others } = values;
      await attributeCommand(positionals.slice(1), { out, format, quiet, others: Object.keys(others) });
      return 0;
    }
    if (positionals.length === 0) throw new UsageError(`no input file given ${helpHint()}`);
    const quiet = values.quiet ?? false;
    const diarization = diarizationOptions(values);
    const options = {
      ...diarization,
      device: oneOf("device", values.device, DEVICES),
      threads: wholeNumber("threads", values.threads, 0, THREADS_MAX),
      modelsDir: await modelsDirectory(values["models-dir"]),
      ...voiceOptions(values, diarization.pipeline),
    };
    const plan = planOutputs(values, expandInputs(positionals));
    // Only what is typed would come, and senko would wait for it without a word.
    if (plan.inputs.includes(STDIN) && process.stdin.isTTY) throw new UsageError("-: stdin is a terminal, not audio: pipe the audio in (ffmpeg -i talk.mp4 -f wav - | senko -)");
    // A page of markup (and, with the audio embedded, megabytes of base64) would scroll past unreadable.
    if (plan.formats[0] === "html" && plan.out === undefined && plan.outDir === undefined && process.stdout.isTTY) {
      const page = `${plan.inputs[0] === STDIN ? "talk" : rttmUri(plan.inputs[0]!)}.html`;
      throw new UsageError(`--format html writes a web page, not text for a terminal: give --out ${page}, or send stdout to a file (> ${page})`);
    }
    if (values.transcript !== undefined && plan.inputs.length > 1) throw new UsageError(`--transcript is the transcript of one recording, but there are ${plan.inputs.length} inputs`);
    if (values.transcript !== undefined && plan.formats.every((f) => f === "rttm" || f === "csv")) {
      throw new UsageError(`--transcript goes with --format text, srt, vtt, json or html; ${plan.formats.join(" and ")} cannot hold words`);
    }
    if (values.live) return await live(values, options, plan, quiet, stopOnSignal);
    if ([values["raw-rate"], values["raw-format"], values["raw-channels"]].some((v) => v !== undefined)) throw new UsageError("--raw-rate, --raw-format and --raw-channels go with --live");
    const transcript = values.transcript === undefined ? undefined : { path: values.transcript, words: readTranscript(values.transcript) };
    return await diarizeFiles({
      plan,
      options: { ...options, colors: values.colors ?? false },
      quiet,
      transcript,
      onInterruption: (line) => {
        describeInterruption = line;
      },
    });
  } catch (error) {
    reportError(error);
    return isUserError(error) ? 2 : 1;
  } finally {
    stopOnSignal();
  }
}

/** `senko --live`: its flags checked, then liveCommand, whose signal handling replaces main's (`stopOnSignal`). */
async function live(values: Values, options: DiarizerOptions, plan: OutputPlan, quiet: boolean, stopOnSignal: () => void): Promise<number> {
  const { inputs, formats, out, outDir, rttm } = plan;
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
