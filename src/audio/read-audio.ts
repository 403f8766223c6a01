/**
 * @module The `readAudio` stage: a file path, file bytes or raw samples in; 16 kHz mono Float32 out.
 * PCM and float WAV (RIFF, RF64, BW64) are parsed here and decoded natively; anything else goes
 * through ffmpeg when it is installed.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { checkSignal } from "../abort.ts";
import type { InContext } from "../compute-context.ts";
import { AudioFormatError, quoted } from "../errors.ts";
import { refuseUnknownOptions } from "../option-names.ts";
import { encodedFile, urlPathNote } from "./encoded-input.ts";
import { fileKind, kindOf, unreadableKind } from "./file-kind.ts";
import { convertToMono16k, MAX_OUTPUT_SAMPLES, outputLength, TARGET_RATE, toMono16k } from "./convert.ts";
import { allPassFfmpegCheck, checkWithFfmpeg, decodeWithFfmpeg, FFMPEG_INSTALL_HINT, findFfmpeg, type FfmpegAudio } from "./ffmpeg.ts";
import { probeEach } from "./probe-each.ts";
import { readAudioPipe } from "./read-stream.ts";
import { bufferSource, isWav, MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, parseWav, type ByteSource } from "./wav.ts";

/** Bytes of a WAV file read per native call: the whole file is never held in memory. */
const PIECE_BYTES = 32 * 2 ** 20;

/** Raw samples from code: interleaved when `channels` (default 1) is more than 1. */
export interface RawAudio {
  /** samples in [-1, 1], interleaved when there are several channels */
  samples: Float32Array;
  /** samples per second of each channel, in Hz (any whole rate from 1000 to 1000000: resampled to 16 kHz) */
  sampleRate: number;
  /** interleaved channels (default 1), averaged to mono */
  channels?: number;
}

/**
 * An audio file (its path, a file: URL, a Bun.file() or other Blob, or its bytes), raw samples with their rate,
 * or a bare Float32Array of samples (its rate, and channels when interleaved, given in the options).
 */
export type AudioInput = string | URL | Blob | Uint8Array | ArrayBuffer | RawAudio | Float32Array;

/** The options of `readAudio` and `probeAudio` (and, but for `context`, of `diarize`). */
export interface ReadAudioOptions extends InContext {
  /** name used in messages and `source.name` (default: the path, "<bytes>" or "<samples>") */
  name?: string;
  /** the ffmpeg program for non-WAV input (default: `ffmpeg` on the PATH); false never runs ffmpeg */
  ffmpeg?: string | false;
  /** sample rate of a bare Float32Array input (required for one) */
  sampleRate?: number;
  /** channels of a bare Float32Array input, interleaved (default 1) */
  channels?: number;
  /** aborting it stops ffmpeg and rejects with the signal's reason (src/abort.ts) */
  signal?: AbortSignal;
}

/** Every option readAudio reads (a key missing here, or one ReadAudioOptions lacks, fails `tsc`). */
const READ_AUDIO_OPTION_NAMES = { name: true, ffmpeg: true, sampleRate: true, channels: true, context: true, signal: true } as const satisfies Record<keyof ReadAudioOptions, true>;

export interface AudioSource {
  name: string;
  /** of the input, before conversion */
  sampleRate: number;
  channels: number;
  /** "pcm_s16", "float32", ... for WAV and raw samples; ffmpeg's codec name (e.g. "mp3") otherwise */
  encoding: string;
  /** how it was decoded */
  decoder: "wav" | "ffmpeg" | "samples";
}

/** Audio as every stage takes it: 16 kHz mono samples, with what the input was. */
export interface AudioData {
  /** 16 kHz mono */
  samples: Float32Array;
  /** always 16000 Hz: what the fbank and the models take */
  sampleRate: 16000;
  /** seconds of audio (`samples.length / 16000`) */
  durationSec: number;
  /** the input before conversion: its name, rate, channels, encoding and decoder */
  source: AudioSource;
  /** problems that did not stop reading (e.g. a WAV data chunk cut short); empty when none */
  warnings: string[];
}

