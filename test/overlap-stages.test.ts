/**
 * The overlap-aware pipeline's stages on synthetic inputs: powerset decoding, window geometry, the
 * choice of embedding frames, the native frame gather, average-linkage clustering, the per-window
 * constraint and the reconstruction of overlapping turns.
 */
import { describe, expect, test } from "bun:test";
import { ConfigError } from "../src/errors.ts";
import { FBANK_BINS } from "../src/models/index.ts";
import {
  AGGLOMERATIVE_COUNT_MAX,
  assignPerWindow,
  averageLinkage,
  clustersFromDendrogram,
  constrainedClustering,
  cutDendrogram,
  DEFAULT_VOICES_APART,
  type ConstrainedClusteringOptions,
  unitRows,
} from "../src/pipeline/overlap/constrained-clustering.ts";
import { gatherFrames, planEmbeddings, type LocalEmbeddings } from "../src/pipeline/overlap/local-embeddings.ts";
import {
  decodePowerset,
  FRAMES_PER_WINDOW,
  heardTogether,
  localSegmentation,
  usedFrames,
  windowCount,
  windowStart,
  type LocalSegmentation,
} from "../src/pipeline/overlap/local-segmentation.ts";
import {
  activityTurns,
  exclusiveActivity,
  frameSpanSec,
  minDurationFrames,
  overlapSeconds,
  reconstructActivity,
  withBorrowedVotes,
  withMinDurations,
  type FrameActivity,
} from "../src/pipeline/overlap/reconstruction.ts";
import { DEFAULT_MIN_DURATIONS } from "../src/pipeline/overlap/overlap-diarization.ts";
import { splitVoicePoints, uniform } from "./helpers/synthetic-speakers.ts";

const FRAME_SEC = 270 / 16000;

/** Log-probabilities of frames whose most likely powerset class is `classes[f]`. */
function powersetScores(classes: readonly number[]): Float32Array {
  const scores = new Float32Array(classes.length * 7).fill(-5);
  classes.forEach((c, f) => (scores[f * 7 + c] = -0.1));
  return scores;
}

describe("local segmentation", () => {
  test("powerset classes decode to the bit masks of their speakers", () => {
    expect([...decodePowerset(powersetScores([0, 1, 2, 3, 4, 5, 6]))]).toEqual([0b000, 0b001, 0b010, 0b100, 0b011, 0b101, 0b110]);
    // A tie goes to the lower class, as an argmax does.
    const tie = new Float32Array(7).fill(-3);
    tie[2] = -1;
    tie[4] = -1;
    expect([...decodePowerset(tie)]).toEqual([0b010]);
    expect(() => decodePowerset(new Float32Array(8))).toThrow("not frames x 7");
  });

  test("windows sit on the frame grid and the last one reaches the end", () => {
    expect(windowCount(1000, 118)).toBe(1);
    expect(windowCount(160_000, 118)).toBe(1);
    expect(windowCount(160_001, 118)).toBe(2);
    const n = windowCount(16000 * 60, 118);
    const seg = { stepFrames: 118 };
    expect(windowStart(seg, n - 1) + 160_000).toBeGreaterThanOrEqual(16000 * 60);
    expect(windowStart(seg, n - 2) + 160_000).toBeLessThan(16000 * 60);
    expect(windowStart(seg, 3) % 270).toBe(0);
    expect(() => windowCount(100, 0)).toThrow("window step");
    // Central frames, widened to the window's edge at the file's two ends.
    expect(usedFrames({ windowCount: 5 }, 0, 177)).toEqual([0, 383]);
    expect(usedFrames({ windowCount: 5 }, 2, 177)).toEqual([206, 383]);
    expect(usedFrames({ windowCount: 5 }, 4, 177)).toEqual([206, 589]);
  });

  test("every window is decoded in order, whatever the batching", async () => {
    const samples = new Float32Array(16000 * 25);
    const seen: number[] = [];
    // A fake model that puts local speaker 1 in every frame and speaker 2 in the window's second half.
    const run = async (chunks: Float32Array[]) => {
      seen.push(chunks.length);
      return chunks.map(() => powersetScores(Array.from({ length: FRAMES_PER_WINDOW }, (_, f) => (f < 295 ? 1 : 4))));
    };
    const seg = await localSegmentation(samples, [run, run], { stepFrames: 118, batchSize: 3 });
    expect(seg.windowCount).toBe(windowCount(samples.length, 118));
    expect(seen.reduce((a, b) => a + b, 0)).toBe(seg.windowCount);
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
    for (let w = 0; w < seg.windowCount; w++) {
      expect(seg.activity[w * FRAMES_PER_WINDOW + 10]).toBe(0b001);
      expect(seg.activity[w * FRAMES_PER_WINDOW + 400]).toBe(0b011);
    }
  });
});

