/**
 * @module Synthetic speaker embeddings with a known answer, shared by the clustering tests and benchmarks:
 * a seeded random source, two blob generators, and the checks that compare found labels with the truth.
 */

/** Deterministic uniform [0, 1) (mulberry32). */
export function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller) from a uniform source. */
export function gaussian(next: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/**
 * Two voices of 30 and 15 noisy embeddings (dim 64, seed 5): the overlap-aware clustering's average-linkage cut at
 * 0.7 splits the second in two, into clusters whose centroids are far closer than the two voices'.
 */
export function splitVoicePoints(): { data: Float32Array; truth: number[]; dim: number } {
  const dim = 64;
  const random = uniform(5);
  const centre = () => Array.from({ length: dim }, () => random() * 2 - 1);
  const [a, b] = [centre(), centre()];
  const truth = Array.from({ length: 45 }, (_, i) => (i < 30 ? 0 : 1));
  const data = new Float32Array(45 * dim);
  truth.forEach((g, i) => {
    for (let d = 0; d < dim; d++) data[i * dim + d] = (g === 0 ? a : b)[d]! + 1.5 * (random() * 2 - 1);
  });
  return { data, truth, dim };
}

export interface Blobs {
  data: Float32Array;
  /** cluster of each row; -1 for background noise */
  truth: Int32Array;
  count: number;
}

/**
 * Unit vectors around independent random unit centres: point = centre + noise * g / sqrt(dim), normalised
 * (noise 1 gives cosines near 0.5 within a speaker and near 0 across). Rows are shuffled.
 */
export function unitBlobs(sizes: readonly number[], dim: number, noise: number, seed: number): Blobs {
  const g = gaussian(uniform(seed));
  const centres = sizes.map(() => {
    const c = Array.from({ length: dim }, g);
    const n = Math.hypot(...c);
    return c.map((x) => x / n);
  });
  const truth = sizes.flatMap((size, s) => Array<number>(size).fill(s));
  const order = uniform(seed + 1);
  for (let i = truth.length - 1; i > 0; i--) {
    const j = Math.floor(order() * (i + 1));
    [truth[i], truth[j]] = [truth[j]!, truth[i]!];
  }
  const data = new Float32Array(truth.length * dim);
  truth.forEach((s, i) => {
    const row = centres[s]!.map((x) => x + (noise * g()) / Math.sqrt(dim));
    const n = Math.hypot(...row);
    row.forEach((x, d) => (data[i * dim + d] = x / n));
  });
  return { data, truth: Int32Array.from(truth), count: truth.length };
}

/**
 * Speaker-like clusters whose centres share a common direction (cosine between centres ~`shared`):
 * points are centre + `spread` x N(0, I), and a `noiseFraction` of all rows are isotropic points in no cluster.
 */
export function sharedDirectionBlobs(
  sizes: readonly number[],
  dim: number,
  spread: number,
  shared: number,
  noiseFraction: number,
  seed: number,
): Blobs {
  const g = gaussian(uniform(seed));
  const common = Array.from({ length: dim }, g);
  const centres = sizes.map(() => common.map((c) => Math.sqrt(shared) * c + Math.sqrt(1 - shared) * g()));
  const clustered = sizes.reduce((a, b) => a + b, 0);
  const count = clustered + Math.round((clustered * noiseFraction) / (1 - noiseFraction));
  const data = new Float32Array(count * dim);
  const truth = new Int32Array(count).fill(-1);
  let row = 0;
  sizes.forEach((size, c) => {
    for (let i = 0; i < size; i++, row++) {
      truth[row] = c;
      for (let d = 0; d < dim; d++) data[row * dim + d] = centres[c]![d]! + spread * g();
    }
  });
  for (; row < count; row++) {
    for (let d = 0; d < dim; d++) data[row * dim + d] = Math.sqrt(1 + spread * spread) * g();
  }
  return { data, truth, count };
}

/** Cluster sizes summing to `total`, proportional to `weights`. */
export function sizesFor(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.round((total * w) / sum));
  sizes[sizes.length - 1]! += total - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

/** Labels renumbered 0..k-1 in order of first appearance, noise (< 0) kept as -1: equal for equal partitions. */
export function canonicalLabels(labels: ArrayLike<number>): number[] {
  const ids = new Map<number, number>();
  return Array.from(labels, (l) => (l < 0 ? -1 : (ids.get(l) ?? ids.set(l, ids.size).get(l)!)));
}

/** True when found and truth labels are the same partition (a bijection between labels). */
export function samePartition(found: Int32Array, truth: Int32Array): boolean {
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let i = 0; i < found.length; i++) {
    const f = found[i]!;
    const t = truth[i]!;
    if ((forward.get(f) ?? t) !== t || (backward.get(t) ?? f) !== f) return false;
    forward.set(f, t);
    backward.set(t, f);
  }
  return true;
}

/** Share of rows clustered on both sides that fall in their found cluster's majority true class. */
export function purity(labels: Int32Array, truth: Int32Array): number {
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! < 0 || truth[i]! < 0) continue;
    const m = counts.get(labels[i]!) ?? new Map<number, number>();
    m.set(truth[i]!, (m.get(truth[i]!) ?? 0) + 1);
    counts.set(labels[i]!, m);
  }
  let majority = 0;
  let total = 0;
  for (const m of counts.values()) {
    majority += Math.max(...m.values());
    for (const v of m.values()) total += v;
  }
  return total > 0 ? majority / total : 0;
}

/** Number of clusters found (noise, -1, excluded). */
export function clusterCount(labels: Int32Array): number {
  return new Set(Array.from(labels).filter((l) => l >= 0)).size;
}

/** Clusters found, purity, and the share of rows labelled noise. */
export function quality(labels: Int32Array, truth: Int32Array): { clusters: number; purity: number; noise: number } {
  return { clusters: clusterCount(labels), purity: purity(labels, truth), noise: labels.filter((l) => l < 0).length / labels.length };
}
