/**
 * @module WAV header parsing: walks the RIFF / RF64 / BW64 chunks to find `fmt ` and `data`, and
 * describes the sample layout for the native decoder. Only headers are read here; samples are
 * decoded in Zig (./convert.ts).
 */
import { AudioFormatError } from "../errors.ts";

/** Sample encodings the native decoder reads (values of convert.Encoding in zig/convert.zig). */
export type SampleEncoding = "pcm_u8" | "pcm_s16" | "pcm_s24" | "pcm_s32" | "float32" | "float64";

/** Bytes of one sample (convert.Encoding.bytes in zig/convert.zig; test/shared-constants.test.ts checks). */
export const BYTES_PER_SAMPLE: Record<SampleEncoding, number> = {
  pcm_u8: 1,
  pcm_s16: 2,
  pcm_s24: 3,
  pcm_s32: 4,
  float32: 4,
  float64: 8,
};

/** Accepted input sample rates; the upper bound equals `rate_max` in zig/abi-audio.zig. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 1_000_000;
/** Interleaved channels accepted (a WAV header's 16-bit field). */
export const MAX_CHANNELS = 65535;

export interface WavLayout {
  container: "RIFF" | "RF64" | "BW64";
  /** the format tag, after resolving WAVE_FORMAT_EXTENSIBLE to its sub-format */
  formatTag: number;
  extensible: boolean;
  channels: number;
  sampleRate: number;
  /** bits per sample as declared (the container size for WAVE_FORMAT_EXTENSIBLE) */
  bitsPerSample: number;
  blockAlign: number;
  /** undefined when the codec is not one the native decoder reads (see `codec`) */
  encoding: SampleEncoding | undefined;
  /** human-readable codec, e.g. "16-bit PCM" or "mu-law (format tag 0x0007)" */
  codec: string;
  /** byte offset of the first frame */
  dataOffset: number;
  /** bytes of sample data present in the input (may be less than declared, see `warnings`) */
  dataBytes: number;
  /** whole frames present (0 when `encoding` is undefined) */
  frameCount: number;
  /** problems that did not stop reading, e.g. a data chunk cut short */
  warnings: string[];
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 shared by every KSDATAFORMAT_SUBTYPE_* GUID built from a format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** RIFF size fields set to this mean "unknown" (streamed output, RF64 placeholders). */
const SIZE_UNKNOWN = 0xffffffff;
/** Other data sizes that streaming writers put in a header they cannot go back to (espeak-ng --stdout: 0x7FFFF000). */
const STREAMED_DATA_SIZES = new Set([0x7ffff000]);

/** Codecs seen in WAV files that senko does not decode itself (ffmpeg does). */
const CODEC_NAMES: Record<number, string> = {
  0x0000: "unknown",
  0x0002: "Microsoft ADPCM",
  0x0006: "A-law",
  0x0007: "mu-law",
  0x0011: "IMA ADPCM",
  0x0016: "ITU G.723 ADPCM",
  0x0031: "GSM 6.10",
  0x0040: "G.721 ADPCM",
  0x0050: "MPEG audio",
  0x0055: "MP3",
  0x0092: "AC-3 over S/PDIF",
  0x00ff: "AAC",
  0x0161: "WMA",
  0x0162: "WMA Pro",
  0x0163: "WMA Lossless",
  0x1610: "AAC (ADTS)",
  0x2000: "AC-3",
  0x2001: "DTS",
  0xf1ac: "FLAC",
};

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

function isPrintableId(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  for (let i = at; i < at + 4; i++) if (bytes[i]! < 0x20 || bytes[i]! > 0x7e) return false;
  return true;
}

/**
 * True when `head` (the first 12 or more bytes) starts a WAV file: RIFF, RF64 or BW64 with form
 * type WAVE. Also true for a shorter prefix of one, so that a cut-off header is reported as such.
 */
export function isWav(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  if (!(WAV_MAGICS as readonly string[]).includes(ascii(head, 0))) return false;
  return head.length < 12 || ascii(head, 8) === "WAVE";
}

/** The ids a WAV file starts with. */
const WAV_MAGICS = ["RIFF", "RF64", "BW64"] as const;

/** False when `head`, however short, cannot be the start of a WAV file: no later bytes make it one. */
export function mayStartWav(head: Uint8Array): boolean {
  if (head.length >= 4) return isWav(head);
  const start = String.fromCharCode(...head);
  return WAV_MAGICS.some((magic) => magic.startsWith(start));
}

/** A chunk id for a message: non-printable bytes as "?". */
function printableId(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, "?");
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, "0")}`;
}

function guidString(b: Uint8Array, at: number): string {
  const h = (i: number) => b[at + i]!.toString(16).padStart(2, "0");
  const le = (...idx: number[]) => idx.map(h).join("");
  return `{${le(3, 2, 1, 0)}-${le(5, 4)}-${le(7, 6)}-${le(8, 9)}-${le(10, 11, 12, 13, 14, 15)}}`;
}

/** What the fmt chunk says; the data chunk adds the rest of the layout. */
type Format = Pick<WavLayout, "formatTag" | "extensible" | "channels" | "sampleRate" | "bitsPerSample" | "blockAlign" | "encoding" | "codec">;

/** `bytes`: the start of the fmt chunk's body (up to 40 bytes); `size`: the body's declared size. */
function parseFormat(bytes: Uint8Array, size: number, fail: (problem: string) => never): Format {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let formatTag = view.getUint16(0, true);
  const channels = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  const blockAlign = view.getUint16(12, true);
  const bitsPerSample = view.getUint16(14, true);
  const extensible = formatTag === WAVE_FORMAT_EXTENSIBLE;
  let validBits = bitsPerSample;
  if (extensible) {
    if (size < 40) fail(`invalid WAV header: a WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk needs 40 bytes, this one has ${size}`);
    validBits = view.getUint16(18, true) || bitsPerSample;
    const tail = bytes.subarray(26, 40);
    if (!SUBTYPE_GUID_TAIL.every((v, i) => tail[i] === v)) {
      return {
        formatTag,
        extensible,
        channels,
        sampleRate,
        bitsPerSample,
        blockAlign,
        encoding: undefined,
        codec: `WAVE_FORMAT_EXTENSIBLE with unknown sub-format ${guidString(bytes, 24)}`,
      };
    }
    formatTag = view.getUint16(24, true);
  }
  if (channels === 0) fail("invalid WAV header: 0 channels");
  if (sampleRate === 0) fail("invalid WAV header: the sample rate is 0 Hz");

  let encoding: SampleEncoding | undefined;
  let codec: string;
  if (formatTag === WAVE_FORMAT_PCM) {
    // Plain PCM may declare e.g. 12 bits in 2-byte containers; WAVE_FORMAT_EXTENSIBLE declares the
    // container and puts the significant bits in validBits. Either way samples are MSB-aligned.
    if (bitsPerSample < 1 || bitsPerSample > 32 || (extensible && bitsPerSample % 8 !== 0) || validBits > bitsPerSample) {
      fail(`${bitsPerSample}-bit PCM${extensible ? ` (${validBits} valid bits)` : ""} is not supported (8, 16, 24 and 32-bit are)`);
    }
    const container = Math.ceil(bitsPerSample / 8);
    encoding = (["pcm_u8", "pcm_s16", "pcm_s24", "pcm_s32"] as const)[container - 1]!;
    codec = `${validBits}-bit PCM`;
  } else if (formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bitsPerSample !== 32 && bitsPerSample !== 64) fail(`${bitsPerSample}-bit float samples are not supported (32 and 64-bit float are)`);
    encoding = bitsPerSample === 32 ? "float32" : "float64";
    codec = `${bitsPerSample}-bit float`;
  } else {
    codec = `${CODEC_NAMES[formatTag] ?? "unknown codec"} (format tag ${hex4(formatTag)})`;
  }
  if (encoding) {
    const need = channels * BYTES_PER_SAMPLE[encoding];
    if (blockAlign !== need) {
      fail(
        `invalid WAV header: block align is ${blockAlign} bytes, but ${channels} channel(s) of ` +
          `${BYTES_PER_SAMPLE[encoding] * 8}-bit samples make ${need}-byte frames`,
      );
    }
  }
  return { formatTag, extensible, channels, sampleRate, bitsPerSample, blockAlign, encoding, codec };
}

/** Random access to the bytes of a file or buffer. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `offset` (fewer at the end). */
  read(offset: number, length: number): Uint8Array;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

/**
 * Finds the format and the sample data of the WAV file in `input` (its bytes, or a ByteSource that
 * reads only the chunk headers of a file). Throws an AudioFormatError that names `name` for
 * anything it cannot make sense of, including a data chunk that declares more bytes than the file
 * holds (an incomplete file). An empty data chunk is valid (no frames). A file whose writer has not
 * filled in the sizes yet (data size 0 or 0xFFFFFFFF) is read to its end, the former with a
 * warning. A codec other than PCM or float is returned with `encoding` undefined so that the
 * caller can hand it to ffmpeg.
 */
export function parseWav(input: Uint8Array | ByteSource, name: string): WavLayout {
  const fail: (problem: string) => never = (problem) => {
    throw new AudioFormatError(`${name}: ${problem}`, name);
  };
  const source = input instanceof Uint8Array ? bufferSource(input) : input;
  const size = source.size;
  const u32At = (offset: number): number | undefined => {
    const b = source.read(offset, 4);
    return b.length === 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : undefined;
  };
  const idAt = (offset: number): string | undefined => {
    const b = source.read(offset, 4);
    return b.length === 4 ? ascii(b, 0) : undefined;
  };
  const printableAt = (offset: number): boolean => {
    const b = source.read(offset, 4);
    return b.length === 4 && isPrintableId(b, 0);
  };

  const head = source.read(0, 12);
  if (head.length < 12) fail(`truncated WAV header: the file is only ${size} bytes`);
  if (!isWav(head)) fail("not a WAV file (no RIFF/RF64 WAVE header)");
  const container = ascii(head, 0) as WavLayout["container"];
  const riffSizeField = new DataView(head.buffer, head.byteOffset, 12).getUint32(4, true);
  const warnings: string[] = [];

  let pos = 12;
  /** RF64/BW64: the real 64-bit data size from the ds64 chunk, used when the data chunk says 0xFFFFFFFF */
  let ds64DataSize: number | undefined;
  if (container !== "RIFF") {
    if (idAt(12) !== "ds64") fail(`invalid ${container} header: the first chunk is not 'ds64'`);
    const ds64Size = u32At(16)!;
    const body = source.read(20, 24);
    if (ds64Size < 24 || body.length < 24) fail(`truncated ${container} header: the 'ds64' chunk is cut short`);
    ds64DataSize = Number(new DataView(body.buffer, body.byteOffset, 24).getBigUint64(8, true));
    pos = 20 + ds64Size + (ds64Size & 1);
  }

  let format: Format | undefined;
  let data: { offset: number; declared: number; sizeField: number } | undefined;
  /** a chunk whose declared size ends the walk past the end of the file, for the error message */
  let overrun: string | undefined;
  while ((!format || !data) && pos + 8 <= size) {
    const id = idAt(pos)!;
    const chunkSize = u32At(pos + 4)!;
    const body = pos + 8;
    if (id === "fmt ") {
      if (chunkSize < 16) fail(`invalid WAV header: the 'fmt ' chunk is ${chunkSize} bytes, a format needs at least 16`);
      const bytes = source.read(body, Math.min(chunkSize, 40));
      if (bytes.length < Math.min(chunkSize, 40)) fail(`truncated WAV header: the file ends inside the 'fmt ' chunk`);
      if (body + chunkSize > size) fail(`truncated WAV header: the 'fmt ' chunk declares ${chunkSize} bytes, past the end of the file`);
      format = parseFormat(bytes, chunkSize, fail);
    } else if (id === "data") {
      let declared = chunkSize;
      if (chunkSize === SIZE_UNKNOWN) declared = ds64DataSize ?? size - body;
      else if (STREAMED_DATA_SIZES.has(chunkSize) && body + chunkSize > size) declared = size - body;
      data = { offset: body, declared, sizeField: chunkSize };
      // Without a fmt chunk yet the walk must go on, past a data chunk that may run to the end.
      if (!format && body + declared >= size) break;
    } else if (body + chunkSize > size) {
      overrun = `the '${printableId(id)}' chunk at byte ${pos} declares ${chunkSize} bytes, past the end of the ${size}-byte file`;
    }
    let next = body + chunkSize + (chunkSize & 1);
    // Some writers omit the pad byte after an odd-sized chunk: follow the chunk id that is readable.
    if (chunkSize & 1 && !printableAt(next) && printableAt(next - 1)) next -= 1;
    pos = next;
  }
  if (!format) fail(`invalid WAV file: no 'fmt ' chunk${overrun ? ` (${overrun})` : size < 44 ? ` (truncated header: the file is only ${size} bytes)` : ""}`);
  if (!data) fail(`invalid WAV file: no 'data' chunk (${overrun ?? "truncated?"})`);

  const rate = format.sampleRate;
  if (rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
    fail(`the sample rate ${rate} Hz is outside the supported ${MIN_SAMPLE_RATE}-${MAX_SAMPLE_RATE} Hz`);
  }
  const after = Math.max(0, size - data.offset);
  // A writer that has not finished (a recording in progress, a crashed program) leaves the data
  // size at 0 and the RIFF size covering no more than the header: the samples are what follows.
  const unfinished =
    data.sizeField === 0 && after > 0 && (riffSizeField === 0 || riffSizeField === SIZE_UNKNOWN || 8 + riffSizeField <= data.offset);
  if (unfinished) data.declared = after;
  if (data.declared > after) {
    const seconds = (bytes: number) => (format.encoding ? ` (${(bytes / format.blockAlign / rate).toFixed(2)} s)` : "");
    fail(
      `truncated WAV data: the header declares ${data.declared} bytes of samples${seconds(data.declared)} but the file holds ` +
        `only ${after}${seconds(after)}; the file is incomplete (an interrupted download or copy?)`,
    );
  }
  const present = data.declared;
  let frameCount = 0;
  if (format.encoding) {
    frameCount = Math.floor(present / format.blockAlign);
    if (unfinished) {
      warnings.push(
        `the WAV header gives no data size (a file still being written, or a writer that did not finish); ` +
          `read the ${frameCount} frames present (${(frameCount / rate).toFixed(3)} s)`,
      );
    }
    if (present % format.blockAlign !== 0) {
      warnings.push(
        `the data chunk (${present} bytes) is not a whole number of ${format.blockAlign}-byte frames; ` +
          `ignored the last ${present % format.blockAlign} bytes`,
      );
    }
  }
  return {
    container,
    ...format,
    dataOffset: data.offset,
    dataBytes: present,
    frameCount,
    warnings,
  };
}
