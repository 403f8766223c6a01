/**
 * @module Diarization error rate, computed the way pyannote.metrics 4.x `DiarizationErrorRate` does:
 * reference collars and (optionally) reference overlap are removed from the UEM, both annotations
 * are cropped to what remains, hypothesis speakers are mapped one-to-one onto reference speakers
 * maximising co-occurrence time (Hungarian), then every region between consecutive boundaries is
 * scored with nref reference and nhyp hypothesis speakers present:
 * missed = max(0, nref - nhyp), false alarm = max(0, nhyp - nref),
 * confusion = min(nref, nhyp) - correct, each weighted by the region's duration.
 */
import { ConfigError } from "../errors.ts";
import type { TimeSpan } from "../types.ts";
import { maxWeightAssignment } from "./hungarian.ts";
import type { Turn } from "./rttm.ts";

export interface DerOptions {
  /**
   * Total width in seconds of the forgiveness collar centred on every reference turn boundary,
   * i.e. collar/2 each side (pyannote.metrics' convention; md-eval's `-c` is the half width).
   * Default 0.25; 0 scores every instant.
   */
  collar?: number;
  /** Spans to score. Default: from the earliest to the latest boundary of reference and hypothesis. */
  uem?: readonly TimeSpan[];
  /** Also leave out regions where two or more reference turns overlap. Default false. */
  skipOverlap?: boolean;
}

/** Error durations in seconds of scored time, and their ratio. */
export interface DerComponents {
  /** (missed + falseAlarm + confusion) / total; 0 when nothing is scored, 1 if only false alarms are */
  der: number;
  /** reference speaker-time with no hypothesis speaker to match */
  missed: number;
  /** hypothesis speaker-time with no reference speaker to match */
  falseAlarm: number;
  /** speaker-time matched to the wrong (mapped) speaker */
  confusion: number;
  /** speaker-time matched to the right (mapped) speaker */
  correct: number;
  /** reference speech, in speaker-seconds (overlapped speech counts once per speaker) */
  total: number;
}

export interface FileScore extends DerComponents {
  uri: string;
}

/** What `scoreFiles` measures: the diarization error rate of each file and of all of them. */
export interface DerReport {
  /** each file's components (seconds) and its id */
  files: FileScore[];
  /** components summed over files, then the ratio */
  total: DerComponents;
  /** reference files without a hypothesis turn longer than a microsecond (scored as all missed) */
  missingHypotheses: string[];
  /** hypothesis files outside the reference and UEM (not scored) */
  ignoredHypotheses: string[];
}

export interface ScoreFilesOptions {
  collar?: number;
  skipOverlap?: boolean;
  /** per-file spans; when given, every reference file needs one, and UEM-only files are scored too */
  uem?: ReadonlyMap<string, readonly TimeSpan[]>;
}

/** pyannote.core's SEGMENT_PRECISION: spans this short or shorter count as empty. */
const EPSILON = 1e-6;

export const DEFAULT_COLLAR = 0.25;

interface Piece {
  start: number;
  end: number;
  label: number;
}

/** One elementary region: its duration and the (possibly repeated) labels present throughout it. */
interface Region {
  duration: number;
  ref: number[];
  hyp: number[];
}

/** The diarization error rate of one file's hypothesis against its reference. */
export function diarizationErrorRate(
  reference: readonly Turn[],
  hypothesis: readonly Turn[],
  options: DerOptions = {},
): DerComponents {
  const collar = options.collar ?? DEFAULT_COLLAR;
  if (!(Number.isFinite(collar) && collar >= 0)) throw new ConfigError(`collar must be a number >= 0, got ${collar}`);
  const ref = indexLabels(reference, "reference");
  const hyp = indexLabels(hypothesis, "hypothesis");
  const uem = options.uem ? checkSpans(options.uem) : defaultUem(ref.pieces, hyp.pieces);
  const scored = scoredSpans(uem, ref.pieces, collar, options.skipOverlap ?? false);
  const regions = elementaryRegions(crop(ref.pieces, scored), crop(hyp.pieces, scored));
  const mapping = optimalMapping(regions, ref.labels.length, hyp.labels.length);
  return componentsOf(regions, mapping, ref.labels.length);
}

/**
 * Scores every reference file (and every UEM file, when a UEM is given) against the hypothesis
 * turns of the same file id; a file without hypothesis turns is scored as all missed.
 */
