/**
 * @module `senko --live <-|file>`: diarizes audio as it arrives (a WAV stream or raw PCM on stdin, or a
 * file still being written), shows the turns as they settle (./view.ts), and on the end of the stream or
 * Ctrl-C writes the final result (what `senko` on the whole recording gives) where --out says.
 */
import { statSync } from "node:fs";
import { kindOf, unreadableKind } from "../audio/file-kind.ts";
import { BYTES_PER_SAMPLE, MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from "../audio/wav.ts";
import type { DiarizerOptions } from "../diarizer.ts";
import { Diarizer } from "../diarizer.ts";
import { AudioFormatError } from "../errors.ts";
import { endBySignal, endOnSignal, interruption } from "../interrupt.ts";
import { nameInAnyCase } from "../option-names.ts";
import { resultFiles, writeFilesAtomic, type OutputFormat } from "../output/writers.ts";
import { pcmData, type PcmLayout } from "../audio/wav-stream.ts";
import { checkFileHead, fileChunks, RAW_FORMATS, READ_BEFORE, streamChunks, type RawFormat } from "./input.ts";
import type { LiveDiarization } from "./session.ts";
import { SettledLines, TerminalView, type LiveDisplay } from "./view.ts";

/** The signals that end the stream (and write the result). */
const ENDING_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** How long the stream may keep its header before `listening` is said (its refusal, if it comes sooner, is said alone). */
const WAIT_BEFORE_LISTENING_MS = 250;

/** Audio pushed at a time: a snapshot per second of audio at most. */
const PUSH_SEC = 1;

export const LIVE_HELP = `live (audio as it arrives):
  --live                 diarize a stream: - (stdin: a WAV stream or raw PCM, e.g. from ffmpeg or
                         arecord), a named pipe, or a file still being written (read as it grows,
                         until Ctrl-C, or until it holds the length its WAV header declares and has
                         not grown for 2 s; a header whose sizes stay 0 or 0xFFFFFFFF leaves only
                         Ctrl-C; cut short or replaced, it ends there). Turns go to stdout as they
                         settle: on a terminal a view redrawn in place, otherwise one line per
                         final turn. Ctrl-C (or the end of the stream) writes the final
                         result where --out says: the result senko gives for the whole recording
  --raw-rate <hz>        the stream is raw PCM at this rate (no WAV header)
  --raw-format <f>       ${Object.keys(RAW_FORMATS).join(" | ")} (default s16le; with --raw-rate)
  --raw-channels <n>     interleaved channels of raw PCM (default 1)`;

export interface LiveCommand {
  input: string;
  options: DiarizerOptions;
  raw: { rate?: number; format?: string; channels?: number };
  formats: OutputFormat[];
  out: string | undefined;
  outDir: string | undefined;
  rttm: string | undefined;
  quiet: boolean;
  /** a user mistake in the command line (exit code 2) */
  usage: (message: string) => Error;
}

export function rawLayout(raw: LiveCommand["raw"], usage: LiveCommand["usage"]): PcmLayout | undefined {
  if (raw.rate === undefined) {
    if (raw.format !== undefined || raw.channels !== undefined) throw usage("--raw-format and --raw-channels need --raw-rate <hz>");
    return undefined;
  }
  const format = nameInAnyCase(raw.format ?? "s16le", Object.keys(RAW_FORMATS) as RawFormat[]);
  if (format === undefined) throw usage(`--raw-format must be one of ${Object.keys(RAW_FORMATS).join(", ")}, got "${raw.format}"`);
  if (raw.rate < MIN_SAMPLE_RATE || raw.rate > MAX_SAMPLE_RATE) throw usage(`--raw-rate must be from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz, got ${raw.rate}`);
  if (raw.channels !== undefined && raw.channels > MAX_CHANNELS) throw usage(`--raw-channels must be from 1 to ${MAX_CHANNELS}, got ${raw.channels}`);
  return { sampleRate: raw.rate, channels: raw.channels ?? 1, encoding: RAW_FORMATS[format] };
}

/** Runs `senko --live`; returns the exit code (errors are thrown for the CLI to report). */
export async function liveCommand(command: LiveCommand): Promise<number> {
  const { input, quiet, usage, formats, out, outDir, rttm } = command;
  const raw = rawLayout(command.raw, usage);
  const info = input === "-" ? undefined : statSync(input, { throwIfNoEntry: false });
  if (input !== "-" && !info) throw usage(`${input}: file not found (--live reads - or a file being written)`);
  const kind = info && kindOf(info);
  const unreadable = kind && unreadableKind(kind);
  if (unreadable) throw usage(`${input}: ${unreadable}`);
  // A named pipe (mkfifo, <(command)) is a stream, as stdin is: read as it comes, never sought in or polled.
  const stream = kind !== "file";
  /** false once the terminal is gone (SIGHUP) or the reader of stdout went away (EPIPE) */
  let shown = true;
  let hungUp = false;
  const err = (text: string) => quiet || hungUp || process.stderr.write(text);

  // Ctrl-C, SIGTERM or SIGHUP (the terminal closed, an SSH connection dropped) ends the stream and the
  // result is written; a second Ctrl-C or SIGTERM ends the process at once, writing nothing.
  const stop = new AbortController();
  let stopOnSignal = () => {};
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
    // Nothing more goes to a terminal that is gone.
    if (signal === "SIGHUP") hungUp = true;
    // Added before this one goes, so that the signals are never left to their default action in between.
    stopOnSignal = endOnSignal((signal) => `live: ${interruption(signal)} again: no result written`);
    for (const s of ENDING_SIGNALS) process.off(s, onSignal);
    stop.abort();
  };
  for (const s of ENDING_SIGNALS) process.on(s, onSignal);
  await using diarizer = new Diarizer({ ...command.options, quiet });
  // Said once the header is taken and the models are loaded, or when a stream's header keeps us waiting: an
  // input refused at once gets its one line alone.
  let listening = false;
  const sayListening = () => {
    if (!listening) err(`senko: live: listening to ${input === "-" ? "stdin" : input} (Ctrl-C ends and writes the result)\n`);
    listening = true;
  };
  let waiting: Timer | undefined;
  try {
    if (stream) waiting = setTimeout(sayListening, WAIT_BEFORE_LISTENING_MS);
    else {
      // A file's header as it is now is checked before the models load (a stream's as it arrives, below); the
      // models load before the file is followed, whose quiet time (input.ts) counts from its first read.
      await checkFileHead(input, raw);
      await diarizer.ready();
      sayListening();
    }
    // A reader of the turns that goes away (`| head`: EPIPE) ends the showing, not the session: the result
    // still goes where --out says, or, with nowhere to go, the session ends as on Ctrl-C.
    // The error comes a tick after the write, possibly the last one: the listener stays for the process.
    const show = (text: string) => shown && !hungUp && process.stdout.write(text);
    process.stdout.on("error", () => {
      shown = false;
      if (out === undefined && outDir === undefined && rttm === undefined) stop.abort();
    });
    const display: LiveDisplay = process.stdout.isTTY
      ? new TerminalView({ write: show, columns: process.stdout.columns, rows: process.stdout.rows })
      : new SettledLines(show);
    // A line in the session: above the view when stderr is the terminal the view is drawn on, not into it.
    const say = (line: string) => {
      if (display instanceof TerminalView && process.stderr.isTTY && !quiet && !hungUp) display.note(line);
      else err(`${line}\n`);
    };
    // Why the input ended before its end (a file cut short or replaced): the result is of what was read.
    const endedEarly: string[] = [];
    const chunks = stream
      ? streamChunks(input === "-" ? Bun.stdin.stream() : Bun.file(input).stream(), stop.signal)
      : fileChunks(input, stop.signal, { wav: raw === undefined, warn: (w) => endedEarly.push(w), idle: (m) => say(`senko: live: ${m}`) });
    let session: LiveDiarization | undefined;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let bytesPerPush = Infinity;
    const flush = async () => {
      if (!session || pendingBytes === 0) return;
      const bytes = new Uint8Array(pendingBytes);
      let at = 0;
      for (const p of pending) {
        bytes.set(p, at);
        at += p.length;
      }
      pending = [];
      pendingBytes = 0;
      display.show(await session.push(bytes));
    };
    try {
      // The layout comes first, with no data: what is not a stream --live reads is refused before the models load.
      for await (const [layout, data] of pcmData(chunks, input, raw, stream)) {
        if (!session) {
          clearTimeout(waiting);
          await diarizer.ready();
          sayListening();
          session = diarizer.live(layout);
          bytesPerPush = Math.ceil(PUSH_SEC * layout.sampleRate) * layout.channels * BYTES_PER_SAMPLE[layout.encoding];
        }
        pending.push(data);
        pendingBytes += data.length;
        if (pendingBytes >= bytesPerPush) await flush();
        if (stop.signal.aborted) break;
      }
    } catch (error) {
      // A stream that goes wrong after audio has come (it starts over in another layout) ends there: the turns
      // were shown, and the result is of the audio before, as for a file cut short.
      if (session !== undefined && error instanceof AudioFormatError) endedEarly.push(`${error.message}; ${READ_BEFORE}`);
      // Stopped before the stream said what it holds, it only seems empty or cut ("no bytes on stdin").
      else if (interrupted === undefined || session !== undefined) throw error;
    }
    if (interrupted !== undefined && session === undefined) {
      stopOnSignal();
      // No line to a terminal that is gone.
      endBySignal(interrupted, hungUp ? undefined : `live: ${interruption(interrupted)} before any audio arrived: no result written`);
      return 130;
    }
    await flush();
    session ??= diarizer.live(raw ?? { sampleRate: 16000 });
    const result = await session.close();
    display.end(session.last);

    // html: a WAV file read as it grew is whole now, so the page gets its player; a stream (stdin, a named
    // pipe) was not kept, a file cut short or replaced no longer holds that audio, and raw PCM is no file a
    // browser plays.
    const audio = stream || raw !== undefined || endedEarly.length > 0 ? undefined : { path: input };
    // All of the result's files or none.
    const files = resultFiles(result, input, { formats, out, outDir, rttm }, { audio });
    writeFilesAtomic(files);
    for (const warning of endedEarly) err(`senko: warning: ${warning}\n`);
    for (const warning of result.warnings) err(`senko: warning: ${input}: ${warning}\n`);
    const written = files.map((file) => file.path);
    const renamed = Object.entries(session.resultNames).filter(([final, live]) => final !== live);
    err(
      `senko: live: ${result.durationSec.toFixed(1)} s of audio, ${result.mergedSpeakersDetected} speaker(s), ${result.mergedSegments.length} segment(s)` +
        (written.length > 0 ? `; the result (as for the whole recording) is in ${written.join(" and ")}` : "") +
        (renamed.length > 0 ? `; it names speakers by talk time: ${renamed.map(([final, live]) => `${final} = live ${live}`).join(", ")}` : "") +
        (session.revised.length > 0 ? `; ${session.revised.length} turn(s) shown as final it has labelled or cut otherwise (it clusters the whole recording again)` : "") +
        "\n",
    );
    return 0;
  } finally {
    clearTimeout(waiting);
    for (const s of ENDING_SIGNALS) process.off(s, onSignal);
    stopOnSignal();
  }
}