function audioData(samples: Float32Array, source: AudioSource, warnings: string[] = []): AudioData {
  return { samples, sampleRate: TARGET_RATE, durationSec: samples.length / TARGET_RATE, source, warnings };
}

/** Stat errors as the one phrase a user needs. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "file not found";
  if (code === "EACCES" || code === "EPERM") return "cannot be read: permission denied";
  if (code === "ENOTDIR") return "file not found (a parent in the path is not a directory)";
  return `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}

export function noFfmpeg(name: string, why: string): AudioFormatError {
  return new AudioFormatError(
    `${name}: ${why}; reading it needs ffmpeg, which was not found on the PATH: ${FFMPEG_INSTALL_HINT}, or convert the file to PCM WAV`,
    name,
  );
}

/** Too long for one Float32Array: a readable error instead of an allocation failure. */
export function checkLength(name: string, samples16k: number): void {
  if (samples16k > MAX_OUTPUT_SAMPLES) {
    const hours = (n: number) => (n / TARGET_RATE / 3600).toFixed(1);
    throw new AudioFormatError(
      `${name}: too long: ${hours(samples16k)} h of audio, senko reads at most ${hours(MAX_OUTPUT_SAMPLES)} h at a time; split the file`,
      name,
    );
  }
}

/** A WAV file or buffer behind `bytes`; `source` is what ffmpeg is given for codecs decoded there. */
async function fromWav(bytes: ByteSource, source: { path: string } | { bytes: Uint8Array }, name: string, options: ReadAudioOptions): Promise<AudioData> {
  const wav = parseWav(bytes, name);
  if (!wav.encoding) {
    const why = unsupportedCodecReason(wav.codec);
    const ffmpeg = findFfmpeg(options.ffmpeg);
    if (!ffmpeg) throw noFfmpeg(name, why);
    const decoded = await decodeWithFfmpeg(source, name, ffmpeg, why, options.signal);
    return audioData(decoded.samples, {
      name,
      sampleRate: wav.sampleRate,
      channels: wav.channels,
      encoding: decoded.codec,
      decoder: "ffmpeg",
    }, decoded.warnings);
  }
  checkLength(name, outputLength(wav.frameCount, wav.sampleRate));
  const frameBytes = wav.blockAlign;
  const samples = convertToMono16k(
    {
      encoding: wav.encoding,
      channels: wav.channels,
      sampleRate: wav.sampleRate,
      frameCount: wav.frameCount,
      read: (begin, end) => bytes.read(wav.dataOffset + begin * frameBytes, (end - begin) * frameBytes),
    },
    PIECE_BYTES,
    options.context,
  );
  return audioData(
    samples,
    { name, sampleRate: wav.sampleRate, channels: wav.channels, encoding: wav.encoding, decoder: "wav" },
    wav.warnings,
  );
}

/**
 * Reads of an open file. Each read fills a buffer that the next read reuses (the caller is done
 * with a piece before asking for the next), so converting a file holds one piece, not the file.
 */
function fileSource(fd: number, size: number, name: string): ByteSource {
  let buffer = new Uint8Array(0);
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      if (buffer.length < n) buffer = new Uint8Array(n);
      const view = buffer.subarray(0, n);
      for (let done = 0; done < n; ) {
        const got = readSync(fd, view, done, n - done, offset + done);
        if (got === 0) throw new AudioFormatError(`${name}: the file got shorter while it was being read`, name);
        done += got;
      }
      return view;
    },
  };
}

