/**
 * @module The exclusive view of a diarization: one speaker at any instant. Subtitles and transcripts
 * use it; the timeline draws the turns themselves, overlaps included.
 */
import type { Segment } from "../pipeline/segments.ts";
import type { ResultTurns } from "../types.ts";

/**
 * Turns (which may overlap) to one speaker at a time. Where turns overlap, the speaker whose turn
 * started last has the floor (an interjection inside a long turn, or the next speaker taking over);
 * equal starts go to the shorter turn. Same-speaker pieces that touch are joined. Sorted by start.
 */
export function exclusiveView(turns: readonly Segment[]): Segment[] {
  const valid = turns.filter((t) => t.end > t.start);
  if (valid.length === 0) return [];
  const bounds = [...new Set(valid.flatMap((t) => [t.start, t.end]))].sort((a, b) => a - b);
  // Later start wins; for equal starts the shorter turn; then the name, so the result is deterministic.
  const order = [...valid].sort((a, b) => a.start - b.start || b.end - a.end || b.speaker.localeCompare(a.speaker));
  const out: Segment[] = [];
  const active: Segment[] = [];
  let next = 0;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    while (next < order.length && order[next]!.start <= from) active.push(order[next++]!);
    for (let k = active.length - 1; k >= 0; k--) if (active[k]!.end <= from) active.splice(k, 1);
    const floor = active.at(-1);
    if (!floor) continue;
    const last = out.at(-1);
    if (last && last.speaker === floor.speaker && last.end === from) last.end = to;
    else out.push({ start: from, end: to, speaker: floor.speaker });
  }
  return out;
}

/** The result's `exclusiveSegments`, or the exclusive view of its turns for results that lack them. */
export function exclusiveSegmentsOf(result: ResultTurns): Segment[] {
  return result.exclusiveSegments ?? exclusiveView(result.mergedSegments);
}
