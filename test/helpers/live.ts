/** Helpers of the live-session tests. */
import { expect } from "bun:test";
import type { DiarizationResult } from "../../src/diarizer.ts";
import type { LiveDiarization, LiveSnapshot } from "../../src/live/session.ts";

export function withoutTiming(result: DiarizationResult): Omit<DiarizationResult, "timingStats"> {
  const { timingStats: _, ...rest } = result;
  return rest;
}

/** Pushes `pieces` one by one, checking each snapshot against the one before. */
export async function pushAll(session: LiveDiarization, pieces: Iterable<Float32Array | Uint8Array>): Promise<{ snapshots: LiveSnapshot[]; maxHeld: number }> {
  const snapshots: LiveSnapshot[] = [];
  let maxHeld = 0;
  for (const piece of pieces) {
    const snapshot = await session.push(piece);
    const previous = snapshots.at(-1);
    if (previous) {
      // Final turns stay exactly as they were, and more become final only forward in time.
      const final = previous.turns.filter((t) => t.final);
      expect(snapshot.turns.slice(0, final.length)).toEqual(final);
      expect(snapshot.finalSec).toBeGreaterThanOrEqual(previous.finalSec);
    }
    for (const t of snapshot.turns) {
      expect(t.end).toBeGreaterThan(t.start);
      expect(t.final).toBe(t.end <= snapshot.finalSec);
    }
    snapshots.push(snapshot);
    maxHeld = Math.max(maxHeld, session.heldSamples);
  }
  return { snapshots, maxHeld };
}
