import { expect, test } from "bun:test";
import { oklchToHex, speakerColors, speakerColorSets } from "../src/output/colors.ts";

test("oklchToHex matches known colours", () => {
  expect(oklchToHex(1, 0, 0)).toBe("#ffffff");
  expect(oklchToHex(0, 0, 0)).toBe("#000000");
  // OKLCH(0.628, 0.2577, 29.23) is sRGB red
  expect(oklchToHex(0.62796, 0.25768, 29.2339)).toBe("#ff0000");
});

test("speakers get distinct colours, ordered by talk time, with distinct palettes per variant", () => {
  const segs = [
    { start: 0, end: 10, speaker: "SPEAKER_02" },
    { start: 10, end: 30, speaker: "SPEAKER_01" },
    { start: 30, end: 31, speaker: "SPEAKER_03" },
  ];
  const colors = speakerColors(segs);
  expect(Object.keys(colors)).toEqual(["SPEAKER_01", "SPEAKER_02", "SPEAKER_03"]);
  expect(new Set(Object.values(colors)).size).toBe(3);
  for (const c of Object.values(colors)) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  const sets = speakerColorSets(segs, 4);
  expect(Object.keys(sets)).toEqual(["0", "1", "2", "3"]);
  expect(sets["0"]!.SPEAKER_01).not.toBe(sets["1"]!.SPEAKER_01);
});
