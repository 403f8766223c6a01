/** @module `senko <audio...>` on files and stdin: every input checked, then each diarized and its results written. */
import { Diarizer, type DiarizationResult, type DiarizerOptions } from "../diarizer.ts";
import { AudioFormatError } from "../errors.ts";
import { interruption } from "../interrupt.ts";
import { turnLine } from "../output/clock.ts";
import { ProgressBar } from "../output/progress.ts";
import { writeStdout } from "../output/stdout.ts";
import { formatResult, makeOutputDir, resultFiles, writeFilesAtomic } from "../output/writers.ts";
import { attributeTranscript } from "../transcript/attribute.ts";
import { attributionSummary } from "../transcript/command.ts";
import type { Transcript } from "../transcript/words.ts";
import { probeInputs } from "./inputs.ts";
import type { OutputPlan } from "./output-plan.ts";
import { reportError, sayOnStderr } from "./report.ts";

export interface FilesRun {
  plan: OutputPlan;
  options: DiarizerOptions;
  quiet: boolean;
  /** the transcript of the one input (--transcript), and its path */
  transcript: { path: string; words: Transcript } | undefined;
  /** Sets what a signal that ends the run says, once the inputs are checked (how many are done). */
  onInterruption: (line: (signal: NodeJS.Signals) => string) => void;
}

/**
 * Runs `run`; returns 0, or 2 when an input failed (the others still ran). A problem other than an input's
 * (models, native library, output) is thrown.
 */
export async function diarizeFiles(run: FilesRun): Promise<number> {
  const { plan, options, quiet, transcript } = run;
  const { inputs, formats, out, outDir, rttm } = plan;
  const bar = !quiet && process.stderr.isTTY ? new ProgressBar({ write: (s) => process.stderr.write(s), columns: process.stderr.columns }) : undefined;
  // Made now (its models load on the first diarize): stdin is decoded on its native threads. No warm-up:
  // the first file follows at once, and a dummy run of each model first made it no faster (BENCHMARKS.md,
  // "Short inputs").
  const diarizer = new Diarizer({ ...options, quiet, warmup: false, onProgress: bar && ((p) => bar.update(p)) });
  // Every input is checked before the models load: a bad file is reported at once and skipped, the others run.
  const { problems, streams } = await probeInputs(inputs, diarizer.context);
  for (const problem of problems) if (problem) reportError(problem);
  const readable = inputs.filter((_, i) => problems[i] === undefined);
  let failed = readable.length < inputs.length;
  if (readable.length === 0) return 2;
  if (outDir !== undefined) makeOutputDir(outDir);

  let done = 0;
  run.onInterruption((signal) => {
    bar?.done();
    return `${interruption(signal)}${readable.length > 1 ? `: ${done} of ${readable.length} inputs done` : ""}`;
  });
  for (const [index, input] of readable.entries()) {
    bar?.start(readable.length > 1 ? `[${index + 1}/${readable.length}] ${input}` : input);
    let result: DiarizationResult;
    // A stream (stdin, a pipe), decoded by probeInputs; its warnings are the reading's.
    const stream = streams.get(input);
    const read = stream?.audio;
    try {
      result = await diarizer.diarize(read ? { samples: read.samples, sampleRate: read.sampleRate } : input, { name: input });
      if (read) result = { ...result, warnings: [...read.warnings, ...result.warnings] };
    } catch (error) {
      bar?.done();
      // A bad input spoils only itself; anything else (models, native library) stops the run.
      if (!(error instanceof AudioFormatError)) throw error;
      reportError(error);
      failed = true;
      continue;
    }
    bar?.done();
    if (!quiet) {
      for (const warning of result.warnings) sayOnStderr(`warning: ${input}: ${warning}`);
      process.stderr.write(summary(input, result, outDir !== undefined || out !== undefined));
    }
    // Attributed once for the summary and every format.
    const attributed = transcript && attributeTranscript(transcript.words, result);
    if (attributed && !quiet) process.stderr.write(attributionSummary(transcript!.path, attributed, result.durationSec));
    // A stream too large to embed in a page gives it no player.
    const context = { transcript: attributed, audio: stream === undefined ? { path: input } : stream.bytes && { bytes: stream.bytes } };
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
  return failed ? 2 : 0;
}

/**
 * What the user reads on stderr: counts and time, the turns (unless they went to stdout) as the text format
 * writes them (hh:mm:ss.ss, as --live shows them too), time per stage.
 */
export function summary(input: string, result: DiarizationResult, withTurns: boolean): string {
  const t = result.timingStats;
  const rtf = result.durationSec > 0 ? ` (RTF ${(t.total / result.durationSec).toFixed(3)})` : "";
  const turns = withTurns ? result.mergedSegments.slice(0, 20).map((s) => `  ${turnLine(s)}\n`) : [];
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
