import { describe, expect, test } from "bun:test";
import { aggregateChunkScores, binarizeScores, sileroRegions } from "../src/pipeline/vad-postprocess.ts";

describe("sileroRegions", () => {
  const frame = 512;
  const rate = 16000;
  // probabilities per 32 ms frame
  const probs = (pattern: [number, number][]) => new Float32Array(pattern.flatMap(([p, n]) => Array(n).fill(p)));

  test("opens at the threshold, closes after 100 ms of silence, pads by 30 ms", () => {
    // 10 silent frames, 40 speech frames, 20 silent frames
    const p = probs([[0.1, 10], [0.9, 40], [0.1, 20]]);
    const total = p.length * frame;
    const [r, ...rest] = sileroRegions(p, frame, total, rate);
    expect(rest).toEqual([]);
    expect(r!.start).toBeCloseTo((10 * frame - 480) / rate, 6);
    expect(r!.end).toBeCloseTo((50 * frame + 480) / rate, 6);
  });

  test("keeps speech through a pause shorter than 100 ms and through the hysteresis band", () => {
    const p = probs([[0.9, 20], [0.1, 2], [0.9, 20], [0.45, 10], [0.9, 10], [0.0, 10]]);
    expect(sileroRegions(p, frame, p.length * frame, rate).length).toBe(1);
  });

  test("drops bursts of at most 250 ms and keeps regions apart across a long enough pause", () => {
    const p = probs([[0.9, 5], [0.0, 20], [0.9, 30], [0.0, 6], [0.9, 30], [0.0, 5]]);
    const regions = sileroRegions(p, frame, p.length * frame, rate);
    // the first 5-frame (160 ms) burst is dropped; 6 silent frames (192 ms) close a region, each side padded by 30 ms
    expect(regions.length).toBe(2);
    expect(regions[1]!.start - regions[0]!.end).toBeCloseTo((6 * frame - 2 * 480) / rate, 6);
  });

  test("a region still open at the end runs to the end of the audio", () => {
    const p = probs([[0.0, 5], [0.9, 30]]);
    const total = p.length * frame + 100;
    expect(sileroRegions(p, frame, total, rate).at(-1)!.end).toBeCloseTo(total / rate, 6);
  });
});

describe("pyannote aggregation and binarisation", () => {
  const timing = { startSec: 0, durationSec: 0.0619375, stepSec: 0.016875 };

  test("overlapping chunks agreeing on a score give that score", () => {
    const chunk = () => new Float32Array(589).fill(0.8);
    const agg = aggregateChunkScores([chunk(), chunk(), chunk()], 589, [0, 1, 2], timing, 12);
    expect(agg.length).toBe(Math.floor(12 / timing.stepSec) + 1);
    expect(agg[100]).toBeCloseTo(0.8, 5);
    // frames no chunk covers score 0
    expect(agg.at(-1)).toBe(0);
  });

  test("binarizeScores fills short gaps and drops short regions", () => {
    const s = new Float32Array(300);
    s.fill(1, 10, 100); // 1.5 s region
    s.fill(1, 104, 150); // gap of 4 frames (67 ms) <= 100 ms: filled
    s.fill(1, 200, 210); // 10 frames = 169 ms < 250 ms: dropped
    const regions = binarizeScores(s, timing);
    expect(regions.length).toBe(1);
    expect(regions[0]!.start).toBeCloseTo(0.5 * timing.durationSec + 10 * timing.stepSec, 6);
    expect(regions[0]!.end).toBeCloseTo(0.5 * timing.durationSec + 150 * timing.stepSec, 6);
  });
});
