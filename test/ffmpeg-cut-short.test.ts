/**
 * A compressed file cut short (an interrupted download or copy) decodes, through ffmpeg, to the part that is
 * there, without a word: a 3-minute M4A cut at 45 % gave 81 s and a result as if that were the recording. The
 * duration its header declares is compared with what was decoded, and a gap of over a second is a warning
 * (a WAV cut short is an error: its header is exact; a compressed file's duration may be estimated).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { readAudioStream } from "../src/audio/read-stream.ts";
import { skipWithout } from "./helpers/skip.ts";

const noFfmpeg = skipWithout("ffmpeg-cut-short.test.ts", { ffmpeg: Bun.which("ffmpeg") !== null });
const dir = mkdtempSync(join(tmpdir(), "senko-cut-short-"));
afterAll(() => rmSync(dir, { recursive: true }));

/** 20 s of a tone in `name`'s format (an M4A with its index first), and the same file cut to its first 40 %. */
function whole(name: string, codec: readonly string[]): { path: string; cut: string } {
  const path = join(dir, name);
  const run = Bun.spawnSync(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=20", ...codec, path]);
  expect(run.exitCode).toBe(0);
  const bytes = readFileSync(path);
  const cut = join(dir, `cut-${name}`);
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
  return { path, cut };
}

test.skipIf(noFfmpeg)("an M4A, FLAC or MP3 cut short: a warning with both lengths; whole: none", async () => {
  for (const [name, codec] of [["a.m4a", ["-c:a", "aac", "-movflags", "+faststart"]], ["a.flac", []], ["a.mp3", []]] as const) {
    const { path, cut } = whole(name, codec);
    const full = await readAudio(path);
    expect(full.warnings).toEqual([]);
    const part = await readAudio(cut);
    expect(part.durationSec).toBeLessThan(10);
    expect(part.warnings).toHaveLength(1);
    expect(part.warnings[0]).toMatch(/^ffmpeg decoded \d+\.\d\d s of audio, but the file declares 20\.\d\d s: the file is incomplete \(an interrupted download or copy\?\)$/);
  }
});

/**
 * An Ogg declares no length of its own: ffmpeg's duration is that of the last page there is, so the comparison
 * above cannot see one cut short. Its last page's end-of-stream flag can: a file cut inside a page, or right
 * after one (the last page dropped), lacks it.
 */
test.skipIf(noFfmpeg)("an Opus or Vorbis Ogg cut short, inside a page or at a page's end: a warning, by path, as bytes and on a pipe; whole: none", async () => {
  for (const [name, codec] of [["a.opus", ["-c:a", "libopus"]], ["a.ogg", ["-c:a", "libvorbis"]]] as const) {
    const { path, cut } = whole(name, codec);
    const bytes = readFileSync(path);
    const atPage = join(dir, `page-${name}`);
    writeFileSync(atPage, bytes.subarray(0, bytes.lastIndexOf("OggS")));
    expect((await readAudio(path)).warnings).toEqual([]);
    expect((await readAudio(bytes, { name: "-" })).warnings).toEqual([]);
    for (const file of [cut, atPage]) {
      const inPart = readFileSync(file);
      const streamed = (async function* () { for (let at = 0; at < inPart.length; at += 4093) yield inPart.subarray(at, at + 4093); })();
      for (const part of [await readAudio(file), await readAudio(inPart, { name: "-" }), (await readAudioStream(streamed, { name: "-" })).audio]) {
        expect(part.durationSec).toBeLessThan(file === cut ? 10 : 20);
        expect(part.warnings).toHaveLength(1);
        expect(part.warnings[0]).toMatch(/^ffmpeg decoded \d+\.\d\d s of audio, but the Ogg stream stops before its last page: the file is incomplete \(an interrupted download or copy\?\)$/);
      }
    }
  }
});
