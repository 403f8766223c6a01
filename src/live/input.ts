/**
 * @module Audio bytes as they arrive, for `senko --live`: stdin (a pipe from ffmpeg or arecord) or a file
 * still being written (read to its end, then polled for more), until the end of the stream, the end a
 * WAV header declares, or when `stop` is aborted (Ctrl-C). The PCM data in them is pcmData's
 * (../audio/wav-stream.ts).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import type { SampleEncoding } from "../audio/wav.ts";
import { parseWavStreamHeader, pcmData, type PcmLayout } from "../audio/wav-stream.ts";
import { AudioFormatError } from "../errors.ts";

/** Raw PCM sample formats (ffmpeg's names) and the encodings they are. */
export const RAW_FORMATS = { u8: "pcm_u8", s16le: "pcm_s16", s24le: "pcm_s24", s32le: "pcm_s32", f32le: "float32", f64le: "float64" } as const satisfies Record<string, SampleEncoding>;
export type RawFormat = keyof typeof RAW_FORMATS;

/** Resolves when `signal` is aborted (never otherwise). */
function aborted(signal: AbortSignal): Promise<"stop"> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve("stop");
    else signal.addEventListener("abort", () => resolve("stop"), { once: true });
  });
}

/** Chunks of a stream (stdin, a named pipe) as they arrive, until its end or `stop`. */
export async function* streamChunks(stream: ReadableStream<Uint8Array>, stop: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  const stopped = aborted(stop);
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), stopped]);
      if (next === "stop" || next.done) return;
      if (next.value.length > 0) yield next.value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** How a warning of an input that ended early ends. */
export const READ_BEFORE = "the result is of the audio read before";

/**
 * A WAV file's declared end counts once the file has not grown for this long: a writer may fill in the
 * sizes as it goes (Python's wave module does after every write), so a size the file has reached is its
 * end only when no more audio follows.
 */
const QUIET_MS = 2000;

/**
 * How much longer than the quiet time an empty file is waited on before the line saying so: ffmpeg writes a file
 * in 256 KiB blocks, the first 8.2 s after it starts at 16 kHz 16-bit mono (16.4 s at 8 kHz), and nothing before.
 */
const EMPTY_WAIT_FACTOR = 10;

/** How many times a writer's longest pause so far the file must not grow for before the line saying so. */
const PAUSE_MARGIN = 1.5;

/** Bytes of a file's head read to find its WAV header, at most (as parseWavStreamHeader allows). */
const MAX_HEADER_PROBE = 1 << 20;

/**
 * Reads where the samples of the WAV file open as `fd` end by its header as it is now: undefined while
 * the header leaves the length open or is not all there (what is not a WAV header is pcmData's to report).
 */
function wavDataEnd(fd: number, name: string): () => number | undefined {
  /** bytes to read: the header's length once known */
  let probe = 4096;
  return () => {
    const head = new Uint8Array(probe);
    const got = readSync(fd, head, 0, head.length, 0);
    let header;
    try {
      header = parseWavStreamHeader(head.subarray(0, got), name);
    } catch (error) {
      if (error instanceof AudioFormatError) return undefined;
      throw error;
    }
    if (!header) {
      if (got === probe) probe = Math.min(2 * probe, MAX_HEADER_PROBE + 1);
      return undefined;
    }
    probe = header.layout.dataOffset;
    return header.dataBytes === undefined ? undefined : header.layout.dataOffset + header.dataBytes;
  };
}

/**
 * Refuses a file whose first bytes, as they are now, are not a stream --live reads (pcmData's refusal, in its
 * words): checked before the models load. A file still empty, whose WAV header is not all there yet, or that
 * cannot be opened (fileChunks says why), passes.
 */
export async function checkFileHead(path: string, raw: PcmLayout | undefined): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return; // fileChunks says why it cannot be read
  }
  const head = new Uint8Array(MAX_HEADER_PROBE + 1);
  let got: number;
  try {
    got = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (got === 0) return;
  const bytes = head.subarray(0, got);
  if (raw === undefined) {
    try {
      if (parseWavStreamHeader(bytes, path) === undefined) return;
    } catch {
      // pcmData says why, as it does for a stream
    }
  }
  const once = (async function* () {
    yield bytes;
  })();
  for await (const _ of pcmData(once, path, raw, false)) return;
}