export function notWavReason(head: Uint8Array): string {
  const printable = Array.from(head.subarray(0, 4), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
  return `not a WAV file (it starts with "${printable}", not "RIFF"/"RF64")`;
}

export function unsupportedCodecReason(codec: string): string {
  return `the WAV codec ${codec} is not one senko decodes itself`;
}

async function fromOther(source: { path: string } | { bytes: Uint8Array }, head: Uint8Array, name: string, options: ReadAudioOptions): Promise<AudioData> {
  const why = notWavReason(head);
  const ffmpeg = findFfmpeg(options.ffmpeg);
  if (!ffmpeg) throw noFfmpeg(name, why);
  return fromFfmpeg(await decodeWithFfmpeg(source, name, ffmpeg, why, options.signal), name);
}

/** What ffmpeg decoded, as AudioData named `name`. */
export function fromFfmpeg(decoded: FfmpegAudio, name: string): AudioData {
  const { samples, sampleRate, channels, codec, warnings } = decoded;
  return audioData(samples, { name, sampleRate, channels, encoding: codec, decoder: "ffmpeg" }, warnings);
}

/** Why a pipe is not opened as a file to be checked or hashed (after "<name>: "). */
const PIPE_READ_ONCE = "is a pipe (a FIFO, or <(command)), whose bytes come once: readAudio reads it as it comes, but it cannot be checked first";

/** Opens a regular file for reading, or throws the AudioFormatError a user should see. */
function openAudioFile(path: string, name: string): { fd: number; size: number } {
  // "" would read as ": file not found", naming nothing.
  if (path === "") throw new AudioFormatError(`${name || "<input>"}: an empty path ("") was given, not the path of an audio file`, name);
  const fail = (problem: string, cause?: unknown) => new AudioFormatError(`${name}: ${problem}`, name, { cause });
  let fd: number;
  try {
    // stat before open: opening a FIFO would wait for a writer.
    const kind = kindOf(statSync(path));
    const unreadable = unreadableKind(kind);
    if (unreadable !== undefined) throw fail(unreadable);
    // readAudio reads a pipe as a stream (fromPath); a check or a hash would use up bytes that come once.
    if (kind === "pipe") throw fail(PIPE_READ_ONCE);
    fd = openSync(path, "r");
  } catch (error) {
    if (error instanceof AudioFormatError) throw error;
    const code = (error as { code?: string }).code;
    throw fail(describeFsError(error) + (code === "ENOENT" ? urlPathNote(path) : ""), error);
  }
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (error) {
    closeSync(fd);
    throw fail(describeFsError(error), error);
  }
  if (size === 0) {
    closeSync(fd);
    throw fail("file is empty (0 bytes)");
  }
  return { fd, size };
}

/**
 * Runs `use` on the open file, turning file system errors into AudioFormatErrors and closing it after; once
 * `signal` is aborted, its reason is thrown as it is (a DOMException has a `code` too).
 */
async function withAudioFile<T>(path: string, name: string, use: (file: ByteSource) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const { fd, size } = openAudioFile(path, name);
  try {
    return await use(fileSource(fd, size, name));
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof AudioFormatError) throw error;
    if ((error as { code?: string }).code) throw new AudioFormatError(`${name}: ${describeFsError(error)}`, name, { cause: error });
    throw error;
  } finally {
    closeSync(fd);
  }
}

async function fromPath(path: string, options: ReadAudioOptions): Promise<AudioData> {
  const name = options.name ?? path;
  // A FIFO or <(command)'s /dev/fd/N: read as it comes, as stdin is (a pipe has no end to seek to).
  if (fileKind(path) === "pipe") return (await readAudioPipe(path, { ...options, name })).audio;
  return withAudioFile(path, name, async (file) => {
    const head = file.read(0, 12).slice();
    if (!isWav(head)) return fromOther({ path }, head, name, options);
    return fromWav(file, { path }, name, options);
  }, options.signal);
}

/** What `probeAudio` learns from a file's header. */
export interface AudioProbe {
  name: string;
  /** how `readAudio` will decode it */
  decoder: "wav" | "ffmpeg";
  /** from the WAV header; undefined for files ffmpeg decodes */
  durationSec: number | undefined;
  /** the WAV header's warnings (see `AudioData.warnings`) */
  warnings: string[];
}

/** An audio file as `probeAudio` takes it: the inputs of `readAudio` that are a file (not raw samples). */
export type AudioFileInput = string | URL | Blob | Uint8Array | ArrayBuffer;

