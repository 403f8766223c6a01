/**
 * @module WAV as a stream (a pipe from ffmpeg or arecord, a file still being recorded): the header parsed
 * by ./wav.ts as soon as enough bytes have arrived, with the stream's length unknown, and the PCM data
 * after it, across the fresh headers a recorder writes when it starts over. `senko -` (./read-stream.ts)
 * and `senko --live` read streams through this module alone.
 */
import { AudioFormatError } from "../errors.ts";
import { BYTES_PER_SAMPLE, isWav, mayStartWav, parseWav, type ByteSource, type SampleEncoding, type WavLayout } from "./wav.ts";

/** A length no stream reaches: sizes past what has arrived are then not read as a truncated file. */
const OPEN_ENDED = 2 ** 50;
/** A header longer than this (chunks before `data`) is refused rather than waited for. */
const MAX_HEADER_BYTES = 1 << 20;

const needMore = Symbol("need more bytes");

export interface PcmLayout {
  sampleRate: number;
  channels: number;
  encoding: SampleEncoding;
}

export interface WavStreamHeader {
  /** `encoding` is undefined for a codec senko does not decode itself (`codec` names it) */
  layout: WavLayout;
  /** bytes of samples the header declares, or undefined when it leaves the length open */
  dataBytes: number | undefined;
}

/**
 * The header of the WAV stream whose first bytes are `head`, or undefined when more bytes are needed.
 * Throws an AudioFormatError (naming `name`) for what is not a WAV header senko accepts.
 */
export function parseWavStreamHeader(head: Uint8Array, name: string): WavStreamHeader | undefined {
  // "hello\n" is refused now, not waited on as a header still arriving.
  if (!mayStartWav(head)) throw new AudioFormatError(`${name}: not a WAV file (no RIFF/RF64 WAVE header)`, name);
  const source: ByteSource = {
    size: OPEN_ENDED,
    read(offset, length) {
      // The header lies within MAX_HEADER_BYTES; a read beyond (after a data chunk of open length) looks
      // past the samples, where a file would have ended.
      if (offset >= MAX_HEADER_BYTES) return head.subarray(head.length);
      if (offset + length > head.length) throw needMore;
      return head.subarray(offset, offset + length);
    },
  };
  let layout: WavLayout;
  try {
    layout = parseWav(source, name);
  } catch (error) {
    if (error !== needMore) throw error;
    if (head.length > MAX_HEADER_BYTES) throw new AudioFormatError(`${name}: no WAV 'data' chunk in the first ${MAX_HEADER_BYTES} bytes`, name);
    return undefined;
  }
  // An open length comes out as (nearly) all of OPEN_ENDED.
  const dataBytes = layout.dataBytes > OPEN_ENDED / 2 ? undefined : layout.dataBytes;
  return { layout, dataBytes };
}

/** Bytes of the header wavFileOf writes: RIFF, WAVE, a 16-byte `fmt ` chunk, the `data` chunk's head. */
export const WAV_FILE_HEADER_BYTES = 44;

/**
 * One WAV file of a stream's PCM data (`data`, in order): what a player plays whole, where the stream itself
 * may hold several headers (a recorder that starts over, WAV files concatenated), of which a player reads
 * only the first, and sizes a streaming writer left at 0 or 0xFFFFFFFF.
 */
export function wavFileOf(layout: PcmLayout, data: readonly Uint8Array[]): Uint8Array {
  const dataBytes = data.reduce((sum, d) => sum + d.length, 0);
  const sampleBytes = BYTES_PER_SAMPLE[layout.encoding];
  const file = new Uint8Array(WAV_FILE_HEADER_BYTES + dataBytes);
  const view = new DataView(file.buffer);
  const ascii = (at: number, text: string) => file.set(new TextEncoder().encode(text), at);
  ascii(0, "RIFF");
  view.setUint32(4, WAV_FILE_HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, layout.encoding.startsWith("float") ? 3 : 1, true);
  view.setUint16(22, layout.channels, true);
  view.setUint32(24, layout.sampleRate, true);
  view.setUint32(28, layout.sampleRate * layout.channels * sampleBytes, true);
  view.setUint16(32, layout.channels * sampleBytes, true);
  view.setUint16(34, 8 * sampleBytes, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  let at = WAV_FILE_HEADER_BYTES;
  for (const d of data) {
    file.set(d, at);
    at += d.length;
  }
  return file;
}

/** The command that turns any audio ffmpeg reads into a WAV stream --live takes. */
const LIVE_CONVERSION = "ffmpeg -i <input> -f wav -acodec pcm_s16le - | senko --live -";

const describeLayout = (l: { sampleRate: number; channels: number; encoding?: string; codec?: string }) => `${l.sampleRate} Hz, ${l.channels} channel(s), ${l.encoding ?? l.codec}`;

/**
 * The PCM data in `chunks`: each yield is the layout (known after the WAV header, or given as `raw`) and
 * the next data bytes. With `untilDeclaredEnd` (a stream, whose header cannot change), a WAV stream ends
 * where its header says the data ends, if it says, unless a new header follows there: arecord on a pipe
 * declares 2 GiB and then starts over with a fresh header of the same layout, read on; a header of another
 * layout is an AudioFormatError (one recording has one layout); anything else there (a trailing chunk) is
 * not audio. A file's header may still change (fileChunks in ../live/input.ts follows it). `short` is told
 * how many bytes of samples the stream lacked when it ended before its declared end.
 */
export async function* pcmData(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  raw: PcmLayout | undefined,
  untilDeclaredEnd: boolean,
  short?: (missingBytes: number) => void,
): AsyncGenerator<[PcmLayout, Uint8Array]> {
  let layout = raw;
  let remaining = Infinity;
  /** data bytes read before the current header, for where a seam is */
  let dataRead = 0;
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
            throw new AudioFormatError(`${error.message}; --live reads a WAV stream, or raw PCM with --raw-rate and --raw-format; convert other formats as they arrive: ${LIVE_CONVERSION}`, name);
          }
          throw error;
        }
        if (!header) break;
        const { sampleRate, channels, encoding, dataOffset, codec } = header.layout;
        if (layout && (layout.sampleRate !== sampleRate || layout.channels !== channels || layout.encoding !== encoding)) {
          const at = dataRead / (layout.sampleRate * layout.channels * BYTES_PER_SAMPLE[layout.encoding]);
          throw new AudioFormatError(
            `${name}: the WAV stream starts over ${at.toFixed(2)} s in with a header of another layout (${describeLayout({ sampleRate, channels, encoding, codec })} after ${describeLayout(layout)}), which one recording cannot have`,
            name,
          );
        }
        if (!encoding) {
          throw new AudioFormatError(`${name}: ${codec} cannot be read live; convert it as it arrives: ${LIVE_CONVERSION}`, name);
        }
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
      dataRead += take.length;
      afterEnd = remaining <= 0;
      if (take.length > 0) yield [layout, take];
    }
  }
  if (!seen) throw new AudioFormatError(`${name}: no bytes${name === "-" ? " on stdin" : ""}`, name);
  if (!layout) throw new AudioFormatError(`${name}: the stream ended inside its WAV header (${head.length} bytes)`, name);
  if (!afterEnd && remaining < Infinity) short?.(remaining);
}