/** A segmentation of `windows` windows every `stepFrames`, each frame's mask given by `mask(w, f)`. */
function syntheticSegmentation(windows: number, stepFrames: number, mask: (w: number, f: number) => number): LocalSegmentation {
  const activity = new Uint8Array(windows * FRAMES_PER_WINDOW);
  for (let w = 0; w < windows; w++) for (let f = 0; f < FRAMES_PER_WINDOW; f++) activity[w * FRAMES_PER_WINDOW + f] = mask(w, f);
  const sampleCount = (windows - 1) * stepFrames * 270 + 160_000;
  return { windowCount: windows, stepFrames, activity, sampleCount };
}

describe("embedding frames", () => {
  test("clean frames are used when enough remain, overlap otherwise; short speakers are skipped", () => {
    // Speaker 0 alone in frames 0-299, with speaker 1 in 300-399; speaker 2 in 500-509 only.
    const seg = syntheticSegmentation(1, 118, (_, f) => (f < 300 ? 0b001 : f < 400 ? 0b011 : f >= 500 && f < 510 ? 0b100 : 0));
    const fbankFrames = 998;
    const plan = planEmbeddings(seg, fbankFrames, { minFrames: 50, minCleanFrames: 150, bucketFrames: 50 });
    expect([...plan.speaker]).toEqual([0, 1]);
    // Speaker 0: ~300 * 270 / 160 clean fbank frames (> 150) -> only clean ones, rounded down to 50s.
    expect(plan.lengths[0]! % 50).toBe(0);
    expect(plan.cleanFrames[0]).toBeGreaterThan(450);
    const first = plan.indices.subarray(plan.offsets[0]!, plan.offsets[0]! + plan.lengths[0]!);
    for (const j of first) expect((j * 160 + 200 - 495.5) / 270).toBeLessThan(300.5);
    // Speaker 1 has no clean frame: its overlapped frames are used.
    expect(plan.cleanFrames[1]).toBe(0);
    expect(plan.lengths[1]).toBeGreaterThanOrEqual(150);
    // The central frames option keeps only frames of the window's centre (a single window: all of it).
    const centred = planEmbeddings(syntheticSegmentation(3, 118, () => 0b001), 3000, { centerFrames: 118 });
    expect(centred.count).toBe(3);
    expect(centred.lengths[1]!).toBeLessThan(centred.lengths[0]!);
  });

  test("planning a window range gives those windows' part of the whole plan", () => {
    const seg = syntheticSegmentation(6, 118, (w, f) => [0b001, 0b011, 0b010, 0, 0b100, 0b101][(w + (f >> 7)) % 6]!);
    const whole = planEmbeddings(seg, 2000, { centerFrames: 177 });
    const parts = [planEmbeddings(seg, 2000, { centerFrames: 177, windows: [0, 2] }), planEmbeddings(seg, 2000, { centerFrames: 177, windows: [2, 6] })];
    expect(parts[0]!.count + parts[1]!.count).toBe(whole.count);
    expect([...parts[0]!.window, ...parts[1]!.window]).toEqual([...whole.window]);
    expect([...parts[0]!.indices, ...parts[1]!.indices]).toEqual([...whole.indices]);
    expect([...parts[0]!.lengths, ...parts[1]!.lengths]).toEqual([...whole.lengths]);
    expect(() => planEmbeddings(seg, 2000, { windows: [3, 7] })).toThrow("not within the 6 windows");
  });

  test("the native gather equals copying the rows and subtracting their mean", () => {
    const random = uniform(3);
    const frames = 40;
    const fbank = Float32Array.from({ length: frames * FBANK_BINS }, () => random() * 10 - 5);
    const indices = Uint32Array.of(3, 4, 5, 9, 39, 0, 7, 7, 8, 1, 2, 2);
    const plan = {
      count: 3,
      window: Uint32Array.of(0, 0, 1),
      speaker: Uint8Array.of(0, 1, 0),
      cleanFrames: new Uint32Array(3),
      indices,
      offsets: Uint32Array.of(0, 4, 8),
      lengths: Uint32Array.of(4, 4, 4),
    };
    const batch = gatherFrames(fbank, plan, [2, 0]);
    expect(batch.length).toBe(2 * 4 * FBANK_BINS);
    [2, 0].forEach((m, row) => {
      for (let b = 0; b < FBANK_BINS; b++) {
        const values = Array.from({ length: 4 }, (_, t) => fbank[indices[plan.offsets[m]! + t]! * FBANK_BINS + b]!);
        const mean = values.reduce((s, v) => s + v, 0) / 4;
        values.forEach((v, t) => expect(batch[(row * 4 + t) * FBANK_BINS + b]!).toBeCloseTo(v - mean, 4));
      }
    });
    expect(() => gatherFrames(fbank, { ...plan, lengths: Uint32Array.of(4, 3, 4) }, [0, 1])).toThrow("different lengths");
    expect(() => gatherFrames(fbank.subarray(0, 5 * FBANK_BINS), plan, [0])).toThrow("invalid argument");
  });
});