/**
 * Checks a file (its path, a file: URL, a Bun.file() or other Blob, or its bytes, e.g. stdin's) without
 * decoding all of it: that it exists and is a readable regular file, and either a WAV whose header `readAudio`
 * accepts, or another format that ffmpeg opens and decodes the first second of. Throws the AudioFormatError
 * `readAudio` would throw for those problems (damage further inside compressed audio only decoding finds).
 * Cheap: a WAV's chunk headers are read; other files cost one short ffmpeg run (about 0.1 s).
 */
export async function probeAudio(input: AudioFileInput, options: ReadAudioOptions = {}): Promise<AudioProbe> {
  refuseUnknownOptions(options, READ_AUDIO_OPTION_NAMES, "ReadAudioOptions");
  const encoded = await encodedFile(input);
  if (encoded !== undefined) return probeAudio(encoded.file, { ...options, name: options.name ?? encoded.name });
  if (!(typeof input === "string" || input instanceof Uint8Array)) {
    throw new AudioFormatError("<input>: probeAudio takes an audio file: its path or file: URL, a Bun.file() or Blob, or a Uint8Array or ArrayBuffer of its bytes", "<input>");
  }
  if (typeof input === "string") {
    const name = options.name ?? input;
    return withAudioFile(input, name, (file) => probeSource(file, { path: input }, name, options));
  }
  const name = options.name ?? "<bytes>";
  if (input.length === 0) throw new AudioFormatError(`${name}: is empty (0 bytes)`, name);
  return probeSource(bufferSource(input), { bytes: input }, name, options);
}

/** Files ffmpeg checks in one run (`allPassFfmpegCheck`); ffmpeg's arguments stay far below the system's limit. */
const FFMPEG_CHECK_BATCH = 50;

/**
 * `probeAudio`'s checks of files that other machines will read (`senko submit`), each file's AudioFormatError
 * (undefined: none) in input order. The files that only ffmpeg reads are checked many to one ffmpeg run, each on
 * its own only in a run that failed (for its message); without ffmpeg here they pass unchecked, as the machines
 * that read them may have it.
 */
export async function probeAudioFilesForOthers(files: readonly { path: string; name: string }[]): Promise<(AudioFormatError | undefined)[]> {
  const viaFfmpeg: number[] = [];
  const problems = await probeEach(files.map((_, i) => i), async (i) => {
    const { path, name } = files[i]!;
    const probe = await withAudioFile(path, name, (file) => probeSource(file, { path }, name, { ffmpeg: false }, "pass"));
    if (probe.decoder === "ffmpeg") viaFfmpeg.push(i);
  });
  const ffmpeg = findFfmpeg();
  if (ffmpeg === undefined) return problems;
  const batches = Array.from({ length: Math.ceil(viaFfmpeg.length / FFMPEG_CHECK_BATCH) }, (_, b) => viaFfmpeg.slice(b * FFMPEG_CHECK_BATCH, (b + 1) * FFMPEG_CHECK_BATCH));
  await probeEach(batches, async (batch) => {
    if (await allPassFfmpegCheck(batch.map((i) => files[i]!.path), ffmpeg)) return;
    const found = await probeEach(batch, (i) => probeAudio(files[i]!.path, { name: files[i]!.name, ffmpeg }));
    batch.forEach((i, k) => (problems[i] = found[k]));
  });
  return problems;
}

