/**
 * Issue 12: a speaker count asked for holds, or the result says it does not. On one segmentation window
 * (10 s) the overlap-aware pipeline has one embedding per local speaker; where the segmentation model hears two
 * voices as one local speaker, `--num-speakers 2` gave one speaker, in silence and then with a warning; now that
 * local speaker is split by voice (src/pipeline/overlap/voice-split.ts).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer } from "../src/diarizer.ts";
import { diarizationErrorRate } from "../src/eval/der.ts";
import { readRttm } from "../src/eval/rttm.ts";
import { speakerCountWarning } from "../src/pipeline/diarization-pipeline.ts";
import { SAMPLE_RATE } from "../src/types.ts";
import { skipWithout } from "./helpers/skip.ts";
import { AMI_DIR, AMI_FIXTURES, LIBRISPEECH_DIR, LIBRISPEECH_FIXTURES } from "./helpers/fixtures.ts";

const DEV00 = join(AMI_DIR, "dev00.wav");
const DEV_RTTM = join(AMI_DIR, "dev.rttm");
// A woman then a man, 5 s each (LibriSpeech speakers 103 and 1034).
const VOICES = ["103-1240-0000.flac", "1034-121119-0000.flac"].map((name) => join(LIBRISPEECH_DIR, name));
const skip = skipWithout("short-file-count.test.ts", { [`${AMI_FIXTURES} and ${LIBRISPEECH_FIXTURES}`]: [DEV00, DEV_RTTM, ...VOICES].every((path) => existsSync(path)) });

const seconds = (samples: Float32Array, from: number, to: number) => samples.subarray(from * SAMPLE_RATE, to * SAMPLE_RATE);

test("speakerCountWarning: only a count asked for and missed", () => {
  expect(speakerCountWarning("vad-windows", {}, 1)).toBeUndefined();
  expect(speakerCountWarning("vad-windows", { numSpeakers: 2, minSpeakers: 1, maxSpeakers: 3 }, 2)).toBeUndefined();
  expect(speakerCountWarning("vad-windows", { minSpeakers: 2, maxSpeakers: 3 }, 3)).toBeUndefined();
  expect(speakerCountWarning("overlap-aware", { numSpeakers: 2 }, 1)).toBe(
    "numSpeakers is 2, but the overlap-aware pipeline found 1 speaker with turns: it did not hear more voices apart in this audio",
  );
  expect(speakerCountWarning("vad-windows", { numSpeakers: 4 }, 5)).toBe("numSpeakers is 4, but the vad-windows pipeline found 5 speakers with turns");
  expect(speakerCountWarning("vad-windows", { minSpeakers: 3 }, 2)).toContain("minSpeakers is 3,");
  expect(speakerCountWarning("vad-windows", { maxSpeakers: 3 }, 4)).toContain("maxSpeakers is 3,");
});

describe.skipIf(skip)("overlap-aware speaker counts on one window", () => {
  const diarizers: Diarizer[] = [];
  afterAll(() => Promise.all(diarizers.map((d) => d.close())));
  const diarize = (clip: Float32Array, options: { numSpeakers?: number; minSpeakers?: number }) => {
    const diarizer = new Diarizer({ ...options, threads: 1, quiet: true });
    diarizers.push(diarizer);
    return diarizer.diarize(clip, { sampleRate: SAMPLE_RATE });
  };

  test("two voices heard apart: the count holds, no warning", async () => {
    const clip = new Float32Array(10 * SAMPLE_RATE);
    for (const [i, path] of VOICES.entries()) clip.set(seconds((await readAudio(path)).samples, 0, 5), i * 5 * SAMPLE_RATE);
    const result = await diarize(clip, { numSpeakers: 2 });
    expect(result.mergedSpeakersDetected).toBe(2);
    const at = (sec: number) => result.mergedSegments.find((s) => s.start <= sec && sec < s.end)?.speaker;
    expect(at(2.5)).toBeDefined();
    expect(at(7.5)).toBeDefined();
    expect(at(2.5)).not.toBe(at(7.5));
    expect(result.warnings).toEqual([]);
  });

  test("two voices the segmentation model hears as one local speaker (dev00, 8-18 s): split by voice, the count holds", async () => {
    // MEE009 to 5.3 s, then MEE012 from 5.15 s to 8.9 s (dev.rttm); segmentation-3.0 gives one local speaker, which
    // is split by voice only because a count is asked for (without one: one speaker).
    const clip = seconds((await readAudio(DEV00)).samples, 8, 18);
    const reference = readRttm(await Bun.file(DEV_RTTM).text())
      .get("dev00")!
      .map((t) => ({ ...t, start: Math.max(0, t.start - 8), end: Math.min(10, t.end - 8) }))
      .filter((t) => t.end > t.start);
    const uem = [{ start: 0, end: 10 }];
    expect((await diarize(clip, {})).mergedSpeakersDetected).toBe(1);
    for (const count of [{ numSpeakers: 2 }, { minSpeakers: 2 }]) {
      const result = await diarize(clip, count);
      expect(result.warnings).toEqual([]);
      expect(result.mergedSpeakersDetected).toBe(2);
      // The change of speaker lies within a second of the reference's (5.15-5.3 s); all as one speaker scores 40.7 %.
      const asOne = diarizationErrorRate(reference, result.mergedSegments.map((s) => ({ ...s, speaker: "one" })), { uem });
      const { der } = diarizationErrorRate(reference, result.mergedSegments, { uem });
      expect(asOne.der).toBeGreaterThan(0.35);
      expect(der).toBeLessThan(0.15);
    }
  });

  test("a live session's final result is batch's when the voices split (dev00 8-18 s with numSpeakers 2; 0-13 s with 4, a window split while audio arrives)", async () => {
    const samples = (await readAudio(DEV00)).samples;
    for (const [from, to, numSpeakers] of [[8, 18, 2], [0, 13, 4]] as const) {
      const clip = seconds(samples, from, to);
      const batch = await diarize(clip, { numSpeakers });
      const session = diarizers.at(-1)!.live({ sampleRate: SAMPLE_RATE });
      for (let at = 0; at < clip.length; at += SAMPLE_RATE) await session.push(clip.subarray(at, at + SAMPLE_RATE));
      const live = await session.close();
      expect(batch.mergedSpeakersDetected).toBe(numSpeakers);
      expect(live.mergedSegments).toEqual(batch.mergedSegments);
      expect(live.speakerCentroids).toEqual(batch.speakerCentroids);
      expect(live.warnings).toEqual(batch.warnings);
    }
  });
});
