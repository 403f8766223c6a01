/**
 * @module A recording read from a byte stream to its end (`senko -`: stdin). A WAV stream is decoded as it
 * arrives, through ./wav-stream.ts as `senko --live` reads one: a header senko cannot read is reported from
 * the first bytes, not after the whole stream, and a stream that starts over with a new header of the same
 * layout at its declared end (arecord on a pipe, every 2 GiB) is read on. Other formats, and WAV codecs
 * senko does not decode itself, go to ffmpeg as they arrive: bytes it cannot read are reported once it gives
 * up (past the 1 MiB it decides a format from), not when the writer stops.
 */
import { AudioFormatError, SenkoError } from "../errors.ts";
import { decodeWithFfmpeg, findFfmpeg, SampleSink } from "./ffmpeg.ts";
import { fileKind, unreadableKind } from "./file-kind.ts";
import { checkLength, describeFsError, fromFfmpeg, noFfmpeg, notWavReason, readAudio, unsupportedCodecReason, type AudioData, type ReadAudioOptions } from "./read-audio.ts";
import { outputLength, TARGET_RATE } from "./convert.ts";
import { Mono16kStream } from "./stream.ts";
import { bytesNeeded, id3v2End } from "./mp3-info-tag.ts";
import { isWav } from "./wav.ts";
import { parseWavStreamHeader, pcmData, WAV_FILE_HEADER_BYTES, wavFileOf } from "./wav-stream.ts";

export interface ReadStreamOptions extends ReadAudioOptions {
  /** keep the stream's bytes when they are at most this many (default 0: never) */
  keepBytes?: number;
}

export interface StreamAudio {
  audio: AudioData;
  /**
   * the stream as one file a player plays whole, when it is at most `keepBytes` (e.g. for a page's player):
   * the stream's bytes, or for a WAV stream, one WAV of all the samples read (wav-stream.ts `wavFileOf`)
   */
  bytes: Uint8Array | undefined;
}

/**
 * The most bytes held before ffmpeg starts, for an mp3's first frame after its ID3v2 tag (cover art makes tags
 * of megabytes); a larger tag is read past instead.
 */
const MP3_HEAD_MAX_BYTES = 16 << 20;

/** The bytes of `chunks`, joined. */
const join = (chunks: Uint8Array[]) => new Uint8Array(Bun.concatArrayBuffers(chunks));

/**
 * Reads `stream` to its end into 16 kHz mono samples, as `readAudio` reads the same bytes from a file,
 * except that a WAV stream is read across the fresh headers of a recorder that starts over, and one that
 * ends before its declared end is read to where it ends (with a warning). Every input problem is an
 * AudioFormatError naming `options.name` (default "<stream>"), thrown as soon as the bytes show it.
 */
export async function readAudioStream(stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, options: ReadStreamOptions = {}): Promise<StreamAudio> {
  const source = chunksOf(stream);
  try {
    return await readFrom(source, options);
  } finally {
    // A stream given up on is let go (stdin's pending read would keep the process waiting for its writer).
    await source.return?.();
  }
}

/**
 * Reads the pipe at `path` (a FIFO, or the /dev/fd/N of `<(command)`: file-kind.ts "pipe") to its end, as
 * `readAudioStream` reads stdin: opened without blocking (a FIFO waits for its writer), never sought in. A
 * directory, device or socket is refused before it is opened (a device such as /dev/zero would never end);
 * a path that cannot be opened or read is an AudioFormatError naming it (`options.name`, default the path).
 * Aborting `options.signal` stops the reading (and ffmpeg) and rejects with its reason.
 */
export async function readAudioPipe(path: string, options: ReadStreamOptions = {}): Promise<StreamAudio> {
  const name = options.name ?? path;
  const kind = fileKind(path);
  const unreadable = kind && unreadableKind(kind);
  if (unreadable) throw new AudioFormatError(`${name}: ${unreadable}`, name);
  const { signal } = options;
  try {
    const bytes = Bun.file(path).stream();
    // Aborted, the pipe is let go: a writer that never ends (or never comes) is not waited for.
    return await readAudioStream(signal ? bytes.pipeThrough(new TransformStream(), { signal }) : bytes, { ...options, name });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof SenkoError || (error as { code?: string }).code === undefined) throw error;
    throw new AudioFormatError(`${name}: ${describeFsError(error)}`, name, { cause: error });
  }
}

/**
 * The chunks of `stream`. A ReadableStream's are read through a reader: its cancel ends a read still waiting
 * for the writer (one that ffmpeg gave up on), where an iterator's return waits for that read to finish.
 */
