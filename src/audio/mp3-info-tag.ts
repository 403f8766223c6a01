/**
 * @module The gapless length of an MP3 from its first frame: the Xing/Info tag (frame count) and the LAME
 * tag after it (encoder delay and padding, 12 bits each), read as the formats are described (Xing: tag,
 * flags, then frames / bytes / 100-byte TOC / quality as the flags say; LAME: a 9-byte encoder string, then
 * delay and padding 21 bytes on). ffmpeg 5.1 reads a file so, and cuts its decoded samples to this length;
 * on a pipe it cuts the delay but not the padding, so the same mp3 on stdin came out longer by the padding
 * (up to 4095 samples: 7 ms on a 1.3 s tone at 44.1 kHz, ~27 ms on others).
 */
import { strict as assert } from "node:assert";

/** Samples per frame of MPEG-1 Layer III; MPEG-2 and 2.5 (lower sample rates) have half. */
const MPEG1_SAMPLES_PER_FRAME = 1152;
/** The most bytes between an ID3v2 tag's end and a LAME tag's delay and padding (4 + 32 + 120 + 24). */
const FIRST_FRAME_BYTES = 180;
/** Encoder strings whose delay and padding ffmpeg trusts (other writers' fields there mean other things). */
const TRUSTED_ENCODERS = ["LAME", "Lavf", "Lavc"];

/** The samples per channel, at the stream's rate, that remain of the decoded audio once the encoder's delay and padding are cut. */
export interface Mp3Gapless {
  samples: number;
}

/**
 * The gapless length of the MP3 that `head` starts (an optional ID3v2 tag, then the first frame), or
 * undefined when it has no Xing/Info frame count with a LAME tag (nothing to cut), or "incomplete" when
 * `head` ends before that is known (`bytesNeeded` says how many bytes it reads).
 */
export function mp3Gapless(head: Uint8Array): Mp3Gapless | "incomplete" | undefined {
  const start = id3v2End(head);
  if (start === undefined) return undefined;
  if (head.length < start + FIRST_FRAME_BYTES) return "incomplete";
  return frameTag(head, start);
}

/**
 * The bytes `mp3Gapless` reads at most of a stream that starts with `head`: it grows as `head` does, for each
 * ID3v2 tag whose header has come (a tag's size is known once its 10-byte header is there).
 */
export function bytesNeeded(head: Uint8Array): number {
  return (id3v2End(head) ?? 0) + FIRST_FRAME_BYTES;
}

/**
 * Where the ID3v2 tags at the start end (0 without one; ffmpeg skips any number of tags in a row, as a tagger
 * that prepends its own leaves them), or undefined when a tag's header is not valid. A tag whose header `head`
 * does not hold whole is not counted yet.
 */
export function id3v2End(head: Uint8Array): number | undefined {
  let end = 0;
  // Each tag is at least its 10-byte header, so the walk ends within head.length / 10 steps.
  while (head.length >= end + 10 && head[end] === 0x49 && head[end + 1] === 0x44 && head[end + 2] === 0x33) { // "ID3"
    const tag = tagBytes(head.subarray(end, end + 10));
    if (tag === undefined) return undefined;
    end += tag;
  }
  return end;
}

/** The bytes of the ID3v2 tag whose 10-byte header is `header`, or undefined when the header is not valid. */
function tagBytes(header: Uint8Array): number | undefined {
  const [major, revision, flags] = [header[3]!, header[4]!, header[5]!];
  if (major < 2 || major > 4 || revision === 0xff) return undefined;
  // The size is 4 bytes of 7 bits each (no byte with its top bit set), not counting the 10-byte header or a footer.
  if (header.subarray(6, 10).some((b) => b >= 0x80)) return undefined;
  const size = ((header[6]! << 21) | (header[7]! << 14) | (header[8]! << 7) | header[9]!) >>> 0;
  const footer = major === 4 && (flags & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

/** The tags of the Layer III frame at `at` (at least FIRST_FRAME_BYTES of `head` from there). */
function frameTag(head: Uint8Array, at: number): Mp3Gapless | undefined {
  assert(at + FIRST_FRAME_BYTES <= head.length);
  const [b1, b2, b3] = [head[at + 1]!, head[at + 2]!, head[at + 3]!];
  // Junk before the first frame, or a CRC after its header (the tag 2 bytes later): ffmpeg 5.1 reads no tag by path then, and cuts nothing.
  if (head[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined; // no frame sync
  const version = (b1 >> 3) & 3; // 0 MPEG-2.5, 1 reserved, 2 MPEG-2, 3 MPEG-1
  const layer = (b1 >> 1) & 3; // 1 is Layer III
  const crc = (b1 & 1) === 0;
  if (version === 1 || layer !== 1 || crc || b2 >> 4 === 15 || ((b2 >> 2) & 3) === 3) return undefined;
  const mpeg1 = version === 3;
  const mono = b3 >> 6 === 3;
  // The tag follows the frame header and the side information, whose size depends on the version and the channels.
  const tag = at + 4 + (mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17);
  const name = String.fromCharCode(...head.subarray(tag, tag + 4));
  if (name !== "Xing" && name !== "Info") return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const flags = view.getUint32(tag + 4);
  if ((flags & 1) === 0) return undefined; // no frame count: ffmpeg cuts nothing at the end either
  const frames = view.getUint32(tag + 8);
  // Past the optional fields: bytes (flag 2), the table of contents (4), quality (8).
  const lame = tag + 12 + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0);
  assert(lame + 24 <= at + FIRST_FRAME_BYTES);
  if (!TRUSTED_ENCODERS.includes(String.fromCharCode(...head.subarray(lame, lame + 4)))) return undefined;
  const delayPadding = (head[lame + 21]! << 16) | (head[lame + 22]! << 8) | head[lame + 23]!;
  const [delay, padding] = [delayPadding >> 12, delayPadding & 0xfff];
  const samples = frames * (mpeg1 ? MPEG1_SAMPLES_PER_FRAME : MPEG1_SAMPLES_PER_FRAME / 2) - delay - padding;
  // A damaged tag (more delay and padding than audio) cuts nothing.
  if (samples <= 0) return undefined;
  assert(Number.isSafeInteger(samples));
  return { samples };
}
