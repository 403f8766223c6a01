/**
 * Valid but degenerate audio through the whole pipeline with the real models (cached in
 * ~/.cache/senko/models by `bun run models`): zero-length audio, silence, noise, under a second of
 * speech, one speaker for minutes. Each gives a well-formed result with 0 or 1 speakers, never an
 * exception.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer, type DiarizationResult } from "../src/diarizer.ts";
import { repeatedSpeaker } from "./helpers/repeated-speaker.ts";
import { uniform as rng } from "./helpers/synthetic-speakers.ts";
import { fmtChunk, wavChunk, wavFile } from "./helpers/wav.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const fixtures = AMI_DIR;
const noFixtures = withoutAmi("edge-cases.test.ts");
const RATE = 16000;

let diarizer: Diarizer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "senko-edge-"));
  diarizer = new Diarizer({ warmup: false });
  await diarizer.ready();
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await diarizer.close();
});

/** Structure every result must have, whatever the audio. */
function expectWellFormed(result: DiarizationResult, durationSec: number): void {
  expect(result.durationSec).toBeCloseTo(durationSec, 3);
  for (const segments of [result.rawSegments, result.mergedSegments]) {
    for (const s of segments) {
      expect(s.start).toBeGreaterThanOrEqual(0);
      expect(s.end).toBeGreaterThan(s.start);
      expect(s.end).toBeLessThanOrEqual(durationSec + 1e-6);
      expect(s.speaker).toMatch(/^SPEAKER_\d\d$/);
    }
  }
  expect(new Set(result.mergedSegments.map((s) => s.speaker)).size).toBe(result.mergedSpeakersDetected);
  expect(Object.keys(result.speakerCentroids).length).toBeGreaterThanOrEqual(result.mergedSpeakersDetected);
  expect(Number.isFinite(result.timingStats.total)).toBe(true);
}

const samples = (samples: Float32Array) => ({ samples, sampleRate: RATE });

describe("degenerate audio gives a valid result with no or one speaker", () => {
  test("zero-length audio: raw samples and a WAV file with an empty data chunk", async () => {
    const empty = await diarizer.diarize(samples(new Float32Array(0)));
    expectWellFormed(empty, 0);
    expect([empty.mergedSpeakersDetected, empty.mergedSegments.length, empty.clustering]).toEqual([0, 0, "none"]);
    const path = join(dir, "empty-data.wav");
    writeFileSync(path, wavFile([fmtChunk({ tag: 1, channels: 2, rate: 44100, bits: 16 }), wavChunk("data", new Uint8Array(0))]));
    const fromFile = await diarizer.diarize(path);
    expectWellFormed(fromFile, 0);
    expect(fromFile.mergedSpeakersDetected).toBe(0);
  });

  test("a bare Float32Array with its rate (and channels) in the second argument; warnings reach the result", async () => {
    const stereo48k = new Float32Array(2 * 48000).fill(0.001);
    const result = await diarizer.diarize(stereo48k, { sampleRate: 48000, channels: 2 });
    expectWellFormed(result, 1);
    expect(result.warnings).toEqual([]);
    await expect(diarizer.diarize(stereo48k)).rejects.toThrow("needs its rate");
    // A WAV still being written (data size 0): read to its end, and the result says so.
    const path = join(dir, "growing.wav");
    const pcm = new Uint8Array(2 * 16000);
    writeFileSync(path, wavFile([fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 16 }), wavChunk("data", pcm, { size: 0 })]).map((b, i) => (i >= 4 && i < 8 ? [36, 0, 0, 0][i - 4]! : b)));
    const growing = await diarizer.diarize(path);
    expectWellFormed(growing, 1);
    expect(growing.warnings.join()).toContain("gives no data size");
  });

  test("one sample and 100 ms", async () => {
    for (const n of [1, 1600]) {
      const result = await diarizer.diarize(samples(new Float32Array(n).fill(0.1)));
      expectWellFormed(result, n / RATE);
      expect(result.mergedSpeakersDetected).toBe(0);
    }
  });

  test("60 s of digital silence and of near-silence (dither at -80 dBFS)", async () => {
    const random = rng(1);
    for (const level of [0, 1e-4]) {
      const audio = new Float32Array(60 * RATE).map(() => level * (random() * 2 - 1));
      const result = await diarizer.diarize(samples(audio));
      expectWellFormed(result, 60);
      expect(result.mergedSpeakersDetected).toBe(0);
    }
  }, 30_000);

  test("30 s of white noise, loud and quiet", async () => {
    const random = rng(2);
    for (const level of [0.5, 0.01]) {
      const audio = new Float32Array(30 * RATE).map(() => level * (random() * 2 - 1));
      const result = await diarizer.diarize(samples(audio));
      expectWellFormed(result, 30);
      expect(result.mergedSpeakersDetected).toBeLessThanOrEqual(1);
    }
  }, 30_000);

  test.skipIf(noFixtures)("under 1 s of speech, alone and between 5 s of silence", async () => {
    const speech = (await readAudio(join(fixtures, "dev00.wav"))).samples.subarray(Math.round(3.0 * RATE), Math.round(3.8 * RATE));
    const padded = new Float32Array(speech.length + 10 * RATE);
    padded.set(speech, 5 * RATE);
    for (const audio of [speech, padded]) {
      const result = await diarizer.diarize(samples(audio));
      expectWellFormed(result, audio.length / RATE);
      expect(result.mergedSpeakersDetected).toBeLessThanOrEqual(1);
    }
  });

  test.skipIf(noFixtures)(
    "one speaker for 3 minutes (a speaker's solo turns, repeated at other gains over other noise): one speaker",
    async () => {
      const audio = await repeatedSpeaker(fixtures);
      const result = await diarizer.diarize(samples(audio));
      expectWellFormed(result, 180);
      expect(result.mergedSpeakersDetected).toBe(1);
      // Speech throughout: the turns cover most of the 3 minutes.
      const covered = result.mergedSegments.reduce((s, t) => s + t.end - t.start, 0);
      expect(covered).toBeGreaterThan(120);
    },
    120_000,
  );
});
