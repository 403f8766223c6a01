/**
 * @module Reconstruction: from local speakers with global labels back to who speaks in each frame of
 * the file. Per global frame, the number of speakers is the rounded mean, over the windows that cover
 * it, of the local speakers active there; each global speaker's score is the number of those windows in
 * which a local speaker assigned to it is active; the top speakers by score, up to that number, are
 * active. Frames left with fewer voted speakers than their number borrow those of the nearest frames
 * (`withBorrowedVotes`). Then minimum on/off durations per speaker (`withMinDurations`), and turns,
 * which may overlap.
 */
import {
  activeCount,
  FRAME_SPAN_SAMPLES,
  FRAME_STEP_SAMPLES,
  FRAMES_PER_WINDOW,
  LOCAL_SPEAKERS,
  usedFrames,
  type LocalSegmentation,
} from "./local-segmentation.ts";
import { SAMPLE_RATE } from "../../types.ts";


/** Who is active in each global frame: frame t of speaker s is active[t * speakers + s]. */
export interface FrameActivity {
  readonly frameCount: number;
  readonly speakers: number;
  readonly active: Uint8Array;
  /** score of speaker s in frame t (how many windows saw it there) */
  readonly scores: Float32Array;
  /** the speaker count of each frame, before the duration rules */
  readonly count: Uint8Array;
}

export interface ReconstructionOptions {
  /** a frame has k speakers when the windows' mean count is at least k - 1 + this (default 0.5: rounding) */
  countThreshold?: number;
  /** only the central frames of each window vote for speakers (default: all 589) */
  centerFrames?: number;
  /** only the central frames of each window vote for the speaker count (default: centerFrames) */
  countFrames?: number;
  /**
   * a frame with fewer voted speakers than its count takes the speakers voted for at the nearest frames
   * up to this many seconds away, in the same stretch of speech (default 0.5; 0: off)
   */
  borrowSec?: number;
}

export interface MinDurations {
  /** a speaker's silences shorter than this are filled (seconds, default 0) */
  minDurationOffSec?: number;
  /** a speaker's turns shorter than this are dropped (seconds, default 0) */
  minDurationOnSec?: number;
}

/** Frames of a file of `sampleCount` samples: those whose centre lies inside the audio. */
export function frameCountOf(sampleCount: number): number {
  return Math.max(0, Math.floor((sampleCount - FRAME_SPAN_SAMPLES / 2) / FRAME_STEP_SAMPLES) + 1);
}

/**
 * Global frame activity from local activity and the global speaker of each (window, local speaker).
 * With `into` (an activity of frameCountOf(sampleCount) frames and `speakers` speakers), only its frames
 * from `into.fromFrame` on are computed, in place: the earlier ones are kept as they are.
 */
export function reconstructActivity(
  segmentation: LocalSegmentation,
  localLabels: Int32Array,
  speakers: number,
  options: ReconstructionOptions = {},
  into?: { activity: FrameActivity; fromFrame: number },
): FrameActivity {
  const { windowCount, stepFrames, activity } = segmentation;
  if (localLabels.length !== windowCount * LOCAL_SPEAKERS) throw new RangeError("reconstructActivity: one label per window and local speaker");
  const frameCount = frameCountOf(segmentation.sampleCount);
  const from = into?.fromFrame ?? 0;
  const out = into?.activity ?? { frameCount, speakers, active: new Uint8Array(frameCount * speakers), scores: new Float32Array(frameCount * speakers), count: new Uint8Array(frameCount) };
  if (out.frameCount !== frameCount || out.speakers !== speakers || !(from >= 0 && from <= frameCount)) throw new RangeError("reconstructActivity: `into` is not an activity of this file's frames and speakers");
  const { active, scores, count } = out;
  active.fill(0, from * speakers);
  scores.fill(0, from * speakers);
  // Indexed from `from`.
  const countSum = new Float32Array(frameCount - from);
  const covered = new Uint16Array(frameCount - from);
  const centerFrames = options.centerFrames ?? FRAMES_PER_WINDOW;
  const countFrames = options.countFrames ?? centerFrames;
  for (let w = Math.max(0, Math.floor((from - FRAMES_PER_WINDOW) / stepFrames)); w < windowCount; w++) {
    const first = w * stepFrames;
    const [lo, hi] = usedFrames(segmentation, w, centerFrames);
    const [countLo, countHi] = usedFrames(segmentation, w, countFrames);
    const frames = Math.min(Math.max(hi, countHi), frameCount - first);
    for (let f = Math.max(Math.min(lo, countLo), from - first); f < frames; f++) {
      const mask = activity[w * FRAMES_PER_WINDOW + f]!;
      const t = first + f;
      if (f >= countLo && f < countHi) {
        covered[t - from]!++;
        countSum[t - from]! += activeCount(mask);
      }
      if (mask === 0 || f < lo || f >= hi) continue;
      for (let k = 0; k < LOCAL_SPEAKERS; k++) {
        const s = localLabels[w * LOCAL_SPEAKERS + k]!;
        if ((mask >> k) & 1 && s >= 0) scores[t * speakers + s]! += 1;
      }
    }
  }
  const countThreshold = options.countThreshold ?? 0.5;
  const order = Array.from({ length: speakers }, (_, s) => s);
  for (let t = from; t < frameCount; t++) {
    const c = covered[t - from]!;
    count[t] = c ? Math.min(LOCAL_SPEAKERS, Math.floor(countSum[t - from]! / c + 1 - countThreshold)) : 0;
    if (count[t] === 0) continue;
    const row = scores.subarray(t * speakers, (t + 1) * speakers);
    order.sort((a, b) => row[b]! - row[a]! || a - b);
    for (let i = 0; i < Math.min(count[t]!, speakers); i++) {
      if (row[order[i]!]! <= 0) break;
      active[t * speakers + order[i]!] = 1;
    }
  }
  return out;
}