function chunksOf(stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  if (!(stream instanceof ReadableStream)) return stream[Symbol.asyncIterator]();
  const reader = stream.getReader();
  return {
    next: async () => {
      const read = await reader.read();
      return read.done ? { done: true, value: undefined } : { done: false, value: read.value };
    },
    return: async () => {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}

/** `chunks` passed on, and kept while they total at most `keepBytes` (`bytes()` is then all of them). */
function keeping(chunks: AsyncIterable<Uint8Array>, keepBytes: number): { chunks: AsyncGenerator<Uint8Array>; bytes: () => Uint8Array | undefined } {
  let kept: Uint8Array[] | undefined = [];
  let total = 0;
  const passed = (async function* () {
    for await (const chunk of chunks) {
      total += chunk.length;
      if (total > keepBytes) kept = undefined;
      kept?.push(chunk);
      yield chunk;
    }
  })();
  return { chunks: passed, bytes: () => kept && join(kept) };
}

async function readFrom(source: AsyncIterator<Uint8Array>, options: ReadStreamOptions): Promise<StreamAudio> {
  const name = options.name ?? "<stream>";
  const { keepBytes = 0, ...audioOptions } = options;
  // The first chunks, until they show what the stream is.
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let kind: "pcm" | "ffmpeg" | undefined;
  let why = "";
  while (kind === undefined) {
    const next = await source.next();
    if (next.done) break;
    head.push(next.value);
    headBytes += next.value.length;
    if (headBytes < 12) continue;
    const joined = join(head);
    if (!isWav(joined)) [kind, why] = ["ffmpeg", notWavReason(joined)];
    else {
      const header = parseWavStreamHeader(joined, name);
      if (header) [kind, why] = header.layout.encoding ? ["pcm", ""] : ["ffmpeg", unsupportedCodecReason(header.layout.codec)];
    }
  }
  if (headBytes === 0) throw new AudioFormatError(`${name}: no bytes${name === "-" ? " on stdin" : ""}`, name);
  // What is known from the first bytes is said before the rest is waited for.
  if (kind === "ffmpeg" && !findFfmpeg(options.ffmpeg)) throw noFfmpeg(name, why);
  let keep = keepBytes;
  // An mp3's first frame after its ID3v2 tags, whose tags say where its audio ends (ffmpeg on a pipe does not cut
  // there: ffmpeg.ts pipedTrim). The bytes needed grow as each tag's header comes: a tagger may prepend its own.
  for (let needed = kind === "ffmpeg" ? bytesNeeded(join(head)) : 0; headBytes < needed; needed = bytesNeeded(join(head))) {
    if (needed > MP3_HEAD_MAX_BYTES) {
      // Tags too large to hold are read past, not kept: ffmpeg skips them too, so the audio is the same. The
      // stream is then longer than any keepBytes worth keeping.
      const joined = join(head);
      head = [await pastTag(source, joined, id3v2End(joined)!, name)];
      headBytes = head[0]!.length;
      keep = 0;
      continue;
    }
    let next: IteratorResult<Uint8Array>;
    for (next = await source.next(); !next.done; next = await source.next()) {
      head.push(next.value);
      headBytes += next.value.length;
      if (headBytes >= needed) break;
    }
    if (next.done) break;
  }
  const rest = (async function* () {
    yield* head;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
  })();
  if (kind === "ffmpeg") {
    // Decoded as it arrives: bytes ffmpeg cannot read are reported once it gives up, not at the stream's end.
    const kept = keeping(rest, keep);
    const decoded = await decodeWithFfmpeg({ chunks: kept.chunks, head: join(head) }, name, findFfmpeg(options.ffmpeg)!, why);
    return { audio: fromFfmpeg(decoded, name), bytes: kept.bytes() };
  }
  if (kind !== "pcm") {
    // A stream that ended before its first WAV header did: readAudio says what is wrong with it.
    const chunks: Uint8Array[] = [];
    for await (const chunk of rest) chunks.push(chunk);
    const bytes = join(chunks);
    return { audio: await readAudio(bytes, audioOptions), bytes: bytes.length <= keepBytes ? bytes : undefined };
  }
  return decodeWavStream(rest, name, keepBytes, options);
}

/** What follows the `tagBytes` of an ID3v2 tag that `head` starts and `source` goes on with (those read and let go). */
async function pastTag(source: AsyncIterator<Uint8Array>, head: Uint8Array, tagBytes: number, name: string): Promise<Uint8Array> {
  let chunk = head;
  for (let left = tagBytes; ; ) {
    if (chunk.length > left) return chunk.subarray(left);
    left -= chunk.length;
    const next = await source.next();
    if (next.done) throw new AudioFormatError(`${name}: the stream ended inside its ID3v2 tag of ${tagBytes} bytes, before any audio`, name);
    chunk = next.value;
  }
}

/** The PCM data of a WAV stream, converted as it arrives. */
async function decodeWavStream(chunks: AsyncIterable<Uint8Array>, name: string, keepBytes: number, options: ReadAudioOptions): Promise<StreamAudio> {
  /** the PCM data while one WAV of it fits in keepBytes */
  let kept: Uint8Array[] | undefined = keepBytes >= WAV_FILE_HEADER_BYTES ? [] : undefined;
  let keptBytes = WAV_FILE_HEADER_BYTES;
  const sink = new SampleSink();
  const take = (samples: Float32Array) => sink.push(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  let converter: Mono16kStream | undefined;
  let dataBytes = 0;
  let missingBytes = 0;
  for await (const [format, data] of pcmData(chunks, name, undefined, true, (missing) => (missingBytes = missing))) {
    converter ??= new Mono16kStream(format, options.context);
    dataBytes += data.length;
    keptBytes += data.length;
    if (keptBytes > keepBytes) kept = undefined;
    kept?.push(data);
    checkLength(name, outputLength(Math.floor(dataBytes / converter.frameBytes), format.sampleRate));
    take(converter.push(data));
  }
  const { sampleRate, channels, encoding, frameBytes } = converter!;
  take(converter!.finish());
  const samples = sink.samples();
  const warnings: string[] = [];
  const durationSec = samples.length / TARGET_RATE;
  if (missingBytes > 0) {
    const seconds = missingBytes / (sampleRate * frameBytes);
    warnings.push(`the stream ended ${seconds.toFixed(2)} s before the end its WAV header declares (a recorder stopped early?); read the ${durationSec.toFixed(2)} s that arrived`);
  }
  if (converter!.cutBytes > 0) warnings.push(`the audio ended inside a frame: ignored the last ${converter!.cutBytes} of its ${frameBytes} bytes`);
  return {
    audio: { samples, sampleRate: TARGET_RATE, durationSec, source: { name, sampleRate, channels, encoding, decoder: "wav" }, warnings },
    bytes: kept && wavFileOf({ sampleRate, channels, encoding }, kept),
  };
}
