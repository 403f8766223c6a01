/**
 * @module Centroid-linkage agglomerative clustering (pyannote 3.1's method: unit-length rows, Euclidean distance
 * between cluster means), as a Dendrogram the threshold cut of constrained-clustering.ts reads.
 *
 * Distances are kept squared in a full n x n matrix (Float64, 8 n^2 bytes: 288 MB for 6000 rows) and updated
 * by the Lance-Williams rule for centroids. Every row keeps its nearest neighbour; after a merge only the rows
 * whose neighbour moved away are searched again. Centroid linkage is not monotone (a merge can be closer than
 * an earlier one), so each merge's height is the largest merge distance below it, as scipy's fcluster
 * "distance" criterion reads it, and the merges come out sorted by that height.
 */
import { ConfigError } from "../../errors.ts";
import type { Dendrogram } from "./constrained-clustering.ts";

export function centroidLinkage(unit: Float32Array, n: number, dim: number): Dendrogram {
  if (unit.length !== n * dim) throw new ConfigError(`centroidLinkage: ${unit.length} floats are not ${n} x ${dim}`);
  const m = Math.max(0, n - 1);
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += unit[i * dim + k]! * unit[j * dim + k]!;
      d[i * n + j] = d[j * n + i] = Math.max(0, 2 - 2 * s);
    }
  }
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const node = Int32Array.from({ length: n }, (_, i) => i);
  const nn = new Int32Array(n).fill(-1);
  const nnd = new Float64Array(n).fill(Infinity);
  const search = (i: number) => {
    nn[i] = -1;
    nnd[i] = Infinity;
    for (let k = 0; k < n; k++) {
      if (k === i || !active[k]) continue;
      if (d[i * n + k]! < nnd[i]!) [nn[i], nnd[i]] = [k, d[i * n + k]!];
    }
  };
  for (let i = 0; i < n; i++) search(i);
  const a = new Uint32Array(m);
  const b = new Uint32Array(m);
  const height = new Float64Array(m);
  const heightOf = (id: number) => (id < n ? 0 : height[id - n]!);
  for (let step = 0; step < m; step++) {
    let i = -1;
    for (let k = 0; k < n; k++) if (active[k] && (i < 0 || nnd[k]! < nnd[i]!)) i = k;
    const j = nn[i]!;
    const dij = nnd[i]!;
    a[step] = node[i]!;
    b[step] = node[j]!;
    height[step] = Math.max(Math.sqrt(dij), heightOf(node[i]!), heightOf(node[j]!));
    const [ni, nj] = [size[i]!, size[j]!];
    const s = ni + nj;
    active[j] = 0;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === i) continue;
      const v = Math.max(0, (ni * d[i * n + k]! + nj * d[j * n + k]!) / s - (ni * nj * dij) / (s * s));
      d[i * n + k] = d[k * n + i] = v;
    }
    size[i] = s;
    node[i] = n + step;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === i) continue;
      const v = d[k * n + i]!;
      if (nn[k] === i || nn[k] === j) {
        // The neighbour grew or left: still the nearest when no farther than before, else search again.
        if (v <= nnd[k]!) [nn[k], nnd[k]] = [i, v];
        else search(k);
      } else if (v < nnd[k]!) [nn[k], nnd[k]] = [i, v];
    }
    search(i);
  }
  // Sorted by height; a merge keeps its place after its children (stable sort), ids renumbered.
  const order = Array.from({ length: m }, (_, k) => k).sort((p, q) => height[p]! - height[q]! || p - q);
  const rank = new Int32Array(m);
  order.forEach((k, r) => (rank[k] = r));
  const id = (x: number) => (x < n ? x : n + rank[x - n]!);
  return {
    n,
    a: Uint32Array.from(order, (k) => id(a[k]!)),
    b: Uint32Array.from(order, (k) => id(b[k]!)),
    distance: Float32Array.from(order, (k) => height[k]!),
  };
}