export function scoreFiles(
  reference: ReadonlyMap<string, readonly Turn[]>,
  hypothesis: ReadonlyMap<string, readonly Turn[]>,
  options: ScoreFilesOptions = {},
): DerReport {
  const uris = [...reference.keys()];
  if (options.uem) {
    for (const uri of uris) if (!options.uem.has(uri)) throw new ConfigError(`the UEM has no span for file '${uri}'`);
    for (const uri of options.uem.keys()) if (!reference.has(uri)) uris.push(uri);
  }
  const files: FileScore[] = uris.map((uri) => ({
    uri,
    ...diarizationErrorRate(reference.get(uri) ?? [], hypothesis.get(uri) ?? [], {
      collar: options.collar,
      skipOverlap: options.skipOverlap,
      uem: options.uem?.get(uri),
    }),
  }));
  return {
    files,
    total: sumComponents(files),
    // Zero-length turns are empty to the scorer: a file holding only those has no hypothesis either.
    missingHypotheses: uris.filter((uri) => reference.has(uri) && !(hypothesis.get(uri) ?? []).some((turn) => turn.end - turn.start > EPSILON)),
    ignoredHypotheses: [...hypothesis.keys()].filter((uri) => !uris.includes(uri)),
  };
}

/** Sums the durations of several files' components and recomputes the ratio. */
export function sumComponents(parts: readonly DerComponents[]): DerComponents {
  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  let correct = 0;
  let total = 0;
  for (const p of parts) {
    missed += p.missed;
    falseAlarm += p.falseAlarm;
    confusion += p.confusion;
    correct += p.correct;
    total += p.total;
  }
  return { der: ratio(missed + falseAlarm + confusion, total), missed, falseAlarm, confusion, correct, total };
}

/** pyannote's convention for an empty reference: 0 if there is no error either, else 1. */
function ratio(errors: number, total: number): number {
  if (total === 0) return errors > 0 ? 1 : 0;
  return errors / total;
}

/** Non-empty turns as pieces with label indices (labels in order of first appearance). */
function indexLabels(turns: readonly Turn[], what: string): { pieces: Piece[]; labels: string[] } {
  const index = new Map<string, number>();
  const pieces: Piece[] = [];
  for (const t of turns) {
    if (!(Number.isFinite(t.start) && Number.isFinite(t.end) && t.end >= t.start)) {
      throw new ConfigError(`${what} turn ${t.start}..${t.end} of '${t.speaker}' needs finite start <= end`);
    }
    if (t.end - t.start <= EPSILON) continue;
    let label = index.get(t.speaker);
    if (label === undefined) index.set(t.speaker, (label = index.size));
    pieces.push({ start: t.start, end: t.end, label });
  }
  return { pieces, labels: [...index.keys()] };
}

function checkSpans(spans: readonly TimeSpan[]): TimeSpan[] {
  for (const s of spans) {
    if (!(Number.isFinite(s.start) && Number.isFinite(s.end) && s.end >= s.start)) {
      throw new ConfigError(`UEM span ${s.start}..${s.end} needs finite start <= end`);
    }
  }
  return [...spans];
}

/** pyannote.metrics' fallback UEM: the extent of reference and hypothesis together. */
function defaultUem(ref: readonly Piece[], hyp: readonly Piece[]): TimeSpan[] {
  let start = Infinity;
  let end = -Infinity;
  for (const p of [...ref, ...hyp]) {
    start = Math.min(start, p.start);
    end = Math.max(end, p.end);
  }
  return end > start ? [{ start, end }] : [];
}

/** Sorted, disjoint cover of the non-empty spans; spans no more than EPSILON apart are joined. */
function support(spans: readonly TimeSpan[]): TimeSpan[] {
  const sorted = spans.filter((s) => s.end - s.start > EPSILON).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TimeSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + EPSILON) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** The UEM minus collars around reference boundaries (and minus reference overlap if asked). */
function scoredSpans(uem: readonly TimeSpan[], ref: readonly Piece[], collar: number, skipOverlap: boolean): TimeSpan[] {
  if (collar === 0 && !skipOverlap) return support(uem);
  const removed: TimeSpan[] = [];
  if (collar > 0) {
    const half = collar / 2;
    for (const p of ref) {
      removed.push({ start: p.start - half, end: p.start + half });
      removed.push({ start: p.end - half, end: p.end + half });
    }
  }
  if (skipOverlap) removed.push(...overlapSpans(ref));
  const holes = support(removed);
  const out: TimeSpan[] = [];
  for (const span of support(uem)) {
    let cursor = span.start;
    for (const h of holes) {
      if (h.end <= span.start || h.start >= span.end) continue;
      if (h.start - cursor > EPSILON) out.push({ start: cursor, end: h.start });
      cursor = Math.max(cursor, h.end);
    }
    if (span.end - cursor > EPSILON) out.push({ start: cursor, end: span.end });
  }
  return out;
}

