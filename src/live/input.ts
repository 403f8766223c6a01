/**
 * @module Audio bytes as they arrive, for `senko --live`: stdin (a pipe from ffmpeg or arecord) or a file
 * still being written (read to its end, then polled for more), and the PCM data in them: after a WAV
 * header, or raw PCM of a layout given on the command line. Reading stops at the end of the stream, at
 * the end a WAV header declares, or when `stop` is aborted (Ctrl-C).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { isWav, type SampleEncoding } from "../audio/wav.ts";
import { AudioFormatError } from "../errors.ts";
import { parseWavStreamHeader } from "./wav-stream.ts";

/** Raw PCM sample formats (ffmpeg's names) and the encodings they are. */
export const RAW_FORMATS = { u8: "pcm_u8", s16le: "pcm_s16", s24le: "pcm_s24", s32le: "pcm_s32", f32le: "float32", f64le: "float64" } as const satisfies Record<string, SampleEncoding>;
export type RawFormat = keyof typeof RAW_FORMATS;

export interface PcmLayout {
  sampleRate: number;
  channels: number;
  encoding: SampleEncoding;
}

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

/**
 * A WAV file's declared end counts once the file has not grown for this long: a writer may fill in the
 * sizes as it goes (Python's wave module does after every write), so a size the file has reached is its
 * end only when no more audio follows.
 */
const QUIET_MS = 2000;

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

export interface FollowOptions {
  /** a WAV file: its header may declare where it ends */
  wav: boolean;
  /** told why the file ended early: cut short, replaced or removed by its writer */
  warn: (message: string) => void;
  /** milliseconds between looks at a file that has not grown (default 200) */
  pollMs?: number;
}

/**
 * Chunks of a file as it grows: what is there, then what is appended, polled every `pollMs`, until
 * `stop` or, for a WAV file (`wav`), until the file has reached the end its header declares and has not
 * grown for QUIET_MS (a recorder fills in the sizes when it stops; one that leaves them open is followed
 * until `stop`). Nothing past the declared end is read. A file cut short, or replaced or removed under its
 * name (a recorder started again), ends there with a warning: what was read keeps its result.
 */
export async function* fileChunks(path: string, stop: AbortSignal, { wav, warn, pollMs = 200 }: FollowOptions): AsyncGenerator<Uint8Array> {
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
    const readBefore = "the result is of the audio read before";
    let position = 0;
    let size = -1;
    let grewAt = 0;
    for (;;) {
      const now = fstatSync(fd).size;
      if (now < position) {
        warn(`${path}: the file was cut short while it was read (${position} bytes read, now ${now}): ${readBefore}`);
        return;
      }
      if (now !== size) {
        size = now;
        grewAt = performance.now();
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
      if (complete && performance.now() - grewAt >= QUIET_MS) return;
      // All there is has been read: a file no longer under its name never grows (nor ends, if its sizes stay open).
      const named = statSync(path, { throwIfNoEntry: false });
      if (!named || named.dev !== dev || named.ino !== ino) {
        if (!complete) warn(`${path}: the file was ${named ? "replaced by another" : "removed"} while it was read: ${readBefore}`);
        return;
      }
      if ((await Promise.race([Bun.sleep(pollMs), stopped])) === "stop") return;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The PCM data in `chunks`: each yield is the layout (known after the WAV header, or given as `raw`) and
 * the next data bytes. With `untilDeclaredEnd` (a stream, whose header cannot change), a WAV stream ends
 * where its header says the data ends, if it says, unless a new header of the same layout follows there:
 * arecord on a pipe declares 2 GiB and then starts over with a fresh header. A file's header may still
 * change (fileChunks follows it).
 */
export async function* pcmData(chunks: AsyncIterable<Uint8Array>, name: string, raw: PcmLayout | undefined, untilDeclaredEnd: boolean): AsyncGenerator<[PcmLayout, Uint8Array]> {
  let layout = raw;
  let remaining = Infinity;
  // Bytes of a header not yet whole; past a declared end, the bytes that follow (another header, if they are one).
  let head = new Uint8Array(0);
  let afterEnd = false;
  let padByte = false;
  let seen = false;
  for await (const chunk of chunks) {
    // Raw PCM that opens with a WAV header would play the header as samples: it is a WAV stream.
    if (raw && !seen && isWav(chunk)) throw new AudioFormatError(`${name}: a WAV stream, not raw PCM: leave out --raw-rate, --raw-format and --raw-channels`, name);
    seen = true;
    let data = chunk;
    while (data.length > 0) {
      if (!layout || afterEnd) {
        const joined = new Uint8Array(head.length + data.length);
        joined.set(head);
        joined.set(data, head.length);
        head = joined;
        data = new Uint8Array(0);
        if (afterEnd) {
          // An odd data chunk is followed by a pad byte; what is not another WAV header (a trailing chunk) ends the audio.
          if (padByte && head.length > 0) [head, padByte] = [head.subarray(1), false];
          if (head.length < 12) break;
          if (!isWav(head)) return;
        }
        let header;
        try {
          header = parseWavStreamHeader(head, name);
        } catch (error) {
          if (error instanceof AudioFormatError && /not a WAV file/.test(error.message)) {
            throw new AudioFormatError(`${error.message}; for raw PCM give --raw-rate and --raw-format`, name);
          }
          throw error;
        }
        if (!header) break;
        const { sampleRate, channels, encoding, dataOffset } = header.layout;
        if (layout && (layout.sampleRate !== sampleRate || layout.channels !== channels || layout.encoding !== encoding)) return;
        // The layout goes out at once, even with no data yet.
        if (!layout) yield [(layout = { sampleRate, channels, encoding }), new Uint8Array(0)];
        remaining = untilDeclaredEnd ? (header.dataBytes ?? Infinity) : Infinity;
        padByte = remaining % 2 === 1;
        afterEnd = remaining <= 0;
        data = head.subarray(dataOffset);
        head = new Uint8Array(0);
        continue;
      }
      const take = data.subarray(0, Math.min(data.length, remaining));
      data = data.subarray(take.length);
      remaining -= take.length;
      afterEnd = remaining <= 0;
      if (take.length > 0) yield [layout, take];
    }
  }
  if (!seen) throw new AudioFormatError(`${name}: no bytes${name === "-" ? " on stdin" : ""}`, name);
  if (!layout) throw new AudioFormatError(`${name}: the stream ended inside its WAV header (${head.length} bytes)`, name);
}
