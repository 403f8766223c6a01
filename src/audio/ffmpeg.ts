/**
 * @module Decoding of everything that is not PCM/float WAV (mp3, m4a, flac, ogg, opus, video, ADPCM
 * WAV...) by the `ffmpeg` program: it writes 16 kHz mono f32le to a pipe that is read straight into
 * the sample buffer, with no temporary file.
 */
import { resolve } from "node:path";
import { AudioFormatError } from "../errors.ts";
import { GrowableArray } from "../growable-array.ts";
import { MAX_OUTPUT_SAMPLES, TARGET_RATE } from "./convert.ts";
import { mp3Gapless } from "./mp3-info-tag.ts";
import { OGG_TAIL_BYTES, oggEnded } from "./ogg-end.ts";

export const FFMPEG_INSTALL_HINT =
  "install ffmpeg (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg)";

/** The ffmpeg to run: `option` when it is a path, none when it is false, else `ffmpeg` on the PATH. */
export function findFfmpeg(option?: string | false): string | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return option;
  return Bun.which("ffmpeg") ?? undefined;
}

/** Bytes of the most samples one Float32Array holds. */
const MAX_BYTES = MAX_OUTPUT_SAMPLES * 4;

/**
 * ffmpeg's f32le output collected in one buffer: sized from the duration ffmpeg reports (so a
 * 3-hour file takes its 16 kHz size once, not twice as chunks plus their concatenation), grown
 * by half when the estimate is short (not doubled: the buffer holds the whole recording, so the
 * overshoot is the cost), chunks held only until the size is known.
 */
export class SampleSink {
  #buffer: GrowableArray<Uint8Array> | undefined;
  #pendingBytes = 0;
  #pending: Uint8Array[] = [];

  get sized(): boolean {
    return this.#buffer !== undefined;
  }

  reserve(bytes: number): void {
    if (this.#buffer) return;
    this.#buffer = new GrowableArray(Uint8Array, { growth: 1.5, maxCapacity: MAX_BYTES });
    this.#buffer.reserve(Math.min(Math.max(bytes, this.#pendingBytes), MAX_BYTES));
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const chunk of pending) this.push(chunk);
  }