async function probeSource(
  file: ByteSource,
  source: { path: string } | { bytes: Uint8Array },
  name: string,
  options: ReadAudioOptions,
  withoutFfmpeg: "refuse" | "pass" = "refuse",
): Promise<AudioProbe> {
  const head = file.read(0, 12).slice();
  const viaFfmpeg = async (why: string): Promise<AudioProbe> => {
    const ffmpeg = findFfmpeg(options.ffmpeg);
    if (ffmpeg) await checkWithFfmpeg(source, name, ffmpeg, why);
    else if (withoutFfmpeg === "refuse") throw noFfmpeg(name, why);
    return { name, decoder: "ffmpeg", durationSec: undefined, warnings: [] };
  };
  if (!isWav(head)) return viaFfmpeg(notWavReason(head));
  const wav = parseWav(file, name);
  if (!wav.encoding) return viaFfmpeg(unsupportedCodecReason(wav.codec));
  checkLength(name, outputLength(wav.frameCount, wav.sampleRate));
  return { name, decoder: "wav", durationSec: wav.frameCount / wav.sampleRate, warnings: wav.warnings };
}

function fromSamples(raw: RawAudio, options: ReadAudioOptions): AudioData {
  const name = options.name ?? "<samples>";
  const fail = (problem: string) => new AudioFormatError(`${name}: ${problem}`, name);
  const { samples, sampleRate } = raw;
  const channels = raw.channels ?? 1;
  if (!(samples instanceof Float32Array)) throw fail("samples must be a Float32Array");
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw fail(`sampleRate must be a whole number of Hz from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE}, got ${quoted(sampleRate)}`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) throw fail(`channels must be a whole number from 1 to ${MAX_CHANNELS}, got ${quoted(channels)}`);
  if (samples.length % channels !== 0) {
    throw fail(`${samples.length} samples are not a whole number of ${channels}-channel frames`);
  }
  const frames = samples.length / channels;
  checkLength(name, outputLength(frames, sampleRate));
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = toMono16k(bytes, "float32", channels, frames, sampleRate, options.context);
  return audioData(out, { name, sampleRate, channels, encoding: "float32", decoder: "samples" });
}

/**
 * Reads audio into 16 kHz mono Float32 samples. `input` is a file (a path, a file: URL, a Bun.file() or other
 * Blob, or its bytes as a Uint8Array or ArrayBuffer), `{ samples, sampleRate, channels? }` (interleaved), or a
 * Float32Array with `options.sampleRate`.
 * Zero-length audio (an empty data chunk, no samples) is valid and gives no samples. WAV (PCM 8/16/24/32-bit, float 32/64-bit,
 * plain or WAVE_FORMAT_EXTENSIBLE, RIFF or RF64) is decoded natively; other formats need ffmpeg.
 * Every input problem is an AudioFormatError whose message names the input.
 */
export async function readAudio(input: AudioInput, options: ReadAudioOptions = {}): Promise<AudioData> {
  refuseUnknownOptions(options, READ_AUDIO_OPTION_NAMES, "ReadAudioOptions");
  checkSignal(options.signal)?.throwIfAborted();
  const encoded = await encodedFile(input);
  if (encoded !== undefined) return readAudio(encoded.file, { ...options, name: options.name ?? encoded.name });
  if (typeof input === "string") return fromPath(input, options);
  if (input instanceof Uint8Array) {
    const name = options.name ?? "<bytes>";
    if (input.length === 0) throw new AudioFormatError(`${name}: is empty (0 bytes)`, name);
    const head = input.subarray(0, 12);
    if (!isWav(head)) return fromOther({ bytes: input }, head, name, options);
    return fromWav(bufferSource(input), { bytes: input }, name, options);
  }
  if (input instanceof Float32Array) {
    if (options.sampleRate === undefined) {
      const name = options.name ?? "<samples>";
      throw new AudioFormatError(`${name}: a Float32Array of samples needs its rate: pass { sampleRate } with it`, name);
    }
    return fromSamples({ samples: input, sampleRate: options.sampleRate, channels: options.channels }, options);
  }
  // Its other fields are not checked: readAudio's own result (AudioData) is raw audio too.
  if (input && typeof input === "object" && "samples" in input) return fromSamples(input, options);
  throw new AudioFormatError(
    "<input>: audio input must be a file path or file: URL, a Bun.file() or Blob, a Uint8Array or ArrayBuffer of file bytes, a Float32Array with { sampleRate }, or { samples, sampleRate }",
    "<input>",
  );
}