/** `perGroup` noisy unit vectors around each of `groups` random directions, in `dim` dimensions. */
function groupedPoints(groups: number, perGroup: number, dim: number, noise: number, seed: number): { data: Float32Array; truth: number[] } {
  const random = uniform(seed);
  const centres = Array.from({ length: groups }, () => Array.from({ length: dim }, () => random() * 2 - 1));
  const data = new Float32Array(groups * perGroup * dim);
  const truth: number[] = [];
  for (let i = 0; i < groups * perGroup; i++) {
    const g = i % groups;
    truth.push(g);
    for (let d = 0; d < dim; d++) data[i * dim + d] = centres[g]![d]! + noise * (random() * 2 - 1);
  }
  return { data, truth };
}

describe("constrained clustering", () => {
  test("averageLinkage refuses more rows than the native clustering takes, before calling it", () => {
    const n = AGGLOMERATIVE_COUNT_MAX + 1;
    expect(() => averageLinkage(new Float32Array(n), n, 1)).toThrow(
      new ConfigError(`averageLinkage: ${n} rows exceed the 65535 agglomerative clustering takes (see maxTrain)`),
    );
  });

  test("average linkage matches the textbook O(n^3) algorithm", () => {
    const { data } = groupedPoints(3, 12, 16, 0.8, 5);
    const n = 36;
    const dim = 16;
    const tree = averageLinkage(data, n, dim);
    const x = unitRows(data, dim);
    const d = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let k = 0; k < dim; k++) s += x[i * dim + k]! * x[j * dim + k]!;
        return 1 - s;
      }),
    );
    const size = new Array(n).fill(1);
    const alive = new Array(n).fill(true);
    const heights: number[] = [];
    for (let m = 0; m < n - 1; m++) {
      let best = Infinity;
      let bi = 0;
      let bj = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (alive[i] && alive[j] && d[i]![j]! < best) [best, bi, bj] = [d[i]![j]!, i, j];
      heights.push(best);
      for (let k = 0; k < n; k++) d[bi]![k] = d[k]![bi] = (size[bi] * d[bi]![k]! + size[bj] * d[bj]![k]!) / (size[bi] + size[bj]);
      alive[bj] = false;
      size[bi] += size[bj];
    }
    heights.forEach((h, m) => expect(tree.distance[m]!).toBeCloseTo(h, 4));
    // Cutting before the last two merges gives the three groups.
    const labels = cutDendrogram(tree, n - 3);
    expect(new Set(labels).size).toBe(3);
    for (let i = 3; i < n; i++) expect(labels[i]).toBe(labels[i % 3]);
  });

  test("threshold, minimum cluster size and speaker-count bounds", () => {
    const { data } = groupedPoints(4, 10, 24, 0.5, 7);
    const n = 40;
    const x = unitRows(data, 24);
    const tree = averageLinkage(x, n, 24);
    expect(clustersFromDendrogram(x, 24, tree, { threshold: 0.4 }).length).toBe(4);
    expect(clustersFromDendrogram(x, 24, tree, { threshold: 0.4, numSpeakers: 2 }).length).toBe(2);
    expect(clustersFromDendrogram(x, 24, tree, { threshold: 0.4, maxSpeakers: 3 }).length).toBe(3);
    expect(clustersFromDendrogram(x, 24, tree, { threshold: 1.9, minSpeakers: 3 }).length).toBe(3);
    expect(clustersFromDendrogram(x, 24, tree, { threshold: 0.4, numSpeakers: 6 }).length).toBe(6);
    expect(() => clustersFromDendrogram(x, 24, tree, { minSpeakers: 3, maxSpeakers: 2 })).toThrow("larger than maxSpeakers");
    // A lone outlier is folded into a large cluster rather than becoming a speaker.
    const outlier = new Float32Array(41 * 24);
    outlier.set(x);
    outlier[40 * 24] = 1;
    const all = unitRows(outlier, 24);
    expect(clustersFromDendrogram(all, 24, averageLinkage(all, 41, 24), { threshold: 0.4, minClusterSize: 3 }).length).toBe(4);
  });

  test("two clusters that are each a voice heard alone merge only below voicesApart", () => {
    // Two tight groups of 4 points whose directions are 0.675 apart in cosine distance: under the cut at 0.7.
    const direction = [
      [1, 0],
      [0.325, Math.sqrt(1 - 0.325 ** 2)],
    ];
    const points = new Float32Array(8 * 3);
    for (let i = 0; i < 8; i++) points.set([...direction[i >> 2]!, 0.01 * ((i % 4) - 1.5)], i * 3);
    const x = unitRows(points, 3);
    const tree = averageLinkage(x, 8, 3);
    const heard = new Array(8).fill(1);
    const options = { voicesApart: DEFAULT_VOICES_APART, mergeCosine: Infinity };
    expect(clustersFromDendrogram(x, 3, tree, options, heard).length).toBe(2);
    expect(clustersFromDendrogram(x, 3, tree, { ...options, voicesApart: Infinity }, heard).length).toBe(1);
    expect(clustersFromDendrogram(x, 3, tree, { ...options, voicesApart: 0.68 }, heard).length).toBe(1);
    // A side never heard alone 1.5 s, or heard under 2.5 % of the other's such speech, is no voice of its own.
    const unheard = [1, 1, 1, 1, 0.2, 0.2, 0.2, 0.2];
    expect(clustersFromDendrogram(x, 3, tree, options, unheard).length).toBe(1);
    const little = [20, 20, 20, 20, 0.4, 0.4, 0.4, 0.4];
    expect(clustersFromDendrogram(x, 3, tree, options, little).length).toBe(1);
    // Without what each row is heard alone (vad-windows' clustering) the cut alone decides.
    expect(clustersFromDendrogram(x, 3, tree, options).length).toBe(1);
  });

  test("two local speakers of one window get two global speakers while there are clusters for them", () => {
    // Both local speakers of window 0 resemble cluster 0 most; the assignment gives the second to cluster 1.
    const centroids = unitRows(Float32Array.of(1, 0, 0, 1), 2);
    const x = unitRows(Float32Array.of(1, 0.1, 1, 0.3, 0, 1, 1, 0.2, 0.9, 1, 0.2, 1), 2);
    const labels = assignPerWindow(x, 2, Uint32Array.of(0, 0, 1, 2, 2, 2), centroids, 2);
    expect([...labels.subarray(0, 3)]).toEqual([0, 1, 1]);
    // Window 2 has three local speakers for two clusters: the first and last take one each, the one left
    // over (0.9, 1) its most similar cluster, 1, rather than none.
    expect([...labels.subarray(3)]).toEqual([0, 1, 1]);
    // One cluster: every local speaker of a window is that voice.
    expect([...assignPerWindow(x, 2, Uint32Array.of(0, 0, 0, 1, 1, 1), centroids.subarray(0, 2), 1)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...assignPerWindow(x.subarray(0, 2), 2, Uint32Array.of(0), new Float32Array(0), 0)]).toEqual([-1]);
  });

  test("two local speakers of one window never heard at the same frame may be one speaker", () => {
    // Both local speakers of the window resemble cluster 0 most: kept apart only when heard together.
    const centroids = unitRows(Float32Array.of(1, 0, 0, 1), 2);
    const x = unitRows(Float32Array.of(1, 0.1, 1, 0.3), 2);
    const windows = Uint32Array.of(0, 0);
    expect([...assignPerWindow(x, 2, windows, centroids, 2, () => false)]).toEqual([0, 0]);
    expect([...assignPerWindow(x, 2, windows, centroids, 2, () => true)]).toEqual([0, 1]);
    // Heard together: a frame where both are active, in their own window only.
    const activity = new Uint8Array(2 * FRAMES_PER_WINDOW);
    activity.fill(0b001, 0, 100);
    activity.fill(0b010, 100, 200);
    activity[FRAMES_PER_WINDOW + 5] = 0b011;
    expect(heardTogether({ activity }, 0, 0, 1)).toBe(false);
    expect(heardTogether({ activity }, 1, 0, 1)).toBe(true);
    expect(heardTogether({ activity }, 1, 0, 2)).toBe(false);
  });

  test("end to end on embeddings: speakers found, one per local speaker of a window", () => {
    const { data, truth } = groupedPoints(3, 20, 32, 0.4, 9);
    const count = 60;
    // Windows of two local speakers of different groups.
    const window = Uint32Array.from({ length: count }, (_, i) => Math.floor(i / 2));
    const embeddings: LocalEmbeddings = {
      count,
      window,
      speaker: Uint8Array.from({ length: count }, (_, i) => i % 2),
      cleanFrames: new Uint32Array(count).fill(300),
      indices: new Uint32Array(0),
      offsets: new Uint32Array(count),
      lengths: new Uint32Array(count),
      data,
      dim: 32,
    };
    const result = constrainedClustering(embeddings, { threshold: 0.5 });
    expect(result.clusterCount).toBe(3);
    const map = new Map<number, number>();
    truth.forEach((g, i) => {
      if (!map.has(g)) map.set(g, result.labels[i]!);
      expect(result.labels[i]).toBe(map.get(g)!);
    });
    for (let w = 0; w < count / 2; w++) expect(result.labels[2 * w]).not.toBe(result.labels[2 * w + 1]);
    expect(constrainedClustering(embeddings, { threshold: 0.5, numSpeakers: 2 }).clusterCount).toBe(2);
  });

  test("a full-size cluster in which no voice is heard alone 1.5 s folds, unless nothing else is kept", () => {
    // Three voices of 20 embeddings; the third only in fragments (1 s alone each).
    const { data, truth } = groupedPoints(3, 20, 32, 0.4, 13);
    const embeddings: LocalEmbeddings = {
      count: 60,
      window: Uint32Array.from({ length: 60 }, (_, i) => i),
      speaker: new Uint8Array(60),
      cleanFrames: Uint32Array.from(truth, (g) => (g === 2 ? 100 : 200)),
      indices: new Uint32Array(0),
      offsets: new Uint32Array(60),
      lengths: new Uint32Array(60),
      data,
      dim: 32,
    };
    expect(constrainedClustering(embeddings, { threshold: 0.5 }).clusterCount).toBe(2);
    expect(constrainedClustering(embeddings, { threshold: 0.5, minClusterSpeechSec: Infinity }).clusterCount).toBe(3);
    // No voice heard alone anywhere: the size rule alone decides.
    expect(constrainedClustering({ ...embeddings, cleanFrames: new Uint32Array(60).fill(100) }, { threshold: 0.5 }).clusterCount).toBe(3);
  });

  test("a voice split by the cut is one speaker again when its clusters' centroids are near; two voices stay two", () => {
    // Two voices of 30 and 15 noisy embeddings: the average-linkage cut at 0.7 splits them, into clusters whose
    // centroids are far closer than the two voices' (BENCHMARKS.md, "merging near centroids").
    const { data, truth, dim } = splitVoicePoints();
    const embeddings: LocalEmbeddings = {
      count: 45,
      window: Uint32Array.from({ length: 45 }, (_, i) => i),
      speaker: new Uint8Array(45),
      cleanFrames: new Uint32Array(45).fill(100),
      indices: new Uint32Array(0),
      offsets: new Uint32Array(45),
      lengths: new Uint32Array(45),
      data,
      dim,
    };
    const voices = (options: ConstrainedClusteringOptions) => {
      const { labels, clusterCount } = constrainedClustering(embeddings, { threshold: 0.7, ...options });
      return Array.from({ length: clusterCount }, (_, c) => [...new Set(truth.filter((_, i) => labels[i] === c))]);
    };
    expect(voices({ mergeCosine: Infinity })).toEqual([[0], [1], [1]]);
    expect(voices({})).toEqual([[0], [1]]);
    // At a similarity both voices' centroids reach, they merge too.
    expect(voices({ mergeCosine: 0 })).toEqual([[0, 1]]);
    // The vad-windows pipeline's agglomerative clustering merges in its own postprocessing, not here.
    const x = unitRows(data, dim);
    expect(clustersFromDendrogram(x, dim, averageLinkage(x, 45, dim), { threshold: 0.7 }).length).toBe(4);
  });

  test("a small cluster made from its speaker alone stays a speaker; one of overlapped fragments folds", () => {
    // Six voices: four with 20 embeddings, one with 4 embeddings of 2 s alone each (a speaker who talks a
    // few times), one with 4 embeddings of 1 s alone each (fragments around overlap). 88 embeddings: the
    // size rule alone (9 here) folds both small clusters.
    const { data: pool, truth } = groupedPoints(6, 20, 32, 0.4, 11);
    const rows = truth.flatMap((g, i) => (g < 4 || truth.slice(0, i).filter((h) => h === g).length < 4 ? [i] : []));
    const count = rows.length;
    const data = new Float32Array(count * 32);
    rows.forEach((row, r) => data.set(pool.subarray(row * 32, (row + 1) * 32), r * 32));
    const embeddings: LocalEmbeddings = {
      count,
      window: Uint32Array.from({ length: count }, (_, i) => i),
      speaker: new Uint8Array(count),
      cleanFrames: Uint32Array.from(rows, (row) => (truth[row] === 5 ? 100 : 200)),
      indices: new Uint32Array(0),
      offsets: new Uint32Array(count),
      lengths: new Uint32Array(count),
      data,
      dim: 32,
    };
    expect(count).toBe(88);
    // The size rule alone folds both.
    expect(constrainedClustering(embeddings, { threshold: 0.5, minClusterSpeechSec: Infinity }).clusterCount).toBe(4);
    const heard = { threshold: 0.5 };
    const result = constrainedClustering(embeddings, heard);
    expect(result.clusterCount).toBe(5);
    const labelsOf = (g: number) => new Set(rows.flatMap((row, r) => (truth[row] === g ? [result.labels[r]] : [])));
    for (let g = 0; g < 5; g++) expect(labelsOf(g).size).toBe(1);
    expect(new Set([0, 1, 2, 3, 4].map((g) => [...labelsOf(g)][0])).size).toBe(5);
    // The speech a small cluster needs: 8 s alone is not enough for 10 s, nor for 25 % of the 40 s of the
    // nearest large cluster (a voice's strays grow with the voice); 15 % is.
    expect(constrainedClustering(embeddings, { ...heard, minClusterSpeechSec: 10 }).clusterCount).toBe(4);
    expect(constrainedClustering(embeddings, { ...heard, minClusterSpeechRatio: 0.25 }).clusterCount).toBe(4);
    expect(constrainedClustering(embeddings, { ...heard, minClusterSpeechRatio: 0.15 }).clusterCount).toBe(5);
    // Speaker-count bounds still decide.
    expect(constrainedClustering(embeddings, { ...heard, maxSpeakers: 4 }).clusterCount).toBe(4);
    expect(constrainedClustering(embeddings, { ...heard, numSpeakers: 6 }).clusterCount).toBe(6);
  });
});