export interface FollowOptions {
  /** a WAV file: its header may declare where it ends */
  wav: boolean;
  /** told why the file ended early: cut short, replaced or removed by its writer */
  warn: (message: string) => void;
  /**
   * told once that a file short of its end has not grown for longer than its writer pauses: QUIET_MS, or
   * PAUSE_MARGIN times the longest pause between its growths when longer (a writer in blocks), or for an empty
   * file EMPTY_WAIT_FACTOR times QUIET_MS
   */
  idle?: (message: string) => void;
  /** milliseconds between looks at a file that has not grown (default 200) */
  pollMs?: number;
  /** QUIET_MS, shortened by tests */
  quietMs?: number;
}

/**
 * Chunks of a file as it grows: what is there, then what is appended, polled every `pollMs`, until
 * `stop` or, for a WAV file (`wav`), until the file has reached the end its header declares and has not
 * grown for QUIET_MS (a recorder fills in the sizes when it stops; one that leaves them open is followed
 * until `stop`). Nothing past the declared end is read. A file cut short, or replaced or removed under its
 * name (a recorder started again), ends there with a warning: what was read keeps its result.
 */
export async function* fileChunks(path: string, stop: AbortSignal, { wav, warn, idle, pollMs = 200, quietMs = QUIET_MS }: FollowOptions): AsyncGenerator<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new AudioFormatError(`${path}: ${code === "ENOENT" ? "file not found" : code === "EACCES" ? "cannot be read: permission denied" : `cannot be read: ${(error as Error).message}`}`, path);
  }
  const stopped = aborted(stop);
  try {
    if (fstatSync(fd).isDirectory()) throw new AudioFormatError(`${path}: is a directory, not an audio file`, path);
    const dataEnd = wav ? wavDataEnd(fd, path) : () => undefined;
    const { dev, ino } = fstatSync(fd);
    let position = 0;
    let size = -1;
    let grewAt = 0;
    /** the longest the file went without growing while followed, the wait for its first growth included */
    let longestPauseMs = 0;
    let toldIdle = false;
    for (;;) {
      const now = fstatSync(fd).size;
      if (now < position) {
        warn(`${path}: the file was cut short while it was read (${position} bytes read, now ${now}): ${READ_BEFORE}`);
        return;
      }
      if (now !== size) {
        const at = performance.now();
        if (size >= 0) longestPauseMs = Math.max(longestPauseMs, at - grewAt);
        size = now;
        grewAt = at;
      }
      const declared = dataEnd();
      const end = Math.min(size, declared ?? Infinity);
      if (end > position) {
        const buffer = new Uint8Array(Math.min(end - position, 1 << 18));
        const got = readSync(fd, buffer, 0, buffer.length, position);
        position += got;
        if (got > 0) {
          yield buffer.subarray(0, got);
          continue;
        }
      }
      const complete = declared !== undefined && position >= declared;
      const stillMs = performance.now() - grewAt;
      if (complete && stillMs >= quietMs) return;
      // A file that stopped short of its end (cut by its writer, or open-ended) would otherwise be waited on in silence;
      // once stopping (Ctrl-C came while the consumer was busy), there is nothing more to wait for. A writer's pause
      // between blocks is not the end of its writing.
      const patienceMs = size === 0 ? EMPTY_WAIT_FACTOR * quietMs : Math.max(quietMs, PAUSE_MARGIN * longestPauseMs);
      if (stillMs >= patienceMs && !toldIdle && idle !== undefined && !stop.aborted) {
        const short = declared === undefined ? "" : ` and holds ${position} of the ${declared} bytes its header declares`;
        idle(`${path}: has not grown for ${Math.round(patienceMs / 100) / 10} s${short}: waiting for more (Ctrl-C ends and writes the result)`);
        toldIdle = true;
      }
      // All there is has been read: a file no longer under its name never grows (nor ends, if its sizes stay open).
      const named = statSync(path, { throwIfNoEntry: false });
      if (!named || named.dev !== dev || named.ino !== ino) {
        if (!complete) warn(`${path}: the file was ${named ? "replaced by another" : "removed"} while it was read: ${READ_BEFORE}`);
        return;
      }
      if ((await Promise.race([Bun.sleep(pollMs), stopped])) === "stop") return;
    }
  } finally {
    closeSync(fd);
  }
}
