/**
 * Random bytes that ffmpeg's mp3 demuxer takes for a stream but cannot decode a frame of (no sample rate, 0
 * channels: "Error configuring filter graph; Conversion failed!") are refused in senko's words, as bytes in
 * which ffmpeg finds no stream at all are: "ffmpeg finds no audio stream in it".
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeAudio, readAudio } from "../src/audio/index.ts";
import { skipWithout } from "./helpers/skip.ts";

const noFfmpeg = skipWithout("ffmpeg-no-frames.test.ts", { ffmpeg: Bun.which("ffmpeg") !== null });
const dir = mkdtempSync(join(tmpdir(), "senko-no-frames-"));
afterAll(() => rmSync(dir, { recursive: true }));

/** xorshift32 bytes: for these ffmpeg 5.1 reports "Stream #0:0: Audio: mp3, 0 channels, fltp". */
function randomBytes(length: number): Uint8Array {
  let x = 0x9e3779b9;
  return new Uint8Array(length).map(() => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x & 0xff;
  });
}

test.skipIf(noFfmpeg)("random bytes named .mp3: ffmpeg finds no audio stream, by path and on stdin", async () => {
  const bytes = randomBytes(200_000);
  const path = join(dir, "random.mp3");
  writeFileSync(path, bytes);
  const message = (read: () => Promise<unknown>) => read().then(() => "read", (error: Error) => error.message);
  const head = `not a WAV file (it starts with "${String.fromCharCode(...bytes.slice(0, 4)).replace(/[^\x20-\x7e]/g, ".")}", not "RIFF"/"RF64")`;
  const refusal = `${head}, and ffmpeg finds no audio stream in it (an empty or damaged recording, or not audio at all)`;
  expect(await message(() => probeAudio(path))).toBe(`${path}: ${refusal}`);
  expect(await message(() => readAudio(path))).toBe(`${path}: ${refusal}`);
  expect(await message(() => readAudio(bytes, { name: "-" }))).toBe(`-: ${refusal}`);
});
