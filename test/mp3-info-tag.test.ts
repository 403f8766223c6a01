import { expect, test } from "bun:test";
import { bytesNeeded, mp3Gapless } from "../src/audio/mp3-info-tag.ts";

/** A first frame: header bytes 1-3, the side information left at zero, then a Xing/Info tag and a LAME tag. */
function firstFrame({ header = [0xfb, 0x90, 0x00], name = "Info", flags = 0x0f, frames = 51, encoder = "LAME3.100", delay = 576, padding = 846 } = {}): Uint8Array {
  const mpeg1 = ((header[0]! >> 3) & 3) === 3;
  const mono = header[2]! >> 6 === 3;
  const side = mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const optional = (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0);
  const frame = new Uint8Array(417);
  frame.set([0xff, ...header]);
  const tag = 4 + side;
  frame.set([...name].map((c) => c.charCodeAt(0)), tag);
  new DataView(frame.buffer).setUint32(tag + 4, flags);
  new DataView(frame.buffer).setUint32(tag + 8, frames);
  const lame = tag + 12 + optional;
  frame.set([...encoder].map((c) => c.charCodeAt(0)), lame);
  frame.set([delay >> 4, ((delay & 15) << 4) | (padding >> 8), padding & 255], lame + 21);
  return frame;
}

/** An ID3v2 tag of `size` bytes after its header (a v2.4 one with a footer when asked). */
function id3(size: number, { major = 3, footer = false } = {}): Uint8Array {
  const syncsafe = [21, 14, 7, 0].map((shift) => (size >> shift) & 0x7f);
  const tag = new Uint8Array(10 + size + (footer ? 10 : 0));
  tag.set([0x49, 0x44, 0x33, major, 0, footer ? 0x10 : 0, ...syncsafe]);
  return tag;
}

const join = (...parts: Uint8Array[]) => new Uint8Array(Bun.concatArrayBuffers(parts));

test("mp3Gapless: frames × samples per frame − delay − padding, after an ID3v2 tag or none", () => {
  expect(mp3Gapless(firstFrame())).toEqual({ samples: 51 * 1152 - 576 - 846 });
  expect(mp3Gapless(join(id3(35), firstFrame()))).toEqual({ samples: 51 * 1152 - 576 - 846 });
  // A v2.4 tag with a footer: 10 bytes more before the frame.
  expect(mp3Gapless(join(id3(1000, { major: 4, footer: true }), firstFrame({ encoder: "Lavc59.37" })))).toEqual({ samples: 57330 });
  // MPEG-2 (576 samples per frame), mono: the tag after 9 bytes of side information; a Xing tag without its TOC.
  expect(mp3Gapless(firstFrame({ header: [0xf3, 0x60, 0xc0], name: "Xing", flags: 0x03, frames: 40, encoder: "Lavf59.27", delay: 576, padding: 1000 }))).toEqual({
    samples: 40 * 576 - 576 - 1000,
  });
  // MPEG-2.5, stereo: 17 bytes of side information.
  expect(mp3Gapless(firstFrame({ header: [0xe3, 0x48, 0x00], frames: 21, delay: 576, padding: 1105 }))).toEqual({ samples: 10415 });
});

test("mp3Gapless: nothing to cut where ffmpeg cuts nothing by path, and 'incomplete' until the tag has come", () => {
  expect(mp3Gapless(firstFrame({ encoder: "XXXX3.100" }))).toBeUndefined(); // another encoder's fields
  expect(mp3Gapless(firstFrame({ flags: 0x0e }))).toBeUndefined(); // no frame count
  expect(mp3Gapless(firstFrame({ name: "VBRI" }))).toBeUndefined();
  expect(mp3Gapless(firstFrame({ header: [0xfa, 0x90, 0x00] }))).toBeUndefined(); // a CRC after the header
  expect(mp3Gapless(firstFrame({ header: [0xfd, 0x90, 0x00] }))).toBeUndefined(); // Layer II
  expect(mp3Gapless(firstFrame({ header: [0xfb, 0xf0, 0x00] }))).toBeUndefined(); // a bad bitrate index
  expect(mp3Gapless(firstFrame({ frames: 1, delay: 4000 }))).toBeUndefined(); // more delay than audio
  expect(mp3Gapless(new TextEncoder().encode("RIFF" + " ".repeat(400)))).toBeUndefined();
  expect(mp3Gapless(join(new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 0x80, 0, 0, 0]), firstFrame()))).toBeUndefined(); // not syncsafe
  const whole = join(id3(5000), firstFrame());
  expect(bytesNeeded(whole.subarray(0, 10))).toBe(5010 + 180);
  expect(mp3Gapless(whole.subarray(0, 5100))).toBe("incomplete");
  expect(mp3Gapless(whole.subarray(0, 5010 + 180))).toEqual({ samples: 57330 });
  expect(mp3Gapless(new Uint8Array([0x49, 0x44]))).toBe("incomplete");
});

test("mp3Gapless and bytesNeeded: ID3v2 tags in a row are all skipped, as ffmpeg skips them; each counted once its header has come", () => {
  const whole = join(id3(35), id3(1000, { major: 4, footer: true }), firstFrame());
  const second = 45;
  const frame = second + 1020;
  expect(mp3Gapless(whole)).toEqual({ samples: 51 * 1152 - 576 - 846 });
  expect(bytesNeeded(whole.subarray(0, second + 9))).toBe(second + 180);
  expect(bytesNeeded(whole.subarray(0, second + 10))).toBe(frame + 180);
  expect(mp3Gapless(whole.subarray(0, second + 180))).toBe("incomplete");
  expect(mp3Gapless(whole.subarray(0, frame + 180))).toEqual({ samples: 51 * 1152 - 576 - 846 });
  // a second header that is not valid: nothing is cut, as for a first one
  expect(mp3Gapless(join(id3(35), new Uint8Array([0x49, 0x44, 0x33, 9, 0, 0, 0, 0, 0, 0]), firstFrame()))).toBeUndefined();
});
