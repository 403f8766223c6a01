/**
 * @module Speaker names that last from one live snapshot to the next, and turns that become final.
 *
 * A pipeline names its speakers afresh in every snapshot (a new clustering may number them in another
 * order). Each snapshot's speakers are matched to the names already given by how long they speak at
 * the same time (an optimal one-to-one assignment on overlapping seconds): a speaker keeps its name
 * unless speakers really merge (one of the two names ends) or split (the part that matches less gets a
 * new name). New speakers get the next number, in order of their first turn.
 *
 * Turns that end by the pipeline's settled time are committed at a point no turn crosses: from then on
 * they are final, the same in every later snapshot, and later turns start at or after that point.
 */
import { maxWeightAssignment } from "../eval/hungarian.ts";
import { speakerName } from "../pipeline/segments.ts";
import type { Segment } from "../types.ts";

/** A turn of a live snapshot, in seconds; a final one never changes again. */
export interface LiveTurn extends Segment {
  /** this turn stays exactly as it is in every later snapshot */
  readonly final: boolean;
}

export interface NamedSnapshot {
  /** every turn so far, final ones first, each list in time order */
  turns: LiveTurn[];
  /** the turns that became final in this update */
  settled: LiveTurn[];
  /** turns ending by this time (seconds) are final, and no later turn starts before it */
  finalSec: number;
  /** the name given to each speaker of the segments passed in */
  names: Map<string, string>;
}

/** Per speaker, its turns in time order (each speaker's own turns do not overlap). */
function bySpeaker(segments: readonly Segment[]): Map<string, Segment[]> {
  const map = new Map<string, Segment[]>();
  for (const s of segments) (map.get(s.speaker) ?? map.set(s.speaker, []).get(s.speaker)!).push(s);
  for (const list of map.values()) list.sort((a, b) => a.start - b.start);
  return map;
}

/** Seconds during which two sorted, non-overlapping turn lists both have a turn. */
function overlap(a: readonly Segment[], b: readonly Segment[]): number {
  let total = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]!.start, b[j]!.start);
    const to = Math.min(a[i]!.end, b[j]!.end);
    if (to > from) total += to - from;
    if (a[i]!.end < b[j]!.end) i++;
    else j++;
  }
  return total;
}

/**
 * For each speaker of `segments`, the name in `named` it shares the most time with, one-to-one
 * (speakers that share no time with any name are left out).
 */
function matchSpeakers(segments: readonly Segment[], named: readonly Segment[]): Map<string, string> {
  const fresh = bySpeaker(segments);
  const known = bySpeaker(named);
  const rows = [...fresh.keys()];
  const cols = [...known.keys()];
  const match = new Map<string, string>();
  if (rows.length === 0 || cols.length === 0) return match;
  const weights = rows.map((r) => cols.map((c) => overlap(fresh.get(r)!, known.get(c)!)));
  maxWeightAssignment(weights).forEach((c, r) => {
    if (c >= 0 && weights[r]![c]! > 0) match.set(rows[r]!, cols[c]!);
  });
  return match;
}

export class StableNames {
  readonly #committed: LiveTurn[] = [];
  #committedUntil = 0;
  /** the named turns after #committedUntil in the last snapshot */
  #tail: Segment[] = [];
  #nextName = 0;
  /** the name of each of the pipeline's speakers in the last update */
  #names = new Map<string, string>();

  /** The turns committed so far (final), in time order. */
  get final(): readonly LiveTurn[] {
    return [...this.#committed];
  }

  /**
   * Names `segments` (the pipeline's view of all the audio so far) and commits what `settledSec` allows.
   * `relabelled` false says the pipeline's speakers are the ones of the last update (no new clustering):
   * their names are kept without matching again.
   */
  update(segments: readonly Segment[], settledSec: number, relabelled = true): NamedSnapshot {
    const known = !relabelled && segments.every((s) => this.#names.has(s.speaker));
    const names = known ? this.#names : matchSpeakers(segments, [...this.#committed, ...this.#tail]);
    // New speakers are numbered in order of their first turn.
    const firstStart = new Map<string, number>();
    for (const s of segments) if (!names.has(s.speaker)) firstStart.set(s.speaker, Math.min(firstStart.get(s.speaker) ?? Infinity, s.start));
    for (const [speaker] of [...firstStart].sort((a, b) => a[1] - b[1])) names.set(speaker, speakerName(this.#nextName++));

    // The turns after the committed ones, clipped to start no earlier.
    const until = this.#committedUntil;
    const tail: Segment[] = [];
    for (const s of segments) {
      const start = Math.max(s.start, until);
      if (s.end > start) tail.push({ start, end: s.end, speaker: names.get(s.speaker)! });
    }
    tail.sort((a, b) => a.start - b.start || a.end - b.end);

    // Commit up to the latest point by settledSec that no turn crosses.
    let commitTo = until;
    let reach = until;
    for (const t of tail) {
      if (t.start >= reach && reach <= settledSec) commitTo = reach;
      reach = Math.max(reach, t.end);
    }
    if (reach <= settledSec) commitTo = reach;
    const settled: LiveTurn[] = [];
    const open: Segment[] = [];
    for (const t of tail) {
      if (t.end <= commitTo) settled.push(Object.freeze({ ...t, final: true }));
      else open.push(t);
    }
    this.#committed.push(...settled);
    this.#committedUntil = commitTo;
    this.#tail = open;
    this.#names = names;
    return {
      turns: [...this.#committed, ...open.map((t) => ({ ...t, final: false }))],
      settled,
      finalSec: commitTo,
      names,
    };
  }
}