describe("reconstruction", () => {
  // Five windows every 118 frames. Local speaker 0 of every window is global speaker 0; local speaker 1
  // is global speaker 1 in windows 0-2 and global speaker 2 in windows 3-4 (another person).
  const step = 118;
  const globalOf = (w: number, f: number) => w * step + f;
  const seg = syntheticSegmentation(5, step, (w, f) => {
    const t = globalOf(w, f);
    let mask = 0;
    if (t < 400) mask |= 0b001; // speaker 0: global frames 0-399
    if (t >= 350 && t < 500) mask |= 0b010; // speaker 1: 350-499 (overlap 350-399)
    if (t >= 720 && t < 900) mask |= 0b010; // speaker 2: 720-899 (after window 1's last frame, 706)
    return mask;
  });
  const labels = Int32Array.from({ length: 15 }, (_, i) => {
    const w = Math.floor(i / 3);
    const k = i % 3;
    return k === 0 ? 0 : k === 1 ? (w < 3 ? 1 : 2) : -1;
  });

  test("counts, top speakers and overlapping turns", () => {
    const activity = reconstructActivity(seg, labels, 3);
    const frameAt = (sec: number) => Math.round((sec * 16000 - 495.5) / 270);
    expect(activity.count[100]).toBe(1);
    expect(activity.count[375]).toBe(2);
    expect(activity.count[600]).toBe(0);
    const turns = activityTurns(activity, 1000);
    const bySpeaker = (s: number) => turns.filter((t) => t.speaker === s);
    expect(bySpeaker(0).length).toBe(1);
    expect(bySpeaker(0)[0]!.end).toBeCloseTo((399 * 270 + 495.5 + 135) / 16000, 6);
    expect(bySpeaker(1)[0]!.start).toBeCloseTo((350 * 270 + 495.5 - 135) / 16000, 6);
    expect(bySpeaker(2)[0]!.start).toBeCloseTo((720 * 270 + 495.5 - 135) / 16000, 6);
    // Speakers 0 and 1 overlap for 50 frames.
    expect(overlapSeconds(activity)).toBeCloseTo(50 * FRAME_SEC, 6);
    expect(frameAt(bySpeaker(0)[0]!.start)).toBeLessThanOrEqual(0);
    // The exclusive view has at most one speaker per frame and covers the same speech.
    const exclusive = exclusiveActivity(activity);
    expect(overlapSeconds(exclusive)).toBe(0);
    for (let t = 0; t < activity.frameCount; t++) {
      const any = (a: Uint8Array) => a[t * 3]! | a[t * 3 + 1]! | a[t * 3 + 2]!;
      expect(any(exclusive.active)).toBe(any(activity.active));
    }
  });

  test("a frame never gets more speakers than its count, nor a speaker without a vote", () => {
    // Three local speakers active everywhere, but only two have global labels.
    const three = syntheticSegmentation(2, 118, () => 0b111);
    const onlyTwo = Int32Array.of(0, 1, -1, 0, 1, -1);
    const activity = reconstructActivity(three, onlyTwo, 3);
    // Frames past the last window's 589th are covered by no window.
    expect(activity.frameCount).toBe(709);
    for (let t = 0; t < 118 + 589; t++) {
      expect(activity.count[t]).toBe(3);
      expect(activity.active[t * 3 + 2]).toBe(0);
      expect(activity.active[t * 3]! + activity.active[t * 3 + 1]!).toBe(2);
    }
  });

  test("the count votes over its own centre, wider than the speaker votes", () => {
    // Three windows every 177 frames; each window hears local speakers 0 and 1 in its first 206 frames, then 0 alone.
    const seg = syntheticSegmentation(3, 177, (_, f) => (f < 206 ? 0b011 : 0b001));
    const labels = Int32Array.of(0, 1, -1, 0, 1, -1, 0, 1, -1);
    // Global frame 327 is window 0's frame 327 and window 1's frame 150 (outside window 1's central 177 frames).
    const narrow = reconstructActivity(seg, labels, 2, { centerFrames: 177 });
    expect(narrow.count[327]).toBe(1);
    const wide = reconstructActivity(seg, labels, 2, { centerFrames: 177, countFrames: 355 });
    // Window 1 now counts there too: (1 + 2) / 2 rounds to 2 ...
    expect(wide.count[327]).toBe(2);
    // ... but speaker 1 has no vote in that frame, so only speaker 0 is active.
    expect([wide.active[327 * 2], wide.active[327 * 2 + 1]]).toEqual([1, 0]);
    expect(wide.scores[327 * 2 + 1]).toBe(0);
  });

  describe("borrowed votes", () => {
    // 0.5 s is 30 frames. Frames 0-99 are speech (count 1) but for frames 10-49 only; 120-199 speech
    // again, counted by nobody; 200-299 two speakers counted, speaker 0 voted alone in 200-259.
    const frames = (rows: [from: number, to: number, count: number, voted: [speaker: number, score: number][]][]): FrameActivity => {
      const a = { frameCount: 300, speakers: 3, active: new Uint8Array(900), scores: new Float32Array(900), count: new Uint8Array(300) };
      for (const [from, to, count, voted] of rows) {
        for (let t = from; t < to; t++) {
          a.count[t] = count;
          for (const [s, score] of voted) [a.active[t * 3 + s], a.scores[t * 3 + s]] = [1, score];
        }
      }
      return a;
    };
    const spoken = (a: FrameActivity, s: number) => Array.from({ length: a.frameCount }, (_, t) => t).filter((t) => a.active[t * 3 + s]);
    const span = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

    test("a counted frame without a vote takes the nearest voted speaker up to 0.5 s away, within its stretch of speech", () => {
      const a = frames([
        [0, 10, 1, []],
        [10, 50, 1, [[1, 2]]],
        [50, 100, 1, []],
        [120, 200, 1, []],
      ]);
      const borrowed = withBorrowedVotes(a, {});
      // 10 frames before and 30 after the voted ones (the stretch starts at 0); 120-199 has no vote to borrow.
      expect(spoken(borrowed, 1)).toEqual(span(0, 80));
      expect(spoken(borrowed, 0).concat(spoken(borrowed, 2))).toEqual([]);
      expect(spoken(withBorrowedVotes(a, { borrowSec: 1 }), 1)).toEqual(span(0, 100));
      expect(spoken(withBorrowedVotes(a, { borrowSec: 0 }), 1)).toEqual(span(10, 50));
      // The activity given is left as it was.
      expect(spoken(a, 1)).toEqual(span(10, 50));
    });

    test("a frame with fewer voted speakers than its count takes the others from nearby, never more than the count", () => {
      const a = frames([
        [200, 260, 2, [[0, 3]]],
        [260, 270, 3, [[0, 1], [1, 2], [2, 3]]],
        [270, 300, 1, [[2, 1]]],
      ]);
      const borrowed = withBorrowedVotes(a, {});
      // 230-259 borrow the most-scored speaker of frame 260 that is not speaking there yet: speaker 2.
      expect(spoken(borrowed, 0)).toEqual(span(200, 270));
      expect(spoken(borrowed, 1)).toEqual(span(260, 270));
      expect(spoken(borrowed, 2)).toEqual(span(230, 300));
      for (let t = 0; t < 300; t++) expect(borrowed.active[t * 3]! + borrowed.active[t * 3 + 1]! + borrowed.active[t * 3 + 2]!).toBeLessThanOrEqual(a.count[t]!);
    });

    test("at equal distance the earlier frame lends", () => {
      const a = frames([
        [0, 10, 1, [[0, 1]]],
        [10, 11, 1, []],
        [11, 20, 1, [[2, 1]]],
      ]);
      expect(spoken(withBorrowedVotes(a, {}), 0)).toEqual(span(0, 11));
    });
  });

  test("minimum durations fill short silences and drop short turns", () => {
    const blips = syntheticSegmentation(1, 118, (_, f) => ((f >= 100 && f < 200) || (f >= 210 && f < 300) || (f >= 400 && f < 405) ? 1 : 0));
    const activity = reconstructActivity(blips, Int32Array.of(0, -1, -1), 1);
    expect(activityTurns(activity, 20).length).toBe(3);
    const smoothed = withMinDurations(activity, { minDurationOffSec: 0.5, minDurationOnSec: 0.2 });
    const turns = activityTurns(smoothed, 20);
    expect(turns.length).toBe(1);
    expect(turns[0]!.start).toBeCloseTo((100 * 270 + 495.5 - 135) / 16000, 6);
    expect(turns[0]!.end).toBeCloseTo((299 * 270 + 495.5 + 135) / 16000, 6);
    // The input is left as it was.
    expect(activityTurns(activity, 20).length).toBe(3);
  });

  test("by default a speaker's short silences are filled, then its turns under 0.3 s dropped", () => {
    const { minOn } = minDurationFrames(DEFAULT_MIN_DURATIONS);
    expect(minOn * FRAME_SEC).toBeGreaterThanOrEqual(0.3);
    expect((minOn - 1) * FRAME_SEC).toBeLessThan(0.3);
    const a = { frameCount: 400, speakers: 2, active: new Uint8Array(800), scores: new Float32Array(800), count: new Uint8Array(400) };
    const speak = (s: number, from: number, to: number) => {
      for (let t = from; t < to; t++) [a.active[t * 2 + s], a.scores[t * 2 + s], a.count[t]] = [1, 1, 1];
    };
    // Speaker 0: one frame, a frame short of the minimum, the minimum. Speaker 1: two short turns a short silence apart.
    speak(0, 50, 51);
    speak(0, 100, 100 + minOn - 1);
    speak(0, 200, 200 + minOn);
    speak(1, 300, 300 + minOn / 2);
    speak(1, 302 + minOn / 2, 302 + minOn);
    const turns = activityTurns(withMinDurations(a, DEFAULT_MIN_DURATIONS), 400 * FRAME_SEC);
    expect(turns).toEqual([
      { speaker: 0, ...frameSpanSec(200, 200 + minOn) },
      { speaker: 1, ...frameSpanSec(300, 302 + minOn) },
    ]);
    for (const t of turns) expect(t.end - t.start).toBeGreaterThanOrEqual(0.3);
  });

  /** 300 frames of three speakers, none active until `speak(s, from, to, score)` makes s active over [from, to). */
  const threeSpeakers = () => {
    const a = { frameCount: 300, speakers: 3, active: new Uint8Array(900), scores: new Float32Array(900), count: new Uint8Array(300) };
    const speak = (s: number, from: number, to: number, score: number) => {
      for (let t = from; t < to; t++) [a.active[t * 3 + s], a.scores[t * 3 + s]] = [1, score];
    };
    return { a, speak };
  };
  const turns = (x: FrameActivity) => activityTurns(x, 300 * FRAME_SEC);
  const turn = (speaker: number, from: number, to: number) => ({ speaker, ...frameSpanSec(from, to) });

  test("in the exclusive view a run shorter than the minimum goes to the neighbouring speaker more scored over it", () => {
    const { a, speak } = threeSpeakers();
    // 0 and 1 talk at once over 0-100 and 1 flips ahead for 3 frames; 2 is ahead for 5 frames before 1 takes over
    // (0 scores more than 1 over them); 1 alone after a silence for 5 frames (kept: no neighbour).
    speak(0, 0, 100, 3);
    speak(1, 0, 100, 2);
    speak(1, 40, 43, 4);
    speak(2, 100, 105, 3);
    speak(0, 100, 105, 1);
    speak(1, 105, 200, 3);
    speak(0, 105, 200, 2);
    speak(1, 250, 255, 3);
    const plain = exclusiveActivity(a);
    expect(turns(plain)).toEqual([turn(0, 0, 40), turn(1, 40, 43), turn(0, 43, 100), turn(2, 100, 105), turn(1, 105, 200), turn(1, 250, 255)]);
    const smoothed = exclusiveActivity(a, 18);
    expect(turns(smoothed)).toEqual([turn(0, 0, 105), turn(1, 105, 200), turn(1, 250, 255)]);
    // The same frames have a speaker.
    const speaking = (x: FrameActivity) => Array.from({ length: 300 }, (_, t) => x.active[t * 3]! + x.active[t * 3 + 1]! + x.active[t * 3 + 2]!);
    expect(speaking(smoothed)).toEqual(speaking(plain));
  });

  test("in the exclusive view speakers of equal score go to the one who talks more in the file, then the lower index", () => {
    const { a, speak } = threeSpeakers();
    // 1 talks 200 frames, 0 50 and 2 30: over 80-120 0 and 1 have score 1 (the same windows heard them), over 250-260
    // 0 and 2, after 2's 20 frames alone.
    const runs = [[1, 0, 200, 2], [1, 80, 120, 1], [0, 80, 120, 1], [2, 230, 250, 2], [2, 250, 260, 1], [0, 250, 260, 1]] as const;
    for (const [s, from, to, score] of runs) speak(s, from, to, score);
    expect(turns(exclusiveActivity(a))).toEqual([turn(1, 0, 200), turn(2, 230, 250), turn(0, 250, 260)]);
    // As much talk each: the lower index.
    const even = threeSpeakers();
    even.speak(1, 0, 50, 1);
    even.speak(0, 0, 50, 1);
    expect(turns(exclusiveActivity(even.a))).toEqual([turn(0, 0, 50)]);
  });
});