/** Frames a vote may be borrowed from (`ReconstructionOptions.borrowSec`). */
export function borrowFrames(options: Pick<ReconstructionOptions, "borrowSec">): number {
  return Math.round(((options.borrowSec ?? 0.5) * SAMPLE_RATE) / FRAME_STEP_SAMPLES);
}

/**
 * The activity in which each frame that the windows count more speakers in than have votes there takes
 * the missing ones from the nearest frames within `borrowFrames(options)` (earlier first at equal
 * distance, stopping at silence), the most-scored speaker not yet active there from each. A local
 * speaker's vote is lost when it had too little speech for an embedding: its speech is still counted,
 * and the speakers around it are the best guess of who said it.
 */
export function withBorrowedVotes(activity: FrameActivity, options: Pick<ReconstructionOptions, "borrowSec">): FrameActivity {
  const { frameCount, speakers, active: voted, scores, count } = activity;
  const reach = borrowFrames(options);
  const active = voted.slice();
  const speech = (g: number) => g >= 0 && g < frameCount && count[g]! > 0;
  // Makes the most-scored speaker voted at frame g and not yet active at frame t active there; whether one was.
  const borrow = (t: number, g: number): boolean => {
    let best = -1;
    for (let s = 0; s < speakers; s++) {
      if (voted[g * speakers + s] && !active[t * speakers + s] && (best < 0 || scores[g * speakers + s]! > scores[g * speakers + best]!)) best = s;
    }
    if (best >= 0) active[t * speakers + best] = 1;
    return best >= 0;
  };
  for (let t = 0; t < frameCount; t++) {
    const want = Math.min(count[t]!, speakers);
    let have = 0;
    for (let s = 0; s < speakers; s++) have += voted[t * speakers + s]!;
    let [left, right] = [have < want, have < want];
    for (let d = 1; d <= reach && have < want && (left || right); d++) {
      left &&= speech(t - d);
      if (left && borrow(t, t - d)) have++;
      right &&= have < want && speech(t + d);
      if (right && borrow(t, t + d)) have++;
    }
  }
  return { ...activity, active };
}

/** The activity with each speaker's short silences filled, then its short turns dropped. */
export function withMinDurations(activity: FrameActivity, options: MinDurations): FrameActivity {
  const active = activity.active.slice();
  const { minOn, minOff } = minDurationFrames(options);
  for (let s = 0; s < activity.speakers; s++) applyMinDurations(active, activity.frameCount, activity.speakers, s, minOn, minOff);
  return { ...activity, active };
}

/** The minimum durations in frames. */
export function minDurationFrames(options: MinDurations): { minOn: number; minOff: number } {
  const frames = (sec = 0) => Math.round((sec * SAMPLE_RATE) / FRAME_STEP_SAMPLES);
  return { minOn: frames(options.minDurationOnSec), minOff: frames(options.minDurationOffSec) };
}

/** Fills a speaker's gaps shorter than minOff frames (not at the file's edges), then drops runs shorter than minOn. */
function applyMinDurations(active: Uint8Array, frames: number, speakers: number, s: number, minOn: number, minOff: number): void {
  const at = (t: number) => active[t * speakers + s]!;
  const set = (from: number, to: number, v: number) => {
    for (let t = from; t < to; t++) active[t * speakers + s] = v;
  };
  if (minOff > 0) {
    let lastOn = -1;
    for (let t = 0; t < frames; t++) {
      if (!at(t)) continue;
      if (lastOn >= 0 && t - lastOn - 1 > 0 && t - lastOn - 1 < minOff) set(lastOn + 1, t, 1);
      lastOn = t;
    }
  }
  if (minOn > 0) {
    let t = 0;
    while (t < frames) {
      if (!at(t)) {
        t++;
        continue;
      }
      let end = t;
      while (end < frames && at(end)) end++;
      if (end - t < minOn) set(t, end, 0);
      t = end;
    }
  }
}

