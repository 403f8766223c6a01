/**
 * Stable names and final turns (src/live/stable-names.ts) on hand-made snapshots, and the snapshot
 * clustering schedule (src/pipeline/snapshot-clustering.ts) on synthetic speakers.
 */
import { describe, expect, test } from "bun:test";
import { ComputeContext } from "../src/compute-context.ts";
import { StableNames } from "../src/live/stable-names.ts";
import { SnapshotClustering } from "../src/pipeline/snapshot-clustering.ts";
import type { Segment } from "../src/types.ts";
import { unitBlobs } from "./helpers/synthetic-speakers.ts";

const seg = (start: number, end: number, speaker: string): Segment => ({ start, end, speaker });

describe("StableNames", () => {
  test("names speakers in order of appearance and keeps them when the pipeline renumbers", () => {
    const names = new StableNames();
    const first = names.update([seg(0, 2, "b"), seg(2, 5, "a"), seg(5, 6, "b")], 0);
    expect(first.turns.map((t) => t.speaker)).toEqual(["SPEAKER_01", "SPEAKER_02", "SPEAKER_01"]);
    // The next snapshot numbers them the other way round and adds a third voice.
    const second = names.update([seg(0, 2, "x"), seg(2, 5, "y"), seg(5, 7, "x"), seg(7, 9, "z")], 0);
    expect(second.turns.map((t) => t.speaker)).toEqual(["SPEAKER_01", "SPEAKER_02", "SPEAKER_01", "SPEAKER_03"]);
    expect([...second.names]).toEqual([
      ["x", "SPEAKER_01"],
      ["y", "SPEAKER_02"],
      ["z", "SPEAKER_03"],
    ]);
  });

  test("a merge keeps the name that shares most time; a split gives the smaller part a new name", () => {
    const names = new StableNames();
    names.update([seg(0, 4, "a"), seg(4, 5, "b"), seg(5, 9, "a")], 0);
    const merged = names.update([seg(0, 9, "m")], 0);
    expect(merged.turns.map((t) => t.speaker)).toEqual(["SPEAKER_01"]);
    const split = names.update([seg(0, 6, "p"), seg(6, 9, "q")], 0);
    expect(split.turns.map((t) => t.speaker)).toEqual(["SPEAKER_01", "SPEAKER_03"]);
  });

  test("turns that end by the settled time become final at a point no turn crosses, and stay", () => {
    const names = new StableNames();
    const a = names.update([seg(0, 3, "a"), seg(2.5, 6, "b"), seg(7, 9, "a")], 6.5);
    // Both overlapping turns end by 6.5: committed up to 6.
    expect(a.finalSec).toBe(6);
    expect(a.settled.map((t) => [t.start, t.end])).toEqual([
      [0, 3],
      [2.5, 6],
    ]);
    expect(a.turns.map((t) => t.final)).toEqual([true, true, false]);
    // A later snapshot relabels everything and moves the first turn: the final turns stay as they were,
    // later turns start at the final time at the earliest.
    const b = names.update([seg(0, 4, "q"), seg(4, 8, "p"), seg(8, 12, "q")], 8.5);
    expect(b.turns.slice(0, 2)).toEqual(a.turns.slice(0, 2));
    expect(b.turns.slice(2).map((t) => [t.start, t.end, t.speaker, t.final])).toEqual([
      [6, 8, "SPEAKER_02", true],
      [8, 12, "SPEAKER_01", false],
    ]);
    expect(b.finalSec).toBe(8);
  });
});

describe("SnapshotClustering", () => {
  test("keeps earlier labels between clusterings, re-clusters on growth and soon after a new speaker", async () => {
    const context = new ComputeContext({ threads: 1 });
    try {
      const dim = 32;
      // Two speakers for 400 embeddings, then a third one.
      const { data: first } = unitBlobs([200, 200], dim, 0.4, 5);
      const { data: third } = unitBlobs([60], dim, 0.4, 9);
      const all = new Float32Array(first.length + third.length);
      all.set(first);
      all.set(third, first.length);
      const clustering = new SnapshotClustering({ context });
      let labels = new Int32Array(0);
      const runs: number[] = [];
      for (let n = 8; n <= 460; n += 2) {
        const previous = labels.slice();
        labels = (await clustering.labels({ data: all.subarray(0, n * dim), count: n, dim }, n * 0.6)).slice();
        if (clustering.reclustered) runs.push(n);
        else expect(labels.subarray(0, previous.length)).toEqual(previous);
      }
      // 5 % steps while no one new speaks (and never a re-clustering for every push).
      const before = runs.filter((n) => n <= 400);
      for (let i = 1; i < before.length; i++) expect(before[i]! - before[i - 1]!).toBeGreaterThanOrEqual(Math.max(2, Math.ceil(0.05 * before[i - 1]!)));
      expect(before.length).toBeLessThan(60);
      // The third speaker brings a re-clustering forward: one within 20 embeddings of its first, sooner
      // after the one before than 5 % growth asks.
      const early = runs.filter((n, i) => n > 400 && n <= 420 && n - runs[i - 1]! < Math.ceil(0.05 * runs[i - 1]!));
      expect(early.length).toBeGreaterThan(0);
      expect(new Set(labels.subarray(400)).size).toBe(1);
      expect(labels[400]).not.toBe(labels[0]);
      expect(labels[400]).not.toBe(labels[399]);
    } finally {
      await context.close();
    }
  });
});