/** Where two or more reference turns are active at once. */
function overlapSpans(ref: readonly Piece[]): TimeSpan[] {
  const events = ref.flatMap((p) => [
    { time: p.start, delta: 1 },
    { time: p.end, delta: -1 },
  ]);
  // Ends before starts at equal times: touching turns do not overlap.
  events.sort((a, b) => a.time - b.time || a.delta - b.delta);
  const out: TimeSpan[] = [];
  let active = 0;
  let since = 0;
  for (const e of events) {
    const before = active;
    active += e.delta;
    if (before < 2 && active >= 2) since = e.time;
    else if (before >= 2 && active < 2 && e.time - since > EPSILON) out.push({ start: since, end: e.time });
  }
  return out;
}

/** Intersections of the pieces with sorted disjoint spans, dropping empty ones. */
function crop(pieces: readonly Piece[], spans: readonly TimeSpan[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    // first span ending after the piece starts
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid]!.end <= p.start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < spans.length && spans[i]!.start < p.end; i++) {
      const start = Math.max(p.start, spans[i]!.start);
      const end = Math.min(p.end, spans[i]!.end);
      if (end - start > EPSILON) out.push({ start, end, label: p.label });
    }
  }
  return out;
}

/** Splits time at every boundary of either side; keeps the non-empty regions where anyone speaks. */
function elementaryRegions(ref: readonly Piece[], hyp: readonly Piece[]): Region[] {
  type Event = { time: number; piece: Piece; side: "ref" | "hyp"; open: boolean };
  const events: Event[] = [];
  for (const [side, pieces] of [["ref", ref], ["hyp", hyp]] as const) {
    for (const piece of pieces) {
      events.push({ time: piece.start, piece, side, open: true });
      events.push({ time: piece.end, piece, side, open: false });
    }
  }
  events.sort((a, b) => a.time - b.time);
  const active = { ref: new Set<Piece>(), hyp: new Set<Piece>() };
  const regions: Region[] = [];
  for (let i = 0; i < events.length; ) {
    const time = events[i]!.time;
    for (; i < events.length && events[i]!.time === time; i++) {
      const e = events[i]!;
      if (e.open) active[e.side].add(e.piece);
      else active[e.side].delete(e.piece);
    }
    if (i === events.length) break;
    const duration = events[i]!.time - time;
    if (duration <= EPSILON || (active.ref.size === 0 && active.hyp.size === 0)) continue;
    regions.push({
      duration,
      ref: Array.from(active.ref, (p) => p.label),
      hyp: Array.from(active.hyp, (p) => p.label),
    });
  }
  return regions;
}

/** Hypothesis label -> reference label (or -1) maximising total co-occurrence time. */
function optimalMapping(regions: readonly Region[], refLabels: number, hypLabels: number): Int32Array {
  const cooccurrence = Array.from({ length: hypLabels }, () => new Array<number>(refLabels).fill(0));
  for (const r of regions) {
    for (const h of r.hyp) for (const l of r.ref) cooccurrence[h]![l]! += r.duration;
  }
  const mapping = maxWeightAssignment(cooccurrence);
  // Like pyannote, leave a hypothesis speaker unmapped when it never meets its partner.
  for (let h = 0; h < hypLabels; h++) if (mapping[h]! >= 0 && !(cooccurrence[h]![mapping[h]!]! > 0)) mapping[h] = -1;
  return mapping;
}

function componentsOf(regions: readonly Region[], mapping: Int32Array, refLabels: number): DerComponents {
  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  let correct = 0;
  let total = 0;
  const refCount = new Int32Array(refLabels);
  const hypCount = new Int32Array(refLabels); // hypothesis speakers counted under their mapped label
  for (const r of regions) {
    const nref = r.ref.length;
    const nhyp = r.hyp.length;
    for (const l of r.ref) refCount[l]!++;
    for (const h of r.hyp) if (mapping[h]! >= 0) hypCount[mapping[h]!]!++;
    // Matches are label-equal pairs, at most min(count) per label.
    let matched = 0;
    for (const l of r.ref) {
      if (refCount[l]! > 0) {
        matched += Math.min(refCount[l]!, hypCount[l]!);
        refCount[l] = 0;
      }
    }
    for (const h of r.hyp) if (mapping[h]! >= 0) hypCount[mapping[h]!] = 0;
    total += r.duration * nref;
    correct += r.duration * matched;
    missed += r.duration * Math.max(0, nref - nhyp);
    falseAlarm += r.duration * Math.max(0, nhyp - nref);
    confusion += r.duration * (Math.min(nref, nhyp) - matched);
  }
  return { der: ratio(missed + falseAlarm + confusion, total), missed, falseAlarm, confusion, correct, total };
}
