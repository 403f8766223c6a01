import { describe, expect, test } from "bun:test";
import { mergeSegments, speakerName, speakerSimilarity, toSegments, type Segment } from "../src/pipeline/segments.ts";

const emb = (rows: number[][]) => ({ data: new Float32Array(rows.flat()), count: rows.length, dim: rows[0]!.length });

describe("toSegments", () => {
  test("joins same-label windows, splits different-label overlaps at the midpoint, names by talk time", () => {
    const windows = [
      { start: 0, end: 1.5 },
      { start: 0.6, end: 2.1 },
      { start: 1.2, end: 2.7 }, // label 7 from here: overlap 1.2..2.1 -> boundary 1.65
      { start: 1.8, end: 3.3 },
      { start: 2.4, end: 3.9 },
      { start: 10, end: 11 }, // label 3 again after a gap
    ];
    const labels = new Int32Array([3, 3, 7, 7, 7, 3]);
    const e = emb([[1, 0], [1, 0], [0, 1], [0, 1], [0, 2], [3, 0]]);
    const r = toSegments(windows, labels, e);
    // label 3 talks 1.65 + 1 = 2.65 s, label 7 talks 3.9 - 1.65 = 2.25 s
    expect(r.rawSegments).toEqual([
      { start: 0, end: 1.65, speaker: "SPEAKER_01" },
      { start: 1.65, end: 3.9, speaker: "SPEAKER_02" },
      { start: 10, end: 11, speaker: "SPEAKER_01" },
    ]);
    expect(r.speakers).toEqual(["SPEAKER_01", "SPEAKER_02"]);
    const [a0, a1] = r.speakerCentroids.SPEAKER_01!;
    const [b0, b1] = r.speakerCentroids.SPEAKER_02!;
    expect([a0, a1, b0, b1].map((x) => +x!.toFixed(5))).toEqual([1.66667, 0, 0, 1.33333]);
    expect(r.rawSpeakersDetected).toBe(2);
  });

  test("rejects mismatched lengths", () => {
    expect(() => toSegments([{ start: 0, end: 1 }], new Int32Array(2), emb([[1]]))).toThrow("one label and one embedding");
  });
});

describe("mergeSegments", () => {
  const s = (start: number, end: number, speaker: string): Segment => ({ start, end, speaker });

  test("joins same-speaker turns across gaps of at most 4 s, not longer ones", () => {
    expect(mergeSegments([s(0, 2, "A"), s(6, 8, "A"), s(12.01, 14, "A")])).toEqual([s(0, 8, "A"), s(12.01, 14, "A")]);
  });

  test("drops turns of at most 0.78 s and bridges A-x-A", () => {
    const merged = mergeSegments([s(0, 5, "A"), s(5, 5.5, "B"), s(5.5, 10, "A"), s(10, 10.78, "B"), s(20, 25, "B")]);
    // 5..5.5 B is short: A|A bridged; 10..10.78 B (0.78 s) is joined with 20..25 B only if the gap <= 4, it is not
    expect(merged).toEqual([s(0, 10, "A"), s(20, 25, "B")]);
  });

  test("does not modify its input", () => {
    const input = [s(0, 1, "A"), s(2, 3, "A")];
    mergeSegments(input);
    expect(input).toEqual([s(0, 1, "A"), s(2, 3, "A")]);
  });
});

test("speakerName and speakerSimilarity", () => {
  expect(speakerName(0)).toBe("SPEAKER_01");
  expect(speakerName(11)).toBe("SPEAKER_12");
  expect(speakerSimilarity(new Float32Array([1, 0]), new Float32Array([2, 0]))).toBeCloseTo(1, 6);
  expect(speakerSimilarity(new Float32Array([1, 0]), new Float32Array([0, 3]))).toBeCloseTo(0, 6);
});