/** Start and end (seconds) of the span of frames [from, to). */
export function frameSpanSec(from: number, to: number): { start: number; end: number } {
  const centre = (t: number) => (t * FRAME_STEP_SAMPLES + FRAME_SPAN_SAMPLES / 2) / SAMPLE_RATE;
  const half = FRAME_STEP_SAMPLES / 2 / SAMPLE_RATE;
  return { start: Math.max(0, centre(from) - half), end: centre(to - 1) + half };
}

export interface SpeakerTurn {
  start: number;
  end: number;
  /** index of the global speaker */
  speaker: number;
}

/** Turns of every speaker (they may overlap), sorted by start then speaker; ends clipped to `durationSec`. */
export function activityTurns(activity: FrameActivity, durationSec: number): SpeakerTurn[] {
  const { frameCount, speakers, active } = activity;
  const turns: SpeakerTurn[] = [];
  for (let s = 0; s < speakers; s++) {
    let t = 0;
    while (t < frameCount) {
      if (!active[t * speakers + s]) {
        t++;
        continue;
      }
      let end = t;
      while (end < frameCount && active[end * speakers + s]) end++;
      const span = frameSpanSec(t, end);
      turns.push({ start: span.start, end: Math.min(durationSec, span.end), speaker: s });
      t = end;
    }
  }
  return turns.sort((a, b) => a.start - b.start || a.speaker - b.speaker);
}

/**
 * One speaker per frame at most: among the active ones, the highest score; of speakers with the same score, the
 * one active in more frames of the file, then the lower index (scores are window counts, so two speakers heard
 * in the same windows tie: the one who talks more is the likelier; BENCHMARKS.md, "Exclusive view: ties by talk
 * time"). A run of one speaker shorter than `minOnFrames` next to another speaker's goes to the neighbour (of the
 * two, the more scored over the run): where two talk at once the most likely one flips from frame to frame.
 */
export function exclusiveActivity(activity: FrameActivity, minOnFrames = 0): FrameActivity {
  const { frameCount, speakers, active, scores } = activity;
  const talk = new Float64Array(speakers);
  for (let i = 0; i < active.length; i++) talk[i % speakers]! += active[i]!;
  const owner = new Int32Array(frameCount).fill(-1);
  for (let t = 0; t < frameCount; t++) {
    for (let s = 0; s < speakers; s++) {
      if (!active[t * speakers + s]) continue;
      const o = owner[t]!;
      const [score, best] = [scores[t * speakers + s]!, o < 0 ? 0 : scores[t * speakers + o]!];
      if (o < 0 || score > best || (score === best && talk[s]! > talk[o]!)) owner[t] = s;
    }
  }
  if (minOnFrames > 1) giveShortRunsToNeighbours(owner, scores, speakers, minOnFrames);
  const out = new Uint8Array(active.length);
  for (let t = 0; t < frameCount; t++) if (owner[t]! >= 0) out[t * speakers + owner[t]!] = 1;
  return { ...activity, active: out };
}

/**
 * In one pass from the start: each run of a speaker shorter than `minOn` frames with a speaker's run right
 * before or after it becomes that neighbour's.
 */
function giveShortRunsToNeighbours(owner: Int32Array, scores: Float32Array, speakers: number, minOn: number): void {
  const frames = owner.length;
  const scoreOver = (s: number, from: number, to: number) => {
    let sum = 0;
    for (let t = from; t < to; t++) sum += scores[t * speakers + s]!;
    return sum;
  };
  let t = 0;
  while (t < frames) {
    const s = owner[t]!;
    let end = t;
    while (end < frames && owner[end] === s) end++;
    const before = t > 0 ? owner[t - 1]! : -1;
    const after = end < frames ? owner[end]! : -1;
    if (s < 0 || end - t >= minOn || (before < 0 && after < 0)) {
      t = end;
      continue;
    }
    const to = after < 0 || (before >= 0 && scoreOver(before, t, end) >= scoreOver(after, t, end)) ? before : after;
    owner.fill(to, t, end);
    // The run before is at least minOn long already (or it would have been given away); one given to the run after is judged with it.
    if (to === before) t = end;
  }
}

/** Seconds in which at least two speakers are active. */
export function overlapSeconds(activity: FrameActivity): number {
  let frames = 0;
  for (let t = 0; t < activity.frameCount; t++) {
    let n = 0;
    for (let s = 0; s < activity.speakers; s++) n += activity.active[t * activity.speakers + s]!;
    if (n >= 2) frames++;
  }
  return (frames * FRAME_STEP_SAMPLES) / SAMPLE_RATE;
}