  push(chunk: Uint8Array): void {
    if (!this.#buffer) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      return;
    }
    if (this.#buffer.count + chunk.length > MAX_BYTES) throw new RangeError(`more than ${MAX_OUTPUT_SAMPLES} samples, the most one Float32Array holds`);
    this.#buffer.push(chunk);
  }

  samples(): Float32Array {
    if (!this.#buffer) this.reserve(this.#pendingBytes);
    const buffer = this.#buffer!;
    return new Float32Array(buffer.data.buffer, 0, Math.floor(buffer.count / 4));
  }
}

export interface FfmpegAudio {
  /** 16 kHz mono */
  samples: Float32Array;
  /** of the decoded stream, as ffmpeg reports it (0 when it does not say) */
  sampleRate: number;
  channels: number;
  /** ffmpeg's codec name, e.g. "mp3", "aac", "adpcm_ms" */
  codec: string;
  /** e.g. that the stream decoded to no samples (a valid, empty recording) */
  warnings: string[];
}

const LAYOUT_CHANNELS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  "2.1": 3,
  "3.0": 3,
  quad: 4,
  "4.0": 4,
  "4.1": 5,
  "5.0": 5,
  "5.1": 6,
  "6.0": 6,
  "6.1": 7,
  "7.0": 7,
  "7.1": 8,
};

/** The first input audio stream's codec, rate and channels from ffmpeg's log. */
function parseStreamInfo(log: string): { codec: string; sampleRate: number; channels: number } {
  const m = /Stream #\d+:\d+\S*: Audio: ([^\s,]+)[^,\n]*, (\d+) Hz, ([^,\n]+)/.exec(log);
  if (!m) return { codec: "unknown", sampleRate: 0, channels: 0 };
  const layout = m[3]!.trim();
  const counted = /^(\d+) channels/.exec(layout);
  const channels = counted ? Number(counted[1]) : (LAYOUT_CHANNELS[layout.replace(/\(.*\)$/, "")] ?? 0);
  return { codec: m[1]!, sampleRate: Number(m[2]), channels };
}

/** The last meaningful lines of ffmpeg's log, for an error message, without ffmpeg's echo of the input name. */
function lastError(log: string, input: string): string {
  const lines = log
    .split("\n")
    .map((l) => (l.startsWith(`${input}: `) ? l.slice(input.length + 2) : l).trim())
    // "[mp3 @ 0x55d0c1a2b900] ..." -> "mp3: ...": the address means nothing to a user.
    .map((l) => l.replace(/^\[([^\]@]+?) @ 0x[0-9a-f]+\]\s*/, "$1: "))
    .filter((l) => l && !l.startsWith("Stream #") && !/^(Input|Output) #|^Metadata:|^Duration:/.test(l));
  return lines.slice(-2).join("; ") || "no error message";
}

/** The error of a file that ffmpeg could not decode: `why` says why ffmpeg was needed. */
function undecodable(name: string, why: string, problem: string, cause?: unknown): AudioFormatError {
  return new AudioFormatError(`${name}: ${why}, and ffmpeg could not decode it: ${problem}`, name, { cause });
}

/**
 * The error of a failed ffmpeg run, from its log. One that found no audio stream (an mp3 or ogg of headers and
 * no frames, text, random bytes), or only one without a sample rate (random bytes its mp3 demuxer took: not a
 * frame decoded, "Error configuring filter graph") is said in senko's words: ffmpeg's ("End of file", "Failed
 * to read frame size") mean nothing to a user, and stay in the cause.
 */
function ffmpegFailed(name: string, why: string, log: string, input: string): AudioFormatError {
  if (/matches no streams/.test(log)) return undecodable(name, why, "it has no audio stream");
  const problem = lastError(log, input);
  if (/Stream #\d+:\d+\S*: Audio: [^\n]*\b\d+ Hz/.test(log)) return undecodable(name, why, problem);
  return new AudioFormatError(`${name}: ${why}, and ffmpeg finds no audio stream in it (an empty or damaged recording, or not audio at all)`, name, { cause: new Error(`ffmpeg: ${problem}`) });
}

/** ffmpeg's name for a file: "file:" keeps it from reading a protocol into names such as "a:b.mp3". */
const ffmpegInput = (path: string) => `file:${resolve(path)}`;

/** Audio decoded at most by `checkWithFfmpeg`: enough to find a file ffmpeg cannot open or decode. */
const CHECK_SEC = 1;

/**
 * Fails, with the AudioFormatError `decodeWithFfmpeg` would give, if ffmpeg cannot open the file (a path, or
 * bytes given on its stdin), finds no audio stream in it, or cannot decode its first second. Costs one short
 * ffmpeg run (about 0.1 s), so a file of random bytes named .mp3 is refused before any model loads rather
 * than when its turn comes.
 */
export async function checkWithFfmpeg(source: { path: string } | { bytes: Uint8Array }, name: string, ffmpeg: string, why: string): Promise<void> {
  const input = "path" in source ? ffmpegInput(source.path) : "pipe:0";
  const args = [ffmpeg, "-hide_banner", "-nostats", "-i", input, "-map", "0:a:0", "-t", String(CHECK_SEC), "-f", "null", "-"];
  let proc;
  try {
    proc = Bun.spawn(args, { stdin: "path" in source ? "ignore" : source.bytes, stdout: "ignore", stderr: "pipe" });
  } catch (cause) {
    throw undecodable(name, why, `running ${ffmpeg} failed (${String(cause)})`, cause);
  }
  const [log, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw ffmpegFailed(name, why, log, input);
}

/**
 * Whether ffmpeg opens every one of `paths` and decodes its first second, as `checkWithFfmpeg` does, in one run:
 * ffmpeg's start costs about 45 ms, more than the check of a small file. False says only that one failed: which
 * one and why is `checkWithFfmpeg`'s to tell.
 */
export async function allPassFfmpegCheck(paths: readonly string[], ffmpeg: string): Promise<boolean> {
  const inputs = paths.flatMap((path) => ["-i", ffmpegInput(path)]);
  const outputs = paths.flatMap((_, i) => ["-map", `${i}:a:0`, "-t", String(CHECK_SEC), "-f", "null", "-"]);
  try {
    const proc = Bun.spawn([ffmpeg, "-hide_banner", "-nostats", "-v", "error", ...inputs, ...outputs], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    return (await proc.exited) === 0;
  } catch {
    return false;
  }
}

/**
 * What ffmpeg decodes: a file, bytes in memory, or chunks as they arrive (both piped to its stdin); `head`
 * is what the chunks start with, at least the bytes `mp3Gapless` reads (mp3-info-tag.ts `bytesNeeded`) when the stream has them.
 */
export type FfmpegSource = { path: string } | { bytes: Uint8Array } | { chunks: AsyncIterator<Uint8Array>; head: Uint8Array };

/**
 * ffmpeg's options that cut piped bytes' decoded audio where it cuts the same file read by path: ffmpeg 5.1's mp3
 * demuxer cuts the encoder's delay on a pipe but not its padding (mp3-info-tag.ts). At the stream's rate, before
 * the resampling, so the samples are those of the file by path.
 */
function pipedTrim(source: FfmpegSource): string[] {
  if ("path" in source) return [];
  const gapless = mp3Gapless("bytes" in source ? source.bytes : source.head);
  return typeof gapless === "object" ? ["-af", `atrim=end_sample=${gapless.samples}`] : [];
}

/**
 * Writes `chunks` to ffmpeg's stdin as they come, until they end or ffmpeg exits: an ffmpeg that gave up
 * (bytes it cannot read, past the 1 MiB it decides a format from) is not made to wait for the rest of an open stream.
 */
async function feed(chunks: AsyncIterator<Uint8Array>, stdin: Bun.FileSink, exited: Promise<number>): Promise<void> {
  const gone = exited.then(() => undefined);
  try {
    for (let next = await Promise.race([chunks.next(), gone]); next && !next.done; next = await Promise.race([chunks.next(), gone])) {
      try {
        stdin.write(next.value);
        await Promise.race([stdin.flush(), gone]);
      } catch {
        return; // ffmpeg closed its stdin (it exited): its exit code and log say why
      }
    }
  } finally {
    // The end of the input, also after the stream failed (its error goes on): ffmpeg stops waiting for more.
    await Promise.race([Promise.resolve(stdin.end()).catch(() => {}), gone]);
  }
}

/**
 * Decodes the first audio stream of a file (`{ path }`), of in-memory bytes (`{ bytes }`) or of a stream
 * (`{ chunks }`), the last two piped to ffmpeg's stdin, where containers that need seeking may fail: prefer
 * a path. ffmpeg does the downmix (its own matrix, e.g. (L + R) / sqrt 2 for stereo) and the resampling.
 * `why` starts the error message, e.g. "not a WAV file".
 */
export async function decodeWithFfmpeg(source: FfmpegSource, name: string, ffmpeg: string, why: string, signal?: AbortSignal): Promise<FfmpegAudio> {
  const fail = (problem: string, cause?: unknown): never => {
    throw undecodable(name, why, problem, cause);
  };
  const input = "path" in source ? ffmpegInput(source.path) : "pipe:0";
  const args = [ffmpeg, "-hide_banner", "-nostats", "-i", input, "-map", "0:a:0", ...pipedTrim(source), "-f", "f32le", "-ac", "1", "-ar", String(TARGET_RATE), "pipe:1"];
  let proc;
  try {
    proc = Bun.spawn(args, {
      stdin: "path" in source ? "ignore" : "bytes" in source ? source.bytes : "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (cause) {
    return fail(`running ${ffmpeg} failed (${String(cause)})`, cause);
  }
  // Aborted, ffmpeg is stopped at once (a long file may take it minutes) and the signal's reason thrown below.
  const stop = () => proc.kill();
  signal?.addEventListener("abort", stop, { once: true });
  const sink = new SampleSink();
  let log = "";
  let code: number;
  const readLog = async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) {
      log += decoder.decode(chunk, { stream: true });
      // ffmpeg prints the input's duration before it writes a sample: size the buffer from it.
      if (!sink.sized) {
        const declared = declaredSec(log);
        if (declared !== undefined) sink.reserve(Math.ceil((declared + 1) * TARGET_RATE) * 4);
      }
    }
  };
  const readSamples = async () => {
    for await (const chunk of proc.stdout) sink.push(chunk);
  };
  const tail = new Tail(OGG_TAIL_BYTES);
  try {
    signal?.throwIfAborted();
    const fed = "chunks" in source ? feed(tail.keeping(source.chunks), proc.stdin as Bun.FileSink, proc.exited) : undefined;
    [, , code] = await Promise.all([readSamples(), readLog(), proc.exited, fed]);
  } catch (cause) {
    proc.kill();
    if (signal?.aborted) throw signal.reason;
    // e.g. more output than one Float32Array holds (about 18 hours at 16 kHz)
    return fail(`reading its output failed (${cause instanceof Error ? cause.message : String(cause)})`, cause);
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  signal?.throwIfAborted();
  if (code !== 0) throw ffmpegFailed(name, why, log, input);
  const info = parseStreamInfo(log);
  const samples = sink.samples();
  // An MP4 whose index (moov) follows the audio, on a pipe: the mov demuxer reads on to the index, cannot go back
  // to the audio, logs "partial file" and exits 0 with no samples (once a result of 0 speakers).
  if (samples.length === 0 && input === "pipe:0" && /partial file/.test(log)) {
    fail("an MP4/M4A/MOV whose index (moov) comes after the audio cannot be read from a pipe; give the file's path, or put its index first: ffmpeg -i <file> -c copy -movflags +faststart <new file>");
  }
  const decodedSec = samples.length / TARGET_RATE;
  const warnings = samples.length === 0 ? ["ffmpeg decoded the audio stream to no samples"] : cutShort(log, decodedSec);
  // An Ogg's declared duration is that of its last page, so a cut one is told by that page (ogg-end.ts).
  if (samples.length > 0 && /^Input #0, ogg,/m.test(log) && oggEnded(await endOf(source, tail)) === false) {
    warnings.push(`ffmpeg decoded ${decodedSec.toFixed(2)} s of audio, but the Ogg stream stops before its last page: the file is incomplete (an interrupted download or copy?)`);
  }
  return { samples, ...info, warnings };
}

/** The last bytes of what ffmpeg decoded, at most those `tail` keeps. */
async function endOf(source: FfmpegSource, tail: Tail): Promise<Uint8Array> {
  if ("chunks" in source) return tail.bytes();
  if ("bytes" in source) return source.bytes.subarray(Math.max(0, source.bytes.length - tail.maxBytes));
  const file = Bun.file(source.path);
  return file.slice(Math.max(0, file.size - tail.maxBytes)).bytes();
}

/** The last `maxBytes` (and up to a chunk more) of the chunks passed through `keeping`. */
class Tail {
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  keeping(chunks: AsyncIterator<Uint8Array>): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const next = await chunks.next();
        if (!next.done) this.#add(next.value);
        return next;
      },
    };
  }

  #add(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes - this.#chunks[0]!.length >= this.maxBytes) this.#bytes -= this.#chunks.shift()!.length;
  }

  bytes(): Uint8Array {
    const joined = new Uint8Array(Bun.concatArrayBuffers(this.#chunks));
    return joined.subarray(Math.max(0, joined.length - this.maxBytes));
  }
}

/** The input's duration as ffmpeg's log declares it ("Duration: 00:03:00.04"), in seconds; undefined for N/A. */
function declaredSec(log: string): number | undefined {
  const d = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(log);
  return d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : undefined;
}

/**
 * A warning when the audio decoded falls over a second short of the duration the file declares: a compressed
 * file cut short (an interrupted download) decodes to what is there without an error. Not for a duration
 * ffmpeg estimated from the bitrate, nor beside a video stream (the container's duration may be the video's).
 */
function cutShort(log: string, decodedSec: number): string[] {
  const declared = declaredSec(log);
  if (declared === undefined || decodedSec >= declared - 1 || /Estimating duration from bitrate/.test(log)) return [];
  if (/Stream #\d+:\d+\S*: Video: (?![^\n]*attached pic)/.test(log)) return [];
  return [`ffmpeg decoded ${decodedSec.toFixed(2)} s of audio, but the file declares ${declared.toFixed(2)} s: the file is incomplete (an interrupted download or copy?)`];
}
