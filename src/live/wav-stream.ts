/**
 * @module The header of a WAV stream (a pipe from ffmpeg or arecord, a file still being recorded):
 * parsed by ../audio/wav.ts as soon as enough bytes have arrived, with the stream's length unknown.
 */
import { parseWav, type ByteSource, type WavLayout } from "../audio/wav.ts";
import { AudioFormatError } from "../errors.ts";

/** A length no stream reaches: sizes past what has arrived are then not read as a truncated file. */
const OPEN_ENDED = 2 ** 50;
/** A header longer than this (chunks before `data`) is refused rather than waited for. */
const MAX_HEADER_BYTES = 1 << 20;

const needMore = Symbol("need more bytes");

export interface WavStreamHeader {
  layout: WavLayout & { encoding: NonNullable<WavLayout["encoding"]> };
  /** bytes of samples the header declares, or undefined when it leaves the length open */
  dataBytes: number | undefined;
}

/**
 * The header of the WAV stream whose first bytes are `head`, or undefined when more bytes are needed.
 * Throws an AudioFormatError (naming `name`) for what is not a WAV stream senko decodes.
 */
export function parseWavStreamHeader(head: Uint8Array, name: string): WavStreamHeader | undefined {
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
  if (!layout.encoding) {
    throw new AudioFormatError(`${name}: ${layout.codec} cannot be read live; convert it as it arrives: ffmpeg -i <input> -f wav -acodec pcm_s16le - | senko --live -`, name);
  }
  // An open length comes out as (nearly) all of OPEN_ENDED.
  const dataBytes = layout.dataBytes > OPEN_ENDED / 2 ? undefined : layout.dataBytes;
  return { layout: layout as WavStreamHeader["layout"], dataBytes };
}
