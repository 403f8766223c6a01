/**
 * @module Whether an Ogg file (Opus, Vorbis, FLAC in Ogg) ends where its stream does. ffmpeg takes an Ogg's
 * duration from its last page, so one cut short declares the length of what is left and decodes without an
 * error; but the last page of a finished stream carries the end-of-stream flag (RFC 3533), and one cut short
 * ends inside a page or after a page without it.
 */

/** The longest Ogg page: a 27-byte header, 255 lacing values, 255 segments of 255 bytes. */
const MAX_PAGE_BYTES = 27 + 255 + 255 * 255;

/** The bytes at the end of a file that `oggEnded` reads: the last whole page, even after a cut-off one. */
export const OGG_TAIL_BYTES = 2 * MAX_PAGE_BYTES;

/** The end-of-stream flag of a page's header type (byte 5). */
const END_OF_STREAM = 0x04;

/**
 * Whether the last whole page in `tail` (the end of an Ogg file, at most OGG_TAIL_BYTES) ends its stream;
 * undefined when `tail` holds no whole page (not Ogg, or damaged beyond telling). Pages are told from the
 * bytes "OggS" inside audio packets by their checksum; bytes after the last whole page (a cut-off page,
 * trailing junk) are not looked at.
 */
export function oggEnded(tail: Uint8Array): boolean | undefined {
  for (let at = tail.length - 27; at >= 0; at--) {
    if (tail[at] !== 0x4f || tail[at + 1] !== 0x67 || tail[at + 2] !== 0x67 || tail[at + 3] !== 0x53 || tail[at + 4] !== 0) continue; // "OggS", version 0
    const bytes = pageBytes(tail, at);
    if (bytes !== undefined && checksumOk(tail.subarray(at, at + bytes))) return (tail[at + 5]! & END_OF_STREAM) !== 0;
  }
  return undefined;
}

/** The bytes of the page whose header starts at `at`, or undefined when `tail` ends before it does. */
function pageBytes(tail: Uint8Array, at: number): number | undefined {
  const segments = tail[at + 26]!;
  if (at + 27 + segments > tail.length) return undefined;
  let bytes = 27 + segments;
  for (let i = 0; i < segments; i++) bytes += tail[at + 27 + i]!;
  return at + bytes <= tail.length ? bytes : undefined;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let r = n << 24;
  for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, starting at 0) of `page` with its checksum field read as 0, against that field. */
function checksumOk(page: Uint8Array): boolean {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  const stored = (page[22]! | (page[23]! << 8) | (page[24]! << 16) | (page[25]! << 24)) >>> 0;
  return crc === stored;
}
