/**
 * An MP4/M4A whose index (moov) comes after its audio, as ffmpeg and many recorders write it, cannot be decoded
 * from a pipe (bytes, stdin): ffmpeg reads past the audio to the index, cannot go back, says "partial file" and
 * exits 0 with no samples. That was a result with 0 speakers and exit 0; it is an AudioFormatError that says why
 * and what works (the path, or the file remuxed with its index first).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { readAudioStream } from "../src/audio/read-stream.ts";
import { skipWithout } from "./helpers/skip.ts";

const noFfmpeg = skipWithout("ffmpeg-pipe-seek.test.ts", { ffmpeg: Bun.which("ffmpeg") !== null });
const dir = mkdtempSync(join(tmpdir(), "senko-pipe-seek-"));
afterAll(() => rmSync(dir, { recursive: true }));

/** 20 s of a tone as AAC in M4A (170 KiB: more than ffmpeg holds while it probes), its index last (ffmpeg's default) or first (-movflags +faststart). */
function m4a(name: string, faststart: boolean): string {
  const path = join(dir, name);
  const flags = faststart ? ["-movflags", "+faststart"] : [];
  const run = Bun.spawnSync(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=20", "-c:a", "aac", ...flags, path]);
  expect(run.exitCode).toBe(0);
  return path;
}

test.skipIf(noFfmpeg)("an M4A with its index last: read by path; from bytes or a stream, one error that names the way out", async () => {
  const path = m4a("index-last.m4a", false);
  expect((await readAudio(path)).durationSec).toBeCloseTo(20, 1);
  const bytes = await Bun.file(path).bytes();
  const message = (read: () => Promise<unknown>) => read().then(() => "read", (error: Error) => `${error.constructor.name}: ${error.message}`);
  const refusal =
    "-: not a WAV file (it starts with \"....\", not \"RIFF\"/\"RF64\"), and ffmpeg could not decode it: an MP4/M4A/MOV whose index (moov) comes after the audio cannot be read from a pipe; give the file's path, or put its index first: ffmpeg -i <file> -c copy -movflags +faststart <new file>";
  expect(await message(() => readAudio(bytes, { name: "-" }))).toBe(`AudioFormatError: ${refusal}`);
  expect(await message(() => readAudioStream(new Blob([bytes]).stream(), { name: "-" }))).toBe(`AudioFormatError: ${refusal}`);
  // Its index first, the same audio reads from bytes too.
  const first = await Bun.file(m4a("index-first.m4a", true)).bytes();
  expect((await readAudio(first, { name: "-" })).durationSec).toBeCloseTo(20, 1);
});
