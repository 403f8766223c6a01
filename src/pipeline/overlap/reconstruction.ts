/**
 * @module Reconstruction: from local speakers with global labels back to who speaks in each frame of
 * the file. Per global frame, the number of speakers is the rounded mean, over the windows that cover
 * it, of the local speakers active there; each global speaker's score is the number of those windows in
 * which a local speaker assigned to it is active; the top speakers by score, up to that number, are
 * active. Then minimum on/off durations per speaker (`withMinDurations`), and turns, which may overlap.
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

const SAMPLE_RATE = 16000;

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
}

export interface MinDurations {
  /** a speaker's silences shorter than this are filled (seconds, default 0) */
  minDurationOffSec?: number;
  /** a speaker's turns shorter than this are dropped (seconds, default 0) */
  minDurationOnSec?: number;
}

/** Global frame activity from local activity and the global speaker of each (window, local speaker). */
export function reconstructActivity(segmentation: LocalSegmentation, localLabels: Int32Array, speakers: number, options: ReconstructionOptions = {}): FrameActivity {
  const { windowCount, stepFrames, activity } = segmentation;
  if (localLabels.length !== windowCount * LOCAL_SPEAKERS) throw new RangeError("reconstructActivity: one label per window and local speaker");
  // Frames whose centre lies inside the audio.
  const frameCount = Math.max(0, Math.floor((segmentation.sampleCount - FRAME_SPAN_SAMPLES / 2) / FRAME_STEP_SAMPLES) + 1);
  const countSum = new Float32Array(frameCount);
  const covered = new Uint16Array(frameCount);
  const scores = new Float32Array(frameCount * speakers);
  const centerFrames = options.centerFrames ?? FRAMES_PER_WINDOW;
  const countFrames = options.countFrames ?? centerFrames;
  for (let w = 0; w < windowCount; w++) {
    const first = w * stepFrames;
    const [lo, hi] = usedFrames(segmentation, w, centerFrames);
    const [countLo, countHi] = usedFrames(segmentation, w, countFrames);
    const frames = Math.min(Math.max(hi, countHi), frameCount - first);
    for (let f = Math.min(lo, countLo); f < frames; f++) {
      const mask = activity[w * FRAMES_PER_WINDOW + f]!;
      const t = first + f;
      if (f >= countLo && f < countHi) {
        covered[t]!++;
        countSum[t]! += activeCount(mask);
      }
      if (mask === 0 || f < lo || f >= hi) continue;
      for (let k = 0; k < LOCAL_SPEAKERS; k++) {
        const s = localLabels[w * LOCAL_SPEAKERS + k]!;
        if ((mask >> k) & 1 && s >= 0) scores[t * speakers + s]! += 1;
      }
    }
  }
  const countThreshold = options.countThreshold ?? 0.5;
  const count = new Uint8Array(frameCount);
  const active = new Uint8Array(frameCount * speakers);
  const order = Array.from({ length: speakers }, (_, s) => s);
  for (let t = 0; t < frameCount; t++) {
    count[t] = covered[t] ? Math.min(LOCAL_SPEAKERS, Math.floor(countSum[t]! / covered[t]! + 1 - countThreshold)) : 0;
    if (count[t] === 0) continue;
    const row = scores.subarray(t * speakers, (t + 1) * speakers);
    order.sort((a, b) => row[b]! - row[a]! || a - b);
    for (let i = 0; i < Math.min(count[t]!, speakers); i++) {
      if (row[order[i]!]! <= 0) break;
      active[t * speakers + order[i]!] = 1;
    }
  }
  return { frameCount, speakers, active, scores, count };
}

/** The activity with each speaker's short silences filled, then its short turns dropped. */
export function withMinDurations(activity: FrameActivity, options: MinDurations): FrameActivity {
  const active = activity.active.slice();
  const minOff = Math.round(((options.minDurationOffSec ?? 0) * SAMPLE_RATE) / FRAME_STEP_SAMPLES);
  const minOn = Math.round(((options.minDurationOnSec ?? 0) * SAMPLE_RATE) / FRAME_STEP_SAMPLES);
  for (let s = 0; s < activity.speakers; s++) applyMinDurations(active, activity.frameCount, activity.speakers, s, minOn, minOff);
  return { ...activity, active };
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

/** One speaker per frame at most: among the active ones, the highest score (ties to the lower index). */
export function exclusiveActivity(activity: FrameActivity): FrameActivity {
  const { frameCount, speakers, active, scores } = activity;
  const out = new Uint8Array(active.length);
  for (let t = 0; t < frameCount; t++) {
    let best = -1;
    for (let s = 0; s < speakers; s++) {
      if (active[t * speakers + s] && (best < 0 || scores[t * speakers + s]! > scores[t * speakers + best]!)) best = s;
    }
    if (best >= 0) out[t * speakers + best] = 1;
  }
  return { ...activity, active: out };
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
